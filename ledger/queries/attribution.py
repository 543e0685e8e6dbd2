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


def region_totals(session: Session, year: int, as_of: datetime | None = None) -> dict[str, RegionTotals]:
    """code → the region's own figures (not rolled up), for every region: as recorded at
    `as_of` from the postings, or (as_of None) as recorded now from the running balances."""
    rows = {r.code: RegionTotals(r.code, r.name, r.level, r.parent_code)
            for r in session.execute(sa.select(Region.code, Region.name, Region.level,
                                               Region.parent_code).order_by(Region.code))}
    # One grouped read: each (host, region, role) group holds both figures a recommender
    # posting moves (the host's ceded, the region's credited). The host is the one each posting
    # chains, never the mutable projects table.
    if as_of is None:  # the running balances: already one row per group
        groups = sa.select(Balance.host_code, Balance.region_code, Balance.role,
                           Balance.amount).where(Balance.year == year)
    else:  # one pass over the year's postings
        groups = in_year(
            sa.select(Posting.host_code, Posting.region_code, Posting.role, sa.func.sum(Posting.amount))
            .group_by(Posting.host_code, Posting.region_code, Posting.role), year, as_of)
    for host, region, role, total in session.execute(groups):
        rows[host].in_place += int(total)
        if role == PostingRole.RECOMMENDER:
            rows[host].ceded += int(total)
            rows[region].credited += int(total)
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
