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

Each accounting line (Posting.indicator: 完成投资, 招商引资实际到位资金) has its own figures and
its own reconciliation. Funds in place are also split by source (境内区外 / 境外): postings do not
carry the source, so the split is read, in the same statement as the figures, from the source
balances now (FundsSourceBalance, a row per host and source) or from the source moves recorded
with the postings as of a past time (FundsSourceMove, summed per host); its parts sum to the
in-place figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.context import Context
from ledger.db import Prebuilt, settled
from ledger.domain.enums import FundsSource, Indicator
from ledger.domain.errors import Invalid
from ledger.domain.vocabulary import API_NOTICE
from ledger.models import Balance, FundsSourceBalance, FundsSourceMove, Posting, Region
from ledger.postings import balances
from ledger.postings.balances import SUMMED
from ledger.policy import attribution_scope, require_attribution_region
from ledger.queries.lookup import get_or_404
from ledger.queries.reference import below

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
    # Funds in place only: in_place by source (FundsSource → amount; the parts sum to in_place)
    sources: dict[str, int] | None = None

    @property
    def attributed(self) -> int:
        return self.in_place - self.ceded + self.credited

    def add(self, other: "RegionTotals") -> None:
        self.in_place += other.in_place
        self.ceded += other.ceded
        self.credited += other.credited
        # into self's own dict (a roll-up's copy, the totals'): a national roll-up adds
        # thousands, and a new dict for each cost more than the statement
        if other.sources is not None:
            if self.sources is None:
                self.sources = no_sources()
            mine = self.sources
            for source, amount in other.sources.items():
                mine[source] += amount


SOURCES = tuple(source.value for source in FundsSource)


def no_sources() -> dict[str, int]:
    return dict.fromkeys(SOURCES, 0)


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
    indicator: str = Indicator.COMPLETED_INVESTMENT

    @property
    def by_source(self) -> bool:
        """Whether the figures are split by source (funds in place)."""
        return self.totals.sources is not None


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


def _every_region(figures, on, sources: sa.Subquery | None = None) -> sa.Select:
    """Every region with its three summed figures from `figures` (0 without), and with
    `sources` its in-place figure by source (SOURCES order). Unordered: PostgreSQL sorts text
    by its collation (slow, and its order depends on the server), Python sorts the codes by
    their characters (code_order)."""
    joined = _REGIONS.outerjoin(figures, on)
    extra = []
    if sources is not None:
        joined = joined.outerjoin(sources, sources.c.code == _REGIONS.c.code)
        extra = [sa.func.coalesce(sources.c[s], 0) for s in SOURCES]
    return (sa.select(_REGIONS.c.code, _REGIONS.c.name, _REGIONS.c.level, _REGIONS.c.parent_code,
                      *(sa.func.coalesce(figures.c[f], 0) for f in SUMMED), *extra)
            .select_from(joined))


# The statements are built once, with bound parameters: building and hashing a select on every
# call cost more than a current attribution's own query.
_YEAR, _LINE, _AS_OF = (sa.bindparam("year", type_=sa.Integer), sa.bindparam("indicator"),
                        sa.bindparam("as_of", type_=Posting.recorded_at.type))


def _sources(as_of: bool) -> sa.Subquery:
    """(code, *SOURCES) per host: its in-place funds of the year by source, from the source
    balances now (a row per host and source), or summed from the source moves recorded at or
    before `as_of`."""
    table = (FundsSourceMove if as_of else FundsSourceBalance).__table__
    by = [sa.cast(sa.func.sum(sa.case((table.c.source == s, table.c.amount), else_=0)),
                  sa.BigInteger).label(s) for s in SOURCES]
    return (sa.select(table.c.host_code.label("code"), *by)
            .where(table.c.year == _YEAR, *([table.c.recorded_at <= _AS_OF] if as_of else []))
            .group_by(table.c.host_code).subquery("sources"))


def _current(by_source: bool) -> sa.Select:
    """Now: the running balances of a year on one line, one row per region already, nothing
    to sum (and on funds in place the split by source)."""
    return _every_region(_BALANCES, sa.and_(_BALANCES.c.region_code == _REGIONS.c.code,
                                            _BALANCES.c.year == _YEAR,
                                            _BALANCES.c.indicator == _LINE),
                         _sources(False) if by_source else None)


def _as_of_scan(by_source: bool) -> sa.Select:
    """One grouped pass over the year's postings as recorded at `as_of` (the host each posting
    chains, never the mutable projects table), summed per region in the database (and on funds
    in place the split by source as recorded then)."""
    groups = (sa.select(Posting.host_code, Posting.region_code, Posting.role,
                        sa.func.sum(Posting.amount).label("amount"))
              .where(Posting.year == _YEAR, Posting.indicator == _LINE,
                     Posting.recorded_at <= _AS_OF)
              .group_by(Posting.host_code, Posting.region_code, Posting.role).cte("groups"))
    per_region = balances.summed(groups)
    return _every_region(per_region, per_region.c.code == _REGIONS.c.code,
                         _sources(True) if by_source else None)


