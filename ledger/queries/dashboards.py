"""What each role's start page counts: a region's projects and the agreements waiting for it,
the filing bodies' queue, and a party's agreements whose filing a closed year now holds up."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ledger.context import Context
from ledger.domain.enums import FILING_BODIES, Role, Side, VersionStatus
from ledger.domain.workflow import ACK_FIELD
from ledger.models import Agreement, AgreementVersion, Project
from ledger.policy import agreements_seen_by, projects_seen_by, side_of
from ledger.queries.checklist import ClosedYearTodo, closed_year_todos


@dataclass(frozen=True)
class Counts:
    projects: int
    agreements: int
    waiting: list[int]  # ids of the agreements whose newest version waits for this user
    # A party's agreements not filed that cover a closed year (its checklist named them)
    closed_years: list[ClosedYearTodo]


def _newest_versions(ctx: Context):
    newest = (sa.select(AgreementVersion.agreement_id,
                        sa.func.max(AgreementVersion.version).label("version"))
              .group_by(AgreementVersion.agreement_id).subquery())
    return ctx.session.execute(
        sa.select(Agreement, AgreementVersion)
        .join(AgreementVersion, AgreementVersion.agreement_id == Agreement.id)
        .join(newest, sa.and_(newest.c.agreement_id == AgreementVersion.agreement_id,
                              newest.c.version == AgreementVersion.version))
        .where(agreements_seen_by(ctx.actor)).order_by(Agreement.id))


def waits_for(ctx: Context, agreement: Agreement, version: AgreementVersion) -> bool:
    """Whether the newest version waits for this user's action."""
    actor = ctx.actor
    if actor.role in FILING_BODIES:
        return version.status == VersionStatus.SUBMITTED and \
            getattr(version, ACK_FIELD[Role(actor.role)]) is None
    side = side_of(actor, agreement.recommender_code, agreement.receiver_code)
    if side is None:
        return False
    return (version.status == VersionStatus.DRAFT and version.proposed_by != side) or \
        version.status == VersionStatus.SIGNED or \
        (version.status == VersionStatus.RETURNED and side == Side.RECEIVER)


def counts(ctx: Context) -> Counts:
    projects = ctx.session.scalar(sa.select(sa.func.count()).select_from(Project)
                                  .where(projects_seen_by(ctx.actor)))
    rows = list(_newest_versions(ctx))
    todos = closed_year_todos(ctx.session, ctx.actor) if ctx.actor.role == Role.REGION else []
    return Counts(projects, len(rows), [a.id for a, v in rows if waits_for(ctx, a, v)], todos)
