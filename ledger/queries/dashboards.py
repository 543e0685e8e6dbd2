"""What each role's start page counts: a region's projects and the agreements waiting for it,
the filing bodies' queue, and a party's agreements whose filing a closed year now holds up."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ledger.context import Context
from ledger.domain.enums import Role
from ledger.models import Project
from ledger.policy import projects_seen_by
from ledger.queries.agreements import newest_versions, waits_for
from ledger.queries.attribution import Attribution, attribution, every_line
from ledger.queries.checklist import ClosedYearTodo, closed_year_todos


@dataclass(frozen=True)
class Counts:
    projects: int
    agreements: int
    waiting: list[int]  # ids of the agreements whose newest version waits for this user
    # A party's agreements not filed that cover a closed year (its checklist named them)
    closed_years: list[ClosedYearTodo]


def counts(ctx: Context) -> Counts:
    projects = ctx.session.scalar(sa.select(sa.func.count()).select_from(Project)
                                  .where(projects_seen_by(ctx.actor)))
    rows = list(newest_versions(ctx))
    todos = closed_year_todos(ctx.session, ctx.actor) if ctx.actor.role == Role.REGION else []
    waiting = [a.id for a, v, filed in rows if waits_for(ctx, a, v, filed)]
    return Counts(projects, len(rows), waiting, todos)


def figures(ctx: Context, year: int) -> list[Attribution]:
    """The year's figures on each accounting line (完成投资, 招商引资实际到位资金), as of one
    moment: the user's own rows (a region) and the province totals."""
    return every_line(attribution, ctx, year)
