"""What every command shares: the journal entry of a change and the optimistic-concurrency
check."""

from __future__ import annotations

from typing import Any

from ledger.context import Context
from ledger.domain.errors import PreconditionFailed
from ledger.postings import journal


def audit(ctx: Context, action: str, entity: str, entity_id: Any,
          before: dict | None = None, after: dict | None = None) -> None:
    """The journal entry of a change (who, role, when, what, before → after), appended in the
    change's transaction. A command records it after its postings, which the entry's hash then
    covers."""
    actor = ctx.actor
    journal.append(ctx.session, at=ctx.now(), actor_id=actor.id, actor_username=actor.username,
                   actor_role=actor.role, actor_region=actor.region_code, action=action,
                   entity=entity, entity_id=str(entity_id), before=before, after=after)


def check_row_version(current: int, expected: int | None) -> None:
    """Optimistic concurrency: a caller that read version N may only change version N (412)."""
    if expected is not None and expected != current:
        raise PreconditionFailed("resource.stale")
