"""The audit log (the journal), newest first (administrators and the statistics bureau)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ledger.context import Context
from ledger.domain import limits
from ledger.models import AuditEntry
from ledger.postings.journal import parsed
from ledger.policy import require_ledger_reader
from ledger.queries.pagination import Page, page_of


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor_username: str
    actor_role: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @classmethod
    def of(cls, e: AuditEntry) -> "AuditRow":
        row = {f.name: getattr(e, f.name) for f in fields(cls)}
        return cls(**row | {"before": parsed(e.before), "after": parsed(e.after)})


def audit_log(ctx: Context, *, entity: str | None = None, actor: str | None = None,
              page: int = 1, page_size: int = limits.PAGE_SIZE_DEFAULT) -> Page[AuditRow]:
    require_ledger_reader(ctx.actor)
    query = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if actor is not None:
        query = query.where(AuditEntry.actor_username == actor)
    return page_of(ctx.session, query, page, page_size, AuditRow.of)
