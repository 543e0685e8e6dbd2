"""Zones as the web pages show them: the zones a region may register projects in, and each
zone's leading-industry share — the implementation plan asks every zone to reach 60% of its
completed investment in its leading industries (主导产业)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ledger.context import Context
from ledger.db import settled
from ledger.domain import codes
from ledger.models import Posting, Project, Zone
from ledger.policy import attribution_scope
from ledger.queries.attribution import in_year

# The plan's target: at least 60% of a zone's completed investment in its leading industries.
LEADING_SHARE_TARGET = 60  # percent


@dataclass(frozen=True)
class ZoneShare:
    zone_id: int
    name: str
    region_code: str
    leading_industries: list[str]
    total: int    # completed investment of the zone's projects in the year, 0.01万元
    leading: int  # of which projects whose industry is one of the zone's leading industries
    projects: int
    leading_projects: int

    @property
    def share_bp(self) -> int | None:
        """The leading share in basis points, rounded down (None without investment)."""
        return None if self.total == 0 else self.leading * 10000 // self.total

    @property
    def reaches_target(self) -> bool | None:
        """Exact: leading / total ≥ 60 %, compared in integers."""
        return None if self.total == 0 else self.leading * 100 >= self.total * LEADING_SHARE_TARGET


def zones_of_region(ctx: Context, region_code: str) -> list[Zone]:
    """The zones hosted by a region (where it registers its projects)."""
    return list(ctx.session.scalars(sa.select(Zone).where(Zone.region_code == region_code)
                                    .order_by(Zone.id)))


def leading_shares(ctx: Context, year: int) -> list[ZoneShare]:
    """Per zone, the year's completed investment (Σ of its projects' postings, which equals their
    reported amounts) and the part of it in the zone's leading industries. A region sees the
    zones it hosts; officials every zone."""
    scope = attribution_scope(ctx.actor)
    with settled(ctx.session) as session:
        zones = sa.select(Zone).order_by(Zone.id)
        if scope is not None:
            zones = zones.where(Zone.region_code == scope)
        per_project = in_year(
            sa.select(Project.zone_id, Project.industry_code, sa.func.sum(Posting.amount))
            .join(Project, Project.id == Posting.project_id)
            .group_by(Project.id, Project.zone_id, Project.industry_code), year, None)
        sums: dict[int, list[tuple[str, int]]] = {}
        for zone_id, industry, total in session.execute(per_project):
            sums.setdefault(zone_id, []).append((industry, int(total)))
        out = []
        for zone in session.scalars(zones):
            rows = sums.get(zone.id, [])
            leading = [amount for industry, amount in rows
                       if codes.best_cover_length(zone.leading_industries, industry) is not None]
            out.append(ZoneShare(zone.id, zone.name, zone.region_code, list(zone.leading_industries),
                                 sum(a for _, a in rows), sum(leading), len(rows), len(leading)))
    return out
