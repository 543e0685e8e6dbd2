"""What each role's start page counts: a region's projects and the agreements waiting for it,
the filing bodies' queue, and a party's agreements whose filing a closed year now holds up."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ledger import policy
from ledger.context import Context
from ledger.domain import workflow
from ledger.domain.enums import Role
from ledger.models import Agreement, AgreementVersion, Project
from ledger.policy import agreements_seen_by, projects_seen_by
from ledger.queries.attribution import Attribution, attribution, every_line
from ledger.queries.checklist import ClosedYearTodo, closed_year_todos


@dataclass(frozen=True)
class Counts:
    projects: int
    agreements: int
    waiting: list[int]  # ids of the agreements whose newest version waits for this user
    # A party's agreements not filed that cover a closed year (its checklist named them)
    closed_years: list[ClosedYearTodo]


def _newest_versions(ctx: Context, only: Collection[int] | None = None):
    """Each agreement the user sees (of `only`, when given), its newest version and whether the
    chain was ever filed."""
    newest = (sa.select(AgreementVersion.agreement_id,
                        sa.func.max(AgreementVersion.version).label("version"))
              .group_by(AgreementVersion.agreement_id).subquery())
    filed = sa.exists().where(AgreementVersion.agreement_id == Agreement.id,
                              AgreementVersion.status.in_(list(workflow.COUNTS_FOR_COVERAGE)))
    current = aliased(AgreementVersion)
    return ctx.session.execute(
        sa.select(Agreement, current, filed)
        .join(current, current.agreement_id == Agreement.id)
        .join(newest, sa.and_(newest.c.agreement_id == current.agreement_id,
                              newest.c.version == current.version))
        .where(agreements_seen_by(ctx.actor),
               sa.true() if only is None else Agreement.id.in_(list(only)))
        .order_by(Agreement.id))


def waits_for(ctx: Context, agreement: Agreement, version: AgreementVersion,
              ever_filed: bool) -> bool:
    """Whether the newest version waits for this user's action (ledger.domain.workflow)."""
    standing = policy.standing(ctx.actor, agreement.recommender_code, agreement.receiver_code)
    state = workflow.State(version.status, version.proposed_by, tuple(version.acknowledged_by),
                           ever_filed)
    return workflow.waits_for(standing, state)


def waiting(ctx: Context, only: Collection[int] | None = None) -> list[Agreement]:
    """The agreements (of `only`, when given) whose newest version waits for this user: the
    start page's to-do and the messages' (ledger.queries.notifications)."""
    return [a for a, v, filed in _newest_versions(ctx, only) if waits_for(ctx, a, v, filed)]


def counts(ctx: Context) -> Counts:
    projects = ctx.session.scalar(sa.select(sa.func.count()).select_from(Project)
                                  .where(projects_seen_by(ctx.actor)))
    rows = list(_newest_versions(ctx))
    todos = closed_year_todos(ctx.session, ctx.actor) if ctx.actor.role == Role.REGION else []
    waiting = [a.id for a, v, filed in rows if waits_for(ctx, a, v, filed)]
    return Counts(projects, len(rows), waiting, todos)


def figures(ctx: Context, year: int) -> list[Attribution]:
    """The year's figures on each accounting line (完成投资, 招商引资实际到位资金), as of one
    moment: the user's own rows (a region) and the province totals."""
    return every_line(attribution, ctx, year)
