"""The public index page, logging in and out, the language switch and each role's dashboard."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ledger import current
from ledger.policy import may_administer, may_register_projects
from ledger.queries import agreements as agreement_queries
from ledger.queries import dashboards, projects as project_queries, reference, users as user_queries
from ledger.queries.attribution import attribution
from ledger.queries.zones import leading_shares
from ledger.schemas.requests import TokenRequest
from ledger.schemas.resources import AgreementSchema, ProjectSchema, UserSchema, ZoneSchema
from ledger.throttle import login_throttled
from ledger.web import auth
from ledger.web.blueprint import bp
from ledger.web.forms import CsrfForm, LanguageForm, LoginForm
from ledger.web.helpers import ctx, default_year
from ledger.web.i18n import LANGUAGE_COOKIE, LANGUAGES


@bp.get("/")
def index():
    # Public: anonymous users learn what this is and where to log in, nothing more
    # (docs/permissions.md).
    if g.get("actor") is not None:
        return redirect(url_for("web.dashboard"))
    return render_template("index.html")


@bp.route("/login", methods=["GET", "POST"])
@login_throttled  # the same rule and counters as the API's POST /auth/token
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    elif form.validate_on_submit() and form.load(TokenRequest) is not None:
        if auth.log_in(form.payload()["username"], form.payload()["password"]):
            return redirect(auth.safe_next(form.next.data))
        form.form_errors.append(_("Wrong username or password, or the account is inactive."))
    return render_template("web/login.html", form=form), (200 if request.method == "GET" or not form.has_errors else 422)


@bp.post("/logout")
def logout():
    CsrfForm()  # the token was checked before the view (every POST is)
    auth.log_out()
    flash(_("You have logged out."), "info")
    return redirect(url_for("web.login"))


@bp.post("/language")
def switch_language():
    form = LanguageForm()
    chosen = form.lang.data if form.lang.data in LANGUAGES else "zh"
    response = redirect(auth.safe_next(form.next.data))
    response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=365 * 24 * 3600, httponly=True,
                        samesite="Lax", secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


@bp.get("/dashboard")
@auth.login_required
def dashboard():
    context = ctx()
    actor = context.actor
    year = default_year()
    counts = dashboards.counts(context)
    waiting = [AgreementSchema().dump(agreement_queries.agreement(context, i)) for i in counts.waiting]
    page = {"counts": counts, "waiting": waiting, "year": year}
    if may_register_projects(actor):  # a region's desk: its projects and its figures
        recent = project_queries.projects(context, page_size=10)
        page["projects"] = ProjectSchema(many=True).dump(recent.items)
        page["attribution"] = attribution(context, year)
        page["zone_shares"] = leading_shares(context, year)
    elif not may_administer(actor):  # a filing body's: the province's figures
        page["attribution"] = attribution(context, year)
    else:  # an administrator's: the reference data and the users
        session = current.session()
        page["zones"] = ZoneSchema(many=True).dump(session.scalars(reference.zones()))
        page["users"] = UserSchema(many=True).dump(session.scalars(user_queries.users(actor)))
        page["region_count"] = len(session.scalars(reference.regions()).all())
    return render_template("web/dashboard.html", **page)
