"""The administrators' pages of the accounts: the list with its filters, a new account, and
an account's role and region, deactivation and reactivation, and password reset. Each calls
the same command as the API (one journaled transaction each); the commands' refusals (the
last active administrator, a username taken) are shown in the page's language."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ledger import current
from ledger.commands import users as user_commands
from ledger.domain.enums import Role, values
from ledger.domain.errors import DomainError, Invalid, NotFound
from ledger.passwords import one_time_password
from ledger.policy import require_user_admin
from ledger.queries import users as user_queries
from ledger.queries.pagination import page_of
from ledger.schemas.requests import UserCreate, UserPatch, UserQuery, load
from ledger.web import auth
from ledger.web.blueprint import bp
from ledger.web.forms import CsrfForm, UserCreateForm, UserRoleForm
from ledger.web.helpers import ctx, page_count, page_number, regions, row_version
from ledger.web.i18n import problem_text
from ledger.web.labels import label

FILTERS = ("role", "region", "active", "q")


def _choices(form: UserRoleForm) -> None:
    form.role.choices = [(r, label(r)) for r in values(Role)]
    form.region_code.choices = [("", "—")] + [
        (r["code"], f'{r["name"]}（{r["code"]}）') for r in regions()]


@bp.get("/users")
@auth.login_required
def user_list():
    context = ctx()
    require_user_admin(context.actor)
    args = {k: request.args[k].strip() for k in FILTERS if request.args.get(k, "").strip()}
    errors: dict[str, list[str]] = {}
    rows, total = [], 0
    try:
        filters = load(UserQuery, args)
    except Invalid as err:
        errors = {k: [problem_text(m) for m in ms] for k, ms in (err.errors or {}).items()}
    else:
        if "active" in filters:
            filters["active"] = filters["active"] == "yes"
        page = page_of(current.session(), user_queries.users(context.actor, **filters),
                       page_number())
        rows, total = page.items, page.total
    return render_template("web/users.html", rows=rows, total=total, args=args, errors=errors,
                           roles=values(Role), regions=regions(), page=page_number(), pages=page_count(total))


@bp.route("/users/new", methods=["GET", "POST"])
@auth.login_required
def user_new():
    context = ctx()
    require_user_admin(context.actor)
    form = UserCreateForm()
    _choices(form)
    if request.method == "POST":
        password = one_time_password()
        inp = form.load(UserCreate, password=password)
        if inp is not None:
            try:
                user = user_commands.create_user(context, inp, must_change_password=True)
            except DomainError as err:
                form.show(err)
            else:
                return _one_time(user, password, created=True)
    return render_template("web/user_new.html", form=form), 422 if form.has_errors else 200


def _one_time(user, password: str, created: bool):
    """The one-time password, shown on this answer only (never in a flash message: the session
    cookie is signed, not encrypted)."""
    return render_template("web/user_password.html", user=user, password=password,
                           created=created)


def _user(user_id: int):
    return user_queries.user(current.session(), ctx().actor, user_id)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@auth.login_required
def user_detail(user_id: int):
    context = ctx()
    require_user_admin(context.actor)
    user = _user(user_id)
    form = UserRoleForm()
    _choices(form)
    if request.method == "GET":
        form.role.data, form.region_code.data = user.role, user.region_code or ""
        form.email.data = user.email or ""
        form.row_version.data = str(user.row_version)
    else:
        inp = form.load(UserPatch)
        if inp is not None:
            if form.attempt(lambda: user_commands.update_user(
                    context, user_id, inp, row_version(form.row_version.data))):
                flash(_("The role, region and e-mail of %(name)s are saved.", name=user.username),
                      "success")
                return redirect(url_for("web.user_detail", user_id=user_id))
        user = _user(user_id)
    return render_template("web/user.html", user=user, form=form,
                           action_form=CsrfForm(formdata=None)), 422 if form.has_errors else 200


@bp.post("/users/<int:user_id>/active")
@auth.login_required
def user_active(user_id: int):
    """Deactivate (active=0) or reactivate (active=1) an account."""
    context = ctx()
    require_user_admin(context.actor)
    CsrfForm()
    wanted = request.form.get("active", "")
    if wanted not in ("0", "1"):
        abort(400)
    user = _user(user_id)
    try:
        user_commands.update_user(context, user_id, load(UserPatch, {"active": wanted == "1"}),
                                  row_version(request.form.get("row_version")))
    except NotFound:
        raise
    except DomainError as err:
        flash(problem_text(err.message), "danger")
    else:
        flash(_("%(name)s is reactivated.", name=user.username) if wanted == "1" else
              _("%(name)s is deactivated; their sessions have ended.", name=user.username),
              "success")
    return redirect(url_for("web.user_detail", user_id=user_id))


@bp.post("/users/<int:user_id>/reset")
@auth.login_required
def user_reset(user_id: int):
    context = ctx()
    require_user_admin(context.actor)
    CsrfForm()
    try:
        user, password = user_commands.reset_password(
            context, user_id, row_version(request.form.get("row_version")))
    except NotFound:
        raise
    except DomainError as err:
        flash(problem_text(err.message), "danger")
        return redirect(url_for("web.user_detail", user_id=user_id))
    return _one_time(user, password, created=False)
