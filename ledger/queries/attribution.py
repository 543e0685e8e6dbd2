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
carry the source, so the split is read, in the same statement as the figures, from the balance
rows now (their in_place by source, kept with the source moves) or from the source moves
recorded with the postings as of a past time (FundsSourceMove, summed per host); its parts sum
to the in-place figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import NamedTuple
from weakref import WeakKeyDictionary

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.context import Context
from ledger.db import Prebuilt, settled
from ledger.domain.enums import FundsSource, Indicator
from ledger.domain.errors import Invalid
from ledger.domain.vocabulary import API_NOTICE
from ledger.models import Balance, FundsSourceMove, Posting, Region, RegionsVersion
from ledger.models.posting import BY_SOURCE
from ledger.postings import balances
from ledger.postings.balances import SUMMED
from ledger.policy import attribution_scope, require_attribution_region
from ledger.queries.lookup import get_or_404
from ledger.queries.reference import below, children

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
    children: tuple[str, ...] = ()
    # Funds in place only: in_place by source (FundsSource → amount; the parts sum to in_place)
    sources: dict[str, int] | None = None

    @property
    def attributed(self) -> int:
        return self.in_place - self.ceded + self.credited


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


class _Tree(NamedTuple):
    """Every region, (code, name, level, parent_code) in code order, and the codes right below
    each, as they stood under the regions' version `token` (RegionsVersion)."""
    token: int
    regions: tuple[tuple[str, str, str, str | None], ...]
    children: dict[str, tuple[str, ...]]


# The region tree per database, read again when the regions change: a 3,000-region
# attribution then reads only its figures (reading the regions with them cost a quarter of
# its time).
_TREES: WeakKeyDictionary[sa.Engine, _Tree] = WeakKeyDictionary()
_REGION_ROWS = Prebuilt(sa.select(_REGIONS.c.code, _REGIONS.c.name, _REGIONS.c.level,
                                  _REGIONS.c.parent_code))
_VERSION = RegionsVersion.__table__


def _tree(conn: sa.Connection, token: int | None) -> _Tree:
    """The region tree as the connection's transaction sees it, the regions' version being
    `token` (read in the same transaction; None, a database without it: not kept)."""
    tree = _TREES.get(conn.engine)
    if token is None or tree is None or tree.token != token:
        # Python sorts the codes by their characters; PostgreSQL would by its collation
        regions = tuple(sorted(_REGION_ROWS.rows(conn, {}), key=itemgetter(0)))
        under = children((code, parent) for code, _, _, parent in regions)
        tree = _Tree(token, regions, {code: tuple(c) for code, c in under.items()})
        if token is not None:
            _TREES[conn.engine] = tree
    return tree


def _figures(figures, code, sources=None, *where) -> sa.CompoundSelect:
    """(code, the three summed figures) of each region with figures in `figures` (column
    `code` names the region), and with `sources` (_sources_now or _sources_then) its in-place
    figure by source (SOURCES order); a region with funds by source has in-place funds, so a
    figures row. Then one row (None, the regions' version token, 0 …): whether the region
    tree read before still holds, without a statement (a round trip) of its own."""
    joined, split = figures, []
    if sources is not None:
        joined, split = sources(joined, code)
    found = (sa.select(code, *(figures.c[f] for f in SUMMED), *split)
             .select_from(joined).where(*where))
    version = sa.select(sa.null(), _VERSION.c.token,
                        *(sa.literal(0) for _ in (*SUMMED[1:], *split)))
    return sa.union_all(found, version)


# The statements are built once, with bound parameters: building and hashing a select on every
# call cost more than a current attribution's own query.
_YEAR, _LINE, _AS_OF = (sa.bindparam("year", type_=sa.Integer), sa.bindparam("indicator"),
                        sa.bindparam("as_of", type_=Posting.recorded_at.type))


def _sources_now(joined, code):
    """Each region's in-place funds of the year by source as they stand: in its balance row
    itself (Balance.in_place_domestic / _foreign), `joined` being the balances. → (joined, a
    column per source)."""
    return joined, [_BALANCES.c[BY_SOURCE[source]] for source in SOURCES]


def _sources_then(joined, code):
    """`joined` with each region's in-place funds of the year by source as recorded at
    `as_of`: its source moves recorded at or before then, summed per host (0 for a region
    without any: the join is outer). → (joined, a column per source)."""
    moves = FundsSourceMove.__table__
    by = [sa.cast(sa.func.sum(sa.case((moves.c.source == s, moves.c.amount), else_=0)),
                  sa.BigInteger).label(s) for s in SOURCES]
    summed = (sa.select(moves.c.host_code.label("code"), *by)
              .where(moves.c.year == _YEAR, moves.c.recorded_at <= _AS_OF)
              .group_by(moves.c.host_code).subquery("sources"))
    return (joined.outerjoin(summed, summed.c.code == code),
            [sa.func.coalesce(summed.c[s], 0) for s in SOURCES])


