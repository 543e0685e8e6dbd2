"""A project's corrections (修改记录), read from the journal: who changed which of its facts,
when, why, and each from what to what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ledger.context import Context
from ledger.models import AuditEntry
from ledger.postings.journal import RECORDED, parsed
from ledger.queries.lookup import visible_project

# The journal's entries that correct a project's facts (`project.update`: before reasons were
# asked for).
CORRECTIONS = ("project.correct", "project.update")


@dataclass(frozen=True)
class Change:
    field: str    # a recorded fact of the project (ledger.postings.journal.RECORDED)
    before: Any   # as the journal holds it: dates as ISO text, amounts in 0.01万元
    after: Any


@dataclass(frozen=True)
class Correction:
    at: datetime
    actor_username: str
    actor_role: str
    actor_region: str | None
    reason: str | None
    changes: tuple[Change, ...]


def corrections(ctx: Context, project_id: int) -> list[Correction]:
    """The corrections of a project the user may see, newest first (entries that changed
    nothing are left out)."""
    project = visible_project(ctx.session, ctx.actor, project_id)
    entries = ctx.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.entity == "project",
                                    AuditEntry.entity_id == str(project.id),
                                    AuditEntry.action.in_(CORRECTIONS))
        .order_by(AuditEntry.id.desc()))
    out = []
    for e in entries:
        before, after = parsed(e.before) or {}, parsed(e.after) or {}
        changes = tuple(Change(k, before.get(k), after.get(k)) for k in RECORDED["project"]
                        if before.get(k) != after.get(k))
        if changes:
            out.append(Correction(e.at, e.actor_username, e.actor_role, e.actor_region,
                                  after.get("reason"), changes))
    return out
