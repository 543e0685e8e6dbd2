"""What every command shares: the journal entry of a change and the optimistic-concurrency
check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from ledger.context import Context
from ledger.db import holds_write_lock, lock_for_append
from ledger.domain.errors import PreconditionFailed
from ledger.postings import append, journal

T = TypeVar("T")


def audit(ctx: Context, action: str, entity: str, entity_id: Any,
          before: dict | None = None, after: dict | None = None, *,
          at: datetime | None = None) -> None:
    """The journal entry of a change (who, role, when, what, before → after), appended in the
    change's transaction. A command records it after its postings, which the entry's hash then
    covers. `at`: the time the change's rows carry (an event's `at`), which `ledger verify`
    holds against the entry's — the same reading of the clock, not a second one."""
    append.entry(ctx.session, at=ctx.now() if at is None else at, **who(ctx.actor),
                 action=action, entity=entity, entity_id=str(entity_id), before=before,
                 after=after)


def who(actor) -> dict[str, Any]:
    """The actor as a journal entry names it."""
    return {"actor_id": actor.id, "actor_username": actor.username, "actor_role": actor.role,
            "actor_region": actor.region_code}


def read_then_lock(session: Session, read: Callable[[], T]) -> T:
    """`read()` (reads only, no writes) and then the write lock, such that no writer committed
    between the reads and the lock: in a `writing(late_lock=True)` transaction on PostgreSQL
    the reads run without the lock; if the journal's head moved meanwhile (every change
    appends to it), they run again, under the lock."""
    return read_then_lock_heads(session, read)[0]


def read_then_lock_heads(session: Session, read: Callable[[], T]
                         ) -> tuple[T, journal.Heads | None]:
    """read_then_lock, with the chain heads (journal.heads) when it read them under the lock
    to check the journal's: the appends that follow start from them instead of reading them
    again. None when the reads ran under the lock (held from the start, or a second pass)."""
    if holds_write_lock(session):  # held since the start (SQLite, nested)
        return read(), None
    while True:
        mark = journal.head(session)
        result = read()
        if lock_for_append(session):
            return result, None
        heads = journal.heads(session)
        if heads[1] == mark:
            return result, heads
        session.expire_all()


def check_row_version(current: int, expected: int | None) -> None:
    """Optimistic concurrency: a caller that read version N may only change version N (412)."""
    if expected is not None and expected != current:
        raise PreconditionFailed("resource.stale")
