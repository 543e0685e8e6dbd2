"""Every user's own account: changing the password (also the page a reset password forces)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ledger.commands.users import change_own_password
from ledger.domain.errors import DomainError
from ledger.schemas.requests import PasswordChange
from ledger.web import auth
from ledger.web.blueprint import bp
from ledger.web.forms import PasswordForm
from ledger.web.helpers import ctx


@bp.route("/account/password", methods=["GET", "POST"])
@auth.login_required
def account_password():
    form = PasswordForm()
    if request.method == "POST":
        body = form.load(PasswordChange)
        if body is not None:
            try:
                change_own_password(ctx(), body["old_password"], body["new_password"],
                                    keep_token=auth.session_token())
            except DomainError as err:
                form.show(err)
            else:
                flash(_("Your password is changed. Your other sessions have ended."), "success")
                return redirect(url_for("web.dashboard"))
    forced = bool(g.get("must_change"))
    status = 422 if form.has_errors else 200
    return render_template("web/account_password.html", form=form, forced=forced), status