# (as of a past time, split by source) → the statement (Prebuilt: every GET of the
# attribution runs one)
_STATEMENTS = {(past, by_source): Prebuilt((_as_of_scan if past else _current)(by_source))
               for past in (False, True) for by_source in (False, True)}


def region_totals(session: Session, year: int, as_of: datetime | None = None,
                  indicator: str = Indicator.COMPLETED_INVESTMENT) -> dict[str, RegionTotals]:
    """code → the region's own figures (not rolled up) on one line, for every region: as
    recorded at `as_of` from the postings, or (as_of None) as recorded now from the running
    balances; on funds in place with their split by source."""
    params = {"year": year, "indicator": str(indicator)}
    by_source = indicator == Indicator.FUNDS_IN_PLACE
    query = _STATEMENTS[(as_of is not None, by_source)]
    if as_of is not None:
        params["as_of"] = as_of
    found = sorted(query.rows(session.connection(), params), key=code_order)
    if by_source:
        rows = {row[0]: RegionTotals(*row[:-len(SOURCES)],
                                     sources=dict(zip(SOURCES, row[-len(SOURCES):])))
                for row in found}
    else:  # (a dataclass built from a tuple: the cheapest way)
        rows = {row[0]: RegionTotals(*row) for row in found}
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
                           base.ceded, base.credited, rolled_up=True, children=list(base.children),
                           sources=None if base.sources is None else dict(base.sources))
        for child in base.children:  # a region without regions below adds its own figures
            out.add(rolled_up(rows, child, memo) if rows[child].children else rows[child])
        memo[code] = out
    return memo[code]


def grand_total(rows: dict[str, RegionTotals], by_source: bool = False) -> RegionTotals:
    out = RegionTotals("", "合计", "total", None, sources=no_sources() if by_source else None)
    for row in rows.values():
        out.add(row)
    return out


def region_rows(rows: dict[str, RegionTotals], scope: str | None) -> list[RegionTotals]:
    """The rows to show, in code order: every region (scope None) or `scope` and the regions
    below it; a region with regions below it is shown rolled up."""
    wanted = set(rows) if scope is None else {scope} | below(lambda c: rows[c].children, scope)
    memo: dict[str, RegionTotals] = {}
    return [rolled_up(rows, code, memo) if rows[code].children else rows[code]
            for code in sorted(wanted)]


def attribution(ctx: Context, year: int, as_of: datetime | None = None,
                region: str | None = None,
                indicator: str = Indicator.COMPLETED_INVESTMENT) -> Attribution:
    """Per region: in place (在地), ceded, credited and attributed (考核口径) on one accounting
    line for a year as recorded at `as_of`, with the province totals and the reconciliation
    line; funds in place also by source. A region user sees its own rows (and the totals)."""
    if region is not None:
        get_or_404(ctx.session, Region, region, "region")
    require_attribution_region(ctx.actor, region)
    scope = region or attribution_scope(ctx.actor)
    with settled(ctx.session) as session:
        moment = as_of_moment(ctx, as_of)
        # Now: the running balances (every writer has finished: settled); a past time: a scan.
        past = None if as_of is None else moment
        rows = region_totals(session, year, past, indicator)
    total = grand_total(rows, indicator == Indicator.FUNDS_IN_PLACE)
    return Attribution(year, moment, NOTICE, region_rows(rows, scope), total,
                       Reconciliation(total.in_place, total.attributed), Indicator(indicator))


def every_line(read, ctx: Context, year: int, as_of: datetime | None = None,
               first: str = Indicator.COMPLETED_INVESTMENT, **kw) -> list:
    """`read` (attribution, or queries.project_lines.project_lines) on every accounting line,
    in Indicator order: line `first` as asked, the others as of the time it was read, so all
    the figures are of one moment."""
    found = {first: read(ctx, year, as_of, indicator=first, **kw)}
    moment = found[first].as_of
    for line in Indicator:
        if line not in found:
            found[line] = read(ctx, year, moment, indicator=line, **kw)
    return [found[line] for line in Indicator]


def read_lines(read, ctx: Context, year: int, as_of: datetime | None, indicator: str,
               fmt: str, **kw) -> list:
    """What an answer of format `fmt` holds: the line asked for, or for an XLSX every line in
    order, read as of one time (every_line)."""
    if fmt != "xlsx":
        return [read(ctx, year, as_of, indicator=indicator, **kw)]
    return every_line(read, ctx, year, as_of, indicator, **kw)
