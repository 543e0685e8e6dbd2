"""Agreements as the web pages need them: the agreement of a project, and which workflow
actions a user may take on it now — read from the same workflow table and policy the commands
apply, so a page offers exactly what the command would accept."""

from __future__ import annotations

import sqlalchemy as sa

from ledger.context import Context
from ledger import policy
from ledger.domain import workflow
from ledger.models import Agreement
from ledger.policy import agreements_seen_by
from ledger.queries.search import chunks


def of_project(ctx: Context, project_id: int) -> list[Agreement]:
    """The project's agreements this user may see: the live one first, then those withdrawn or
    declined, newest first."""
    return list(ctx.session.scalars(
        sa.select(Agreement).where(Agreement.project_id == project_id, agreements_seen_by(ctx.actor))
        .order_by(~Agreement.is_live, Agreement.id.desc())))


def live_of_projects(ctx: Context, project_ids: set[int]) -> dict[int, Agreement]:
    """The live agreement of each of `project_ids` that has one this user may see."""
    found: dict[int, Agreement] = {}
    for part in chunks(project_ids):
        found.update((a.project_id, a) for a in ctx.session.scalars(
            sa.select(Agreement).where(Agreement.project_id.in_(part), Agreement.is_live,
                                       agreements_seen_by(ctx.actor))))
    return found


def available(ctx: Context, agreement: Agreement) -> list[str]:
    """The actions, in the workflow table's order, that the commands would accept from this
    user on the newest version now (ledger.domain.workflow.allowed)."""
    standing = policy.standing(ctx.actor, agreement.recommender_code, agreement.receiver_code)
    return workflow.allowed(standing, workflow.state_of(agreement))
