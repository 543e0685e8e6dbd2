"""Projects and their reports, as the user may see them."""

from __future__ import annotations

import sqlalchemy as sa

from ledger.context import Context
from ledger.domain import limits
from ledger.models import InvestmentReport, Project
from ledger.policy import projects_seen_by
from ledger.queries.lookup import visible_project
from ledger.queries.pagination import Page, page_of


LIKE_ESCAPE = "\\"


def _like(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its own % and _ taken literally (q=% once
    matched every project)."""
    escaped = (text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%")
               .replace("_", LIKE_ESCAPE + "_"))
    return f"%{escaped}%"


def projects(ctx: Context, *, region: str | None = None, zone: int | None = None,
             stage: str | None = None, q: str | None = None, page: int = 1,
             page_size: int = limits.PAGE_SIZE_DEFAULT) -> Page[Project]:
    """The projects this user may see, filtered, newest first."""
    query = sa.select(Project).where(projects_seen_by(ctx.actor)).order_by(Project.id.desc())
    if region:
        query = query.where(Project.host_code == region)
    if zone is not None:
        query = query.where(Project.zone_id == zone)
    if stage:
        query = query.where(Project.stage == stage)
    if q:
        pattern = _like(q)
        query = query.where(sa.or_(*(column.like(pattern, escape=LIKE_ESCAPE) for column in (
            Project.name, Project.investor_name, Project.project_code))))
    return page_of(ctx.session, query, page, page_size)


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