def _current(by_source: bool) -> sa.Select:
    """Now: the running balances of a year on one line, one row per region already, nothing
    to sum (and on funds in place the split by source)."""
    return _figures(_BALANCES, _BALANCES.c.region_code, _sources_now if by_source else None,
                    _BALANCES.c.year == _YEAR, _BALANCES.c.indicator == _LINE)


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
    return _figures(per_region, per_region.c.code, _sources_then if by_source else None)


# (as of a past time, split by source) → the statement (Prebuilt: every GET of the
# attribution runs one)
_STATEMENTS = {(past, by_source): Prebuilt((_as_of_scan if past else _current)(by_source))
               for past in (False, True) for by_source in (False, True)}


def region_totals(session: Session, year: int, as_of: datetime | None = None,
                  indicator: str = Indicator.COMPLETED_INVESTMENT) -> dict[str, RegionTotals]:
    """code → the region's own figures (not rolled up) on one line, for every region in code
    order: as recorded at `as_of` from the postings, or (as_of None) as recorded now from the
    running balances; on funds in place with their split by source."""
    conn = session.connection()
    params = {"year": year, "indicator": str(indicator)}
    if as_of is not None:
        params["as_of"] = as_of
    by_source = indicator == Indicator.FUNDS_IN_PLACE
    query = _STATEMENTS[(as_of is not None, by_source)]
    figures = {row[0]: row for row in query.rows(conn, params)}
    version = figures.pop(None, None)  # the version row (see _figures)
    tree = _tree(conn, None if version is None else version[1])
    none = (None, *(0 for _ in SUMMED), *(0 for _ in SOURCES if by_source))
    under, get, new = tree.children, figures.get, RegionTotals
    rows = {}
    # positional arguments and one loop per line: this runs for every region of the country
    if by_source:
        for code, name, level, parent in tree.regions:
            _, in_place, ceded, credited, *split = get(code, none)
            rows[code] = new(code, name, level, parent, in_place, ceded, credited, False,
                             under.get(code, ()), dict(zip(SOURCES, split)))
    else:
        for code, name, level, parent in tree.regions:
            _, in_place, ceded, credited = get(code, none)
            rows[code] = new(code, name, level, parent, in_place, ceded, credited, False,
                             under.get(code, ()))
    return rows


def rolled_up(rows: dict[str, RegionTotals], code: str,
              memo: dict[str, RegionTotals] | None = None) -> RegionTotals:
    """A region's own figures plus those of every region below it, each counted once (regions
    form a tree: a parent exists before its children and never changes). `memo` shares the
    sums of the regions below between calls, so rolling up every region is one pass."""
    memo = {} if memo is None else memo
    found = memo.get(code)
    if found is None:
        base = rows[code]
        in_place, ceded, credited, sources = _with(base, base.children, rows, memo)
        memo[code] = found = RegionTotals(base.code, base.name, base.level, base.parent_code,
                                          in_place, ceded, credited, True, base.children,
                                          sources)
    return found


def _with(base: RegionTotals, codes, rows: dict[str, RegionTotals],
          memo: dict[str, RegionTotals]) -> tuple[int, int, int, dict[str, int] | None]:
    """base's figures (in_place, ceded, credited, sources) plus the roll-ups of the regions
    `codes`, summed inline (a national roll-up adds thousands: a call or a new dict for each
    cost more than the statement)."""
    in_place, ceded, credited = base.in_place, base.ceded, base.credited
    sources = None if base.sources is None else dict(base.sources)
    for code in codes:  # a region without regions below adds its own figures
        part = rows[code]
        if part.children:
            part = rolled_up(rows, code, memo)
        in_place += part.in_place
        ceded += part.ceded
        credited += part.credited
        if sources is not None:
            for source, amount in part.sources.items():
                sources[source] += amount
    return in_place, ceded, credited, sources


def grand_total(rows: dict[str, RegionTotals], by_source: bool = False,
                memo: dict[str, RegionTotals] | None = None) -> RegionTotals:
    """Every region's own figures summed: the roll-ups of the regions at the top (`memo` as
    in rolled_up, shared with region_rows: the roll-up of every region is then done once)."""
    memo = {} if memo is None else memo
    top = [code for code, row in rows.items() if row.parent_code not in rows]
    zero = RegionTotals("", "合计", "total", None, sources=no_sources() if by_source else None)
    in_place, ceded, credited, sources = _with(zero, top, rows, memo)
    return RegionTotals("", "合计", "total", None, in_place, ceded, credited, sources=sources)


def region_rows(rows: dict[str, RegionTotals], scope: str | None,
                memo: dict[str, RegionTotals] | None = None) -> list[RegionTotals]:
    """The rows to show, in code order: every region (scope None) or `scope` and the regions
    below it; a region with regions below it is shown rolled up (`memo` as in rolled_up)."""
    codes = rows if scope is None else sorted({scope} | below(lambda c: rows[c].children, scope))
    memo = {} if memo is None else memo
    return [rolled_up(rows, code, memo) if rows[code].children else rows[code]
            for code in codes]


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
    memo: dict[str, RegionTotals] = {}
    total = grand_total(rows, indicator == Indicator.FUNDS_IN_PLACE, memo)
    return Attribution(year, moment, NOTICE, region_rows(rows, scope, memo), total,
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
