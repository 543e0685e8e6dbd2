"""Projects and their reports, as the user may see them."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ledger.context import Context
from ledger.domain import limits
from ledger.domain.enums import ProjectSide
from ledger.models import Agreement, InvestmentReport, Project
from ledger.policy import projects_seen_by
from ledger.queries.lookup import visible_project
from ledger.queries.pagination import Page, page_of
from ledger.queries.search import EXPORT_MAX, chunks, contains

def _recommended_by(region_code: str | None) -> sa.ColumnElement[bool]:
    return Project.id.in_(sa.select(Agreement.project_id).where(
        Agreement.is_live, Agreement.recommender_code == region_code))


def _query(ctx: Context, *, region: str | None = None, zone: int | None = None,
           stage: str | None = None, q: str | None = None, side: str | None = None) -> sa.Select:
    """The projects this user may see, filtered, newest first. `side` (ledger.domain.enums.
    ProjectSide) narrows within what the user sees: for an official, who hosts and recommends
    nothing, it leaves nothing."""
    query = sa.select(Project).where(projects_seen_by(ctx.actor)).order_by(Project.id.desc())
    if region:
        query = query.where(Project.host_code == region)
    if zone is not None:
        query = query.where(Project.zone_id == zone)
    if stage:
        query = query.where(Project.stage == stage)
    if q:
        query = query.where(contains(q, Project.name, Project.investor_name, Project.project_code))
    if side == ProjectSide.HOSTED:
        query = query.where(Project.host_code == ctx.actor.region_code)
    elif side == ProjectSide.RECOMMENDED:
        query = query.where(_recommended_by(ctx.actor.region_code))
    return query


def projects(ctx: Context, *, page: int = 1, page_size: int = limits.PAGE_SIZE_DEFAULT,
             **filters) -> Page[Project]:
    """One page of the projects `filters` select (see _query)."""
    return page_of(ctx.session, _query(ctx, **filters), page, page_size)


def project_rows(ctx: Context, **filters) -> list[Project]:
    """Every project `filters` select, newest first, at most EXPORT_MAX (an export)."""
    return list(ctx.session.scalars(_query(ctx, **filters).limit(EXPORT_MAX)))


def count(ctx: Context, **filters) -> int:
    query = _query(ctx, **filters).order_by(None).subquery()
    return ctx.session.scalar(sa.select(sa.func.count()).select_from(query))


@dataclass(frozen=True)
class Duplicates:
    """Projects with the same investor credit code and project name as a new one: those the
    user may see, and how many others exist (their details are not the user's to read)."""

    seen: list[Project]
    unseen: int

    def __bool__(self) -> bool:
        return bool(self.seen) or self.unseen > 0


def duplicates(ctx: Context, credit_code: str | None, name: str) -> Duplicates:
    """The projects a new one (`credit_code`, `name`) would repeat; none for an investor
    without a credit code (a foreign one)."""
    if not credit_code:
        return Duplicates([], 0)
    same = (sa.select(Project).where(Project.investor_credit_code == credit_code,
                                     Project.name == name).order_by(Project.id))
    seen = list(ctx.session.scalars(same.where(projects_seen_by(ctx.actor))))
    total = ctx.session.scalar(sa.select(sa.func.count()).select_from(same.subquery()))
    return Duplicates(seen, total - len(seen))


def names(ctx: Context, project_ids: set[int]) -> dict[int, str]:
    """The names of those of `project_ids` this user may see (an agreement's recommender whose
    chain ended no longer sees its project: docs/domain.md)."""
    found: dict[int, str] = {}
    for part in chunks(project_ids):
        found.update(ctx.session.execute(sa.select(Project.id, Project.name).where(
            Project.id.in_(part), projects_seen_by(ctx.actor))).all())
    return found


def project(ctx: Context, project_id: int) -> Project:
    return visible_project(ctx.session, ctx.actor, project_id)


def reports(ctx: Context, project_id: int, year: int | None = None) -> list[InvestmentReport]:
    """Every revision of every month (optionally of one year), oldest first."""
    found = visible_project(ctx.session, ctx.actor, project_id)
    query = sa.select(InvestmentReport).where(InvestmentReport.project_id == found.id)
    if year is not None:
        query = query.where(InvestmentReport.year == year)
    return list(ctx.session.scalars(query.order_by(InvestmentReport.period,
                                                   InvestmentReport.revision)))
