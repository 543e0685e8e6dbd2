"""Reading one's messages (queries.notifications): mark one read, or all of them. Reading is no
fact of the ledger: it changes no figure and no document, so it is not journaled; each mark is
still one transaction."""

from __future__ import annotations

import sqlalchemy as sa

from ledger.context import Context
from ledger.db import writing
from ledger.domain.errors import NotFound
from ledger.models import MessageMark, MessageRead
from ledger.queries import notifications


def mark_read(ctx: Context, key: str) -> None:
    """Mark one of the user's messages read (404 for a key that names none of them)."""
    with writing(ctx.session) as session:
        if ctx.actor.id is None or key not in notifications.keys(ctx):
            raise NotFound("resource.not_found", what="message", key=key)
        if session.get(MessageRead, (ctx.actor.id, key)) is None:
            session.add(MessageRead(user_id=ctx.actor.id, key=key, read_at=ctx.now()))


def mark_all_read(ctx: Context) -> None:
    """Everything up to now is read: the mark moves to now and the single reads it covers go."""
    if ctx.actor.id is None:
        raise NotFound("resource.not_found", what="user", key=ctx.actor.username)
    with writing(ctx.session) as session:
        now = ctx.now()
        mark = session.get(MessageMark, ctx.actor.id)
        if mark is None:
            session.add(MessageMark(user_id=ctx.actor.id, read_through=now))
        else:
            mark.read_through = now
        session.execute(sa.delete(MessageRead).where(MessageRead.user_id == ctx.actor.id))
