"""The messages page (消息, queries.notifications): the newest messages with what each is about
and a link to it, marking one read or all of them (commands.messages; not journaled: reading
is no fact of the ledger). The header shows the unread count on every page."""

from __future__ import annotations

from flask import flash, g, redirect, request, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ledger.commands import messages as message_commands
from ledger.domain.enums import MessageKind
from ledger.queries import notifications
from ledger.web import auth
from ledger.web.blueprint import bp
from ledger.web.forms import CsrfForm
from ledger.web.helpers import ctx

KINDS = {MessageKind.WAITING: _l("Waiting for me"), MessageKind.RETURNED: _l("Returned to me"),
         MessageKind.FILED: _l("Agreement filed"), MessageKind.YEAR_CLOSED: _l("Year closed"),
         MessageKind.YEAR_REOPENED: _l("Year reopened"),
         MessageKind.EVIDENCE_MISSING: _l("Evidence missing")}


def unread_count() -> int | None:
    """The header's count, for a signed-in user who may use the pages (once per request)."""
    if g.get("actor") is None or g.get("must_change"):
        return None
    if "unread_messages" not in g:
        g.unread_messages = notifications.unread_count(ctx())
    return g.unread_messages


@bp.get("/messages")
@auth.login_required
def messages_page():
    inbox = notifications.inbox(ctx())
    return render_template("web/messages.html", inbox=inbox, kinds=KINDS,
                           form=CsrfForm(formdata=None))


@bp.post("/messages/read")
@auth.login_required
def message_read():
    message_commands.mark_read(ctx(), request.form.get("key", ""))  # 404 for no message of hers
    flash(_("The message is marked read."), "success")
    return redirect(url_for("web.messages_page"))


@bp.post("/messages/read-all")
@auth.login_required
def messages_read_all():
    message_commands.mark_all_read(ctx())
    flash(_("All messages are marked read."), "success")
    return redirect(url_for("web.messages_page"))
