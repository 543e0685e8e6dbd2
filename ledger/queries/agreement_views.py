"""Agreements as the web pages need them: the agreement of a project, and which workflow
actions a user may take on it now — asked of the same policy and state machine the commands
apply, so a page offers exactly what the command would accept."""

from __future__ import annotations

import sqlalchemy as sa

from ledger.context import Context
from ledger.domain import workflow
from ledger.domain.enums import FILING_BODIES, Role, Side
from ledger.domain.errors import Conflict
from ledger.models import Agreement
from ledger.policy import agreements_seen_by, side_of


def of_project(ctx: Context, project_id: int) -> list[Agreement]:
    """The project's agreements this user may see: the live one first, then those withdrawn or
    declined, newest first."""
    return list(ctx.session.scalars(
        sa.select(Agreement).where(Agreement.project_id == project_id, agreements_seen_by(ctx.actor))
        .order_by(Agreement.ended_as.is_not(None), Agreement.id.desc())))


def available(ctx: Context, agreement: Agreement) -> list[str]:
    """The actions, in workflow order, whose transition the newest version allows for this user."""
    v, actor, now = agreement.newest, ctx.actor, ctx.now()
    side = side_of(actor, agreement.recommender_code, agreement.receiver_code)
    checks = []
    if side is not None:
        ever_filed = workflow.ever_filed(agreement.versions)
        checks += [
            ("confirm", lambda: workflow.confirm(v.status, v.proposed_by, side, now)),
            ("submit", lambda: workflow.submit(v.status, now)),
            ("edit", lambda: workflow.edit(v.status, side)),
            ("amend", lambda: workflow.amend(v.status, side)),
        ]
        if side == Side.RECOMMENDER:
            checks.append(("decline", lambda: workflow.decline(v.status, ever_filed)))
        else:
            checks.append(("withdraw", lambda: workflow.withdraw(v.status, ever_filed)))
    if actor.role in FILING_BODIES:
        body = Role(actor.role)
        checks += [
            ("acknowledge", lambda: workflow.acknowledge(v.status, v.acknowledged_by, body, now)),
            ("return", lambda: workflow.return_(v.status, "")),
        ]
    allowed = []
    for name, check in checks:
        try:
            check()
        except Conflict:
            continue
        allowed.append(name)
    return allowed
