"""What every command shares: the audit row of a change, snapshots of audited fields and the
optimistic-concurrency check."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ledger.context import Context
from ledger.domain.errors import PreconditionFailed
from ledger.models import AuditEntry


def snapshot(obj: Any, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The column values of a model as JSON-safe data (for the audit log)."""
    names = fields or tuple(c.key for c in sa.inspect(obj).mapper.column_attrs)
    out = {}
    for name in names:
        value = getattr(obj, name)
        out[name] = value.isoformat() if isinstance(value, (date, datetime)) else value
    return out


def audit(ctx: Context, action: str, entity: str, entity_id: Any,
          before: dict | None = None, after: dict | None = None) -> None:
    actor = ctx.actor
    ctx.session.add(AuditEntry(
        actor_id=actor.id, actor_username=actor.username, actor_role=actor.role,
        action=action, entity=entity, entity_id=str(entity_id), before=before, after=after,
        at=ctx.now()))


def check_row_version(current: int, expected: int | None) -> None:
    """Optimistic concurrency: a caller that read version N may only change version N (412)."""
    if expected is not None and expected != current:
        raise PreconditionFailed("resource.stale")
