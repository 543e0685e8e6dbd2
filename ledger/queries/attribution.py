"""Attribution totals per region and year, read from the postings, optionally as recorded at a
past time — the read model behind the API, the exports, the annual statement and the UI.

All four figures come from the chained postings, so an as-of answer never changes afterwards
and no edit of another table moves them:
  in_place   = Σ postings of projects hosted in the region (every role: the 在地 figure)
  ceded      = Σ recommender postings of projects hosted in the region
  credited   = Σ recommender postings where the region is the recommender
  attributed = in_place − ceded + credited
(the rule in code: ledger/postings/balances.py). Now: the running balances, one row a region;
as of a past time: a scan of the year's postings. Both are equal (tests, `ledger verify`).
A region with regions below it is shown rolled up (its own figures plus theirs, each once).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.context import Context
from ledger.db import settled
from ledger.domain.enums import Indicator
from ledger.domain.errors import Invalid
from ledger.domain.vocabulary import API_NOTICE
from ledger.models import Balance, Posting, Region
from ledger.postings import balances
from ledger.postings.balances import SUMMED
from ledger.policy import attribution_scope, require_attribution_region
from ledger.queries.lookup import get_or_404

NOTICE = API_NOTICE
FIGURES = (*SUMMED, "attributed")  # attributed follows from the summed three


@dataclass(slots=True)
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


def in_year(query, year: int, as_of: datetime | None,
            indicator: str = Indicator.COMPLETED_INVESTMENT):
    """Restrict a posting query to one year and accounting line, as recorded at `as_of`."""
    query = query.where(Posting.year == year, Posting.indicator == indicator)
    return query if as_of is None else query.where(Posting.recorded_at <= as_of)


def as_of_moment(ctx: Context, as_of: datetime | None) -> datetime:
    """`as_of` (default: now). A future time is refused: its answer could still change."""
    now = ctx.now()
    if as_of is not None and as_of > now:
        raise Invalid("as_of.future", field="as_of")
    return as_of or now


_REGIONS, _BALANCES = Region.__table__, Balance.__table__
code_order = itemgetter(0)  # rows by region code, the first column of _every_region


def _every_region(figures, on) -> sa.Select:
    """Every region with its three summed figures from `figures` (0 without). Unordered:
    PostgreSQL sorts text by its collation (slow, and its order depends on the server),
    Python sorts the codes by their characters (code_order)."""
    return (sa.select(_REGIONS.c.code, _REGIONS.c.name, _REGIONS.c.level, _REGIONS.c.parent_code,
                      *(sa.func.coalesce(figures.c[f], 0) for f in SUMMED))
            .select_from(_REGIONS.outerjoin(figures, on)))


def _current(year: int, indicator: str) -> sa.Select:
    """The running balances of `year` on one line: one row per region already, nothing to sum."""
    return _every_region(_BALANCES, sa.and_(_BALANCES.c.region_code == _REGIONS.c.code,
                                            _BALANCES.c.year == year,
                                            _BALANCES.c.indicator == indicator))


def _as_of(year: int, as_of: datetime, indicator: str) -> sa.Select:
    """One grouped pass over the year's postings as recorded at `as_of` (the host each posting
    chains, never the mutable projects table), summed per region in the database."""
    groups = in_year(
        sa.select(Posting.host_code, Posting.region_code, Posting.role,
                  sa.func.sum(Posting.amount).label("amount"))
        .group_by(Posting.host_code, Posting.region_code, Posting.role), year, as_of,
        indicator).cte("groups")
    per_region = balances.summed(groups)
    return _every_region(per_region, per_region.c.code == _REGIONS.c.code)


def region_totals(session: Session, year: int, as_of: datetime | None = None,
                  indicator: str = Indicator.COMPLETED_INVESTMENT) -> dict[str, RegionTotals]:
    """code → the region's own figures (not rolled up) on one line, for every region: as
    recorded at `as_of` from the postings, or (as_of None) as recorded now from the running
    balances."""
    query = _current(year, indicator) if as_of is None else _as_of(year, as_of, indicator)
    rows = {row[0]: RegionTotals(*row)  # (a dataclass built from a tuple: the cheapest way)
            for row in sorted(session.connection().execute(query).all(), key=code_order)}
    for row in rows.values():
        if row.parent_code in rows:
            rows[row.parent_code].children.append(row.code)
    return rows


def rolled_up(rows: dict[str, RegionTotals], code: str,
              memo: dict[str, RegionTotals] | None = None) -> RegionTotals:
    """A region's own figures plus those of every region below it, each counted once (regions
    form a tree: a parent exists before its children and never changes). `memo` shares the
    sums of the regions below between calls, so rolling up every region is one pass."""
    memo = {} if memo is None else memo
    if code not in memo:
        base = rows[code]
        out = RegionTotals(base.code, base.name, base.level, base.parent_code, base.in_place,
                           base.ceded, base.credited, rolled_up=True, children=list(base.children))
        for child in base.children:  # a region without regions below adds its own figures
            out.add(rolled_up(rows, child, memo) if rows[child].children else rows[child])
        memo[code] = out
    return memo[code]


def grand_total(rows: dict[str, RegionTotals]) -> RegionTotals:
    out = RegionTotals("", "合计", "total", None)
    for row in rows.values():
        out.add(row)
    return out


def region_rows(rows: dict[str, RegionTotals], scope: str | None) -> list[RegionTotals]:
    """The rows to show, in code order: every region (scope None) or `scope` and the regions
    below it; a region with regions below it is shown rolled up."""
    wanted = set(rows) if scope is None else {scope} | _descendants(rows, scope)
    memo: dict[str, RegionTotals] = {}
    return [rolled_up(rows, code, memo) if rows[code].children else rows[code]
            for code in sorted(wanted)]


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
