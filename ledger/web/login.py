"""The public index page, logging in and out, and the language switch."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ledger.schemas.requests import TokenRequest
from ledger.throttle import login_throttled
from ledger.web import auth
from ledger.web.blueprint import bp
from ledger.web.forms import CsrfForm, LanguageForm, LoginForm
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
            if g.must_change:  # a reset password: the user chooses their own first
                return redirect(url_for(auth.PASSWORD_PAGE))
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
