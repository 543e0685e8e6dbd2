"""Attribution totals per region and year, read from the postings (optionally as of a time).

All four figures come from the ledger, so an as-of answer never changes afterwards:
  in_place  = Σ postings of projects hosted in the region (every role: the 在地 figure)
  ceded     = Σ recommender postings of projects hosted in the region
  credited  = Σ recommender postings where the region is the recommender
  attributed = in_place − ceded + credited
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.models import Posting, Project, Region

FIGURES = ("in_place", "ceded", "credited", "attributed")


@dataclass
class RegionTotals:
    code: str
    name: str
    level: str
    parent_code: str | None
    in_place: int = 0
    ceded: int = 0
    credited: int = 0
    children: list[str] = field(default_factory=list)

    @property
    def attributed(self) -> int:
        return self.in_place - self.ceded + self.credited

    def add(self, other: "RegionTotals") -> None:
        self.in_place += other.in_place
        self.ceded += other.ceded
        self.credited += other.credited


def _scope(query, year: int, as_of: datetime | None):
    query = query.where(Posting.period.like(f"{year:04d}-%"))
    return query if as_of is None else query.where(Posting.recorded_at <= as_of)


def region_totals(session: Session, year: int, as_of: datetime | None = None) -> dict[str, RegionTotals]:
    """code → the region's own figures (not rolled up), for every region."""
    rows = {r.code: RegionTotals(r.code, r.name, r.level, r.parent_code)
            for r in session.scalars(sa.select(Region).order_by(Region.code))}
    hosted = _scope(
        sa.select(Project.host_code, Posting.role, sa.func.sum(Posting.amount))
        .join(Project, Project.id == Posting.project_id)
        .group_by(Project.host_code, Posting.role), year, as_of)
    for host, role, total in session.execute(hosted):
        rows[host].in_place += int(total)
        if role == "recommender":
            rows[host].ceded += int(total)
    credited = _scope(
        sa.select(Posting.region_code, sa.func.sum(Posting.amount))
        .where(Posting.role == "recommender").group_by(Posting.region_code), year, as_of)
    for code, total in session.execute(credited):
        rows[code].credited += int(total)
    for row in rows.values():
        if row.parent_code in rows:
            rows[row.parent_code].children.append(row.code)
    return rows


def rolled_up(rows: dict[str, RegionTotals], code: str) -> RegionTotals:
    """A region's own figures plus those of every region below it, each counted once."""
    base = rows[code]
    out = RegionTotals(base.code, base.name, base.level, base.parent_code)
    stack, seen = [code], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        out.add(rows[current])
        stack.extend(rows[current].children)
    return out


def grand_total(rows: dict[str, RegionTotals]) -> RegionTotals:
    out = RegionTotals("", "合计", "total", None)
    for row in rows.values():
        out.add(row)
    return out
