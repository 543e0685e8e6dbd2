"""Attribution totals per region and year, read from the postings, optionally as recorded at a
past time — the read model behind the API, the exports, the annual statement and the UI.

All four figures come from the chained postings, so an as-of answer never changes afterwards
and no edit of another table moves them:
  in_place   = Σ postings of projects hosted in the region (every role: the 在地 figure)
  ceded      = Σ recommender postings of projects hosted in the region
  credited   = Σ recommender postings where the region is the recommender
  attributed = in_place − ceded + credited
A region with regions below it is shown rolled up (its own figures plus theirs, each once).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.context import Context
from ledger.db import settled
from ledger.domain.enums import PostingRole
from ledger.domain.errors import Invalid
from ledger.models import Balance, Posting, Region
from ledger.policy import attribution_scope, require_attribution_region
from ledger.queries.lookup import get_or_404

NOTICE = ("仅用于年度绩效考核 — for the annual performance assessment only; "
          "official statistics count investment in place.")
SUMMED = ("in_place", "ceded", "credited")  # summed from the postings; attributed follows
FIGURES = (*SUMMED, "attributed")


@dataclass
class RegionTotals:
    code: str
    name: str
    level: str
    parent_code: str | None
    in_place: int = 0
    ceded: int = 0
    credited: int = 0
    rolled_up: bool = False  # the figures include every region below this one
    children: list[str] = field(default_factory=list)

    @property
    def attributed(self) -> int:
        return self.in_place - self.ceded + self.credited

    def add(self, other: "RegionTotals") -> None:
        self.in_place += other.in_place
        self.ceded += other.ceded
        self.credited += other.credited


@dataclass(frozen=True)
class Reconciliation:
    in_place: int
    attributed: int

    @property
    def difference(self) -> int:
        return self.attributed - self.in_place


@dataclass(frozen=True)
class Attribution:
    year: int
    as_of: datetime
    notice: str
    regions: list[RegionTotals]
    totals: RegionTotals
    reconciliation: Reconciliation


def in_year(query, year: int, as_of: datetime | None):
    """Restrict a posting query to one year, as recorded at `as_of`."""
    query = query.where(Posting.year == year)
    return query if as_of is None else query.where(Posting.recorded_at <= as_of)


def as_of_moment(ctx: Context, as_of: datetime | None) -> datetime:
    """`as_of` (default: now). A future time is refused: its answer could still change."""
    now = ctx.now()
    if as_of is not None and as_of > now:
        raise Invalid("as_of.future", field="as_of")
    return as_of or now


def _figures(groups) -> sa.Select:
    """Every region with its own in_place, ceded and credited, summed in the database from
    `groups` (host_code, region_code, role, amount): each group adds to its host's in_place, and
    a recommender group also to its host's ceded and its region's credited."""
    recommender = groups.c.role == PostingRole.RECOMMENDER
    moves = sa.union_all(
        sa.select(groups.c.host_code.label("code"), groups.c.amount.label("in_place"),
                  sa.case((recommender, groups.c.amount), else_=0).label("ceded"),
                  sa.literal(0).label("credited")),
        sa.select(groups.c.region_code, sa.literal(0), sa.literal(0), groups.c.amount)
        .where(recommender)).subquery()
    per_region = (sa.select(moves.c.code, *(sa.func.sum(moves.c[f]).label(f) for f in SUMMED))
                  .group_by(moves.c.code).subquery())
    regions = Region.__table__
    return (sa.select(regions.c.code, regions.c.name, regions.c.level, regions.c.parent_code,
                      *(sa.func.coalesce(per_region.c[f], 0) for f in SUMMED))
            .select_from(regions.outerjoin(per_region, per_region.c.code == regions.c.code))
            .order_by(regions.c.code))


def region_totals(session: Session, year: int, as_of: datetime | None = None) -> dict[str, RegionTotals]:
    """code → the region's own figures (not rolled up), for every region: as recorded at
    `as_of` from the postings, or (as_of None) as recorded now from the running balances.
    Summed in the database: a national ledger has thousands of regions and ten thousand groups."""
    if as_of is None:  # the running balances: one row per (host, region, role) already, read
        # in place by each use (a subquery the database flattens)
        groups = (sa.select(Balance.host_code, Balance.region_code, Balance.role, Balance.amount)
                  .where(Balance.year == year).subquery("groups"))
    else:  # one pass over the year's postings (the host each posting chains, never the
        # mutable projects table), materialized once for both uses above
        groups = in_year(
            sa.select(Posting.host_code, Posting.region_code, Posting.role,
                      sa.func.sum(Posting.amount).label("amount"))
            .group_by(Posting.host_code, Posting.region_code, Posting.role), year, as_of).cte("groups")
    rows = {code: RegionTotals(code, name, level, parent, int(in_place), int(ceded), int(credited))
            for code, name, level, parent, in_place, ceded, credited
            in session.connection().execute(_figures(groups))}
    for row in rows.values():
        if row.parent_code in rows:
            rows[row.parent_code].children.append(row.code)
    return rows


def rolled_up(rows: dict[str, RegionTotals], code: str) -> RegionTotals:
    """A region's own figures plus those of every region below it, each counted once."""
    base = rows[code]
    out = RegionTotals(base.code, base.name, base.level, base.parent_code, rolled_up=True,
                       children=list(base.children))
    for current in {code} | _descendants(rows, code):
        out.add(rows[current])
    return out


def grand_total(rows: dict[str, RegionTotals]) -> RegionTotals:
    out = RegionTotals("", "合计", "total", None)
    for row in rows.values():
        out.add(row)
    return out


def region_rows(rows: dict[str, RegionTotals], scope: str | None) -> list[RegionTotals]:
    """The rows to show, in code order: every region (scope None) or `scope` and the regions
    below it; a region with regions below it is shown rolled up."""
    wanted = set(rows) if scope is None else {scope} | _descendants(rows, scope)
    return [rolled_up(rows, code) if rows[code].children else rows[code] for code in sorted(wanted)]


def _descendants(rows: dict[str, RegionTotals], code: str) -> set[str]:
    out, stack = set(), list(rows[code].children)
    while stack:
        current = stack.pop()
        if current not in out:
            out.add(current)
            stack.extend(rows[current].children)
    return out


def attribution(ctx: Context, year: int, as_of: datetime | None = None,
                region: str | None = None) -> Attribution:
    """Per region: in place (在地), ceded, credited and attributed (考核口径) for a year as
    recorded at `as_of`, with the province totals and the reconciliation line. A region user
    sees its own rows (and the totals)."""
    if region is not None:
        get_or_404(ctx.session, Region, region, "region")
    require_attribution_region(ctx.actor, region)
    scope = region or attribution_scope(ctx.actor)
    with settled(ctx.session) as session:
        moment = as_of_moment(ctx, as_of)
        # Now: the running balances (every writer has finished: settled); a past time: a scan.
        rows = region_totals(session, year, None if as_of is None else moment)
    total = grand_total(rows)
    return Attribution(year, moment, NOTICE, region_rows(rows, scope), total,
                       Reconciliation(total.in_place, total.attributed))
