"""Completed investment (完成投资): the one path of a monthly report, by the host region.

A report comes alone (PUT …/investments/{period}), a few at a time (a year's month grid) or
by the thousand (an import file, ledger.commands.imports); each is a batch of rows going
through the same three steps, in one transaction:

  check(ctx, rows, may_report) → (checked, refusals)   every rule, every problem of every row
  prepare(ctx, checked) → Prepared       every affected project-year reconciled once, set-based
  write(ctx, prepared) → Written         the reports, then their postings and one journal
                                         entry per report, by the appender (postings.Append)

check and prepare only read; they run before the write lock (read_then_lock_heads redoes them
under the lock if a writer committed meanwhile). A single report raises its first refusal; an
import raises them all, each named by row and column. A second reported figure (funds in
place, per receipt) is meant to be a second input of the same shape: its own rows, rules and
table, the same Refusal, Summary, transaction (`submit`) and appender.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from json.encoder import encode_basestring as _text  # journal.canonical's escaping
from types import SimpleNamespace
from typing import NamedTuple

import sqlalchemy as sa

from ledger import postings
from ledger.commands.batch import Known, Refusal, acting_on, seen, visible
from ledger.commands.common import read_then_lock_heads, who
from ledger.commands.inputs import ReportInput, ReportRow
from ledger.context import Context
from ledger.db import Prebuilt, holds_write_lock, insert_returning, insert_rows, writing
from ledger.domain import dates, stages
from ledger.domain import workflow
from ledger.domain.coverage import Term
from ledger.domain.enums import Indicator, YearStatus
from ledger.domain.errors import Conflict, DomainError, Invalid, Problem
from ledger.domain.money import format_amount
from ledger.domain.periods import period_of, year_of
from ledger.models import (
    Agreement, AgreementVersion, AssessmentYear, InvestmentReport, Posting, Project,
)
from ledger.policy import Actor, is_host
from ledger.postings.reconcile import Terms, planned as plan_read
from ledger.postings.journal import HEAD_COLUMNS, Canonical, Heads, heads_of
from ledger.domain.limits import CHUNK

BATCH_ROWS = 5000  # rows written between two progress reports (they only bound memory)

MayReport = Callable[[Actor, str], bool]  # (actor, host_code) → may report for the project
Progress = Callable[[int, int], None]     # (rows written so far, rows to write)


# ------------------------------------------------------------------ what the steps hand on

class Revision(NamedTuple):
    """The newest revision of a month, as a report is checked against it."""

    id: int
    revision: int
    amount: int


class Checked(NamedTuple):
    """A row that passed every check (the project visible, the user may report for it, landed,
    the month neither in the future nor before the project started, one row per project and
    month, the year open if the row changes it), with the newest revision of its month. A named
    tuple, as the rows it comes from: one a row of an import."""

    project_id: int
    period: str
    amount: int
    note: str
    previous: Revision | None

    @property
    def year(self) -> int:
        return year_of(self.period)

    @property
    def changes(self) -> bool:
        """False when the amount equals the newest revision's: nothing is written."""
        return self.previous is None or self.previous.amount != self.amount

    @property
    def revision(self) -> int:
        """The revision number this report gets."""
        return 1 if self.previous is None else self.previous.revision + 1


@dataclass
class Summary:
    rows: int = 0        # rows in the batch
    created: int = 0     # months reported for the first time (revision 1)
    revised: int = 0     # months given a new revision
    unchanged: int = 0   # equal to the newest revision: nothing written
    postings: int = 0    # postings appended


@dataclass
class Prepared:
    """The checked rows that change their month, grouped by project-year (in the order first
    seen), and the postings each project-year needs, read before anything is written."""

    checked: list[Checked]
    groups: dict[tuple[int, int], list[Checked]]
    planned: dict[tuple[int, int], postings.Planned]
    now: datetime
    heads: Heads | None = None  # the chains' heads, when read with the rest under the lock


@dataclass
class Written:
    summary: Summary
    reports: list[dict]  # the rows written, in the order of the changing checked rows
    # by project-year, the postings written (`returning` only, as the reports' rows: an import
    # counts them, and keeping its tens of thousands of rows to the end cost a collection)
    postings: dict[tuple[int, int], list[dict]] = field(default_factory=dict)


@dataclass
class ReportResult:
    """The report's row and its postings' rows as attributes (their columns), not ORM objects:
    the rows as written, or the newest revision as read."""

    report: SimpleNamespace
    created: bool  # False: the amount equalled the newest revision, nothing was written
    postings: list[SimpleNamespace] = field(default_factory=list)


# ------------------------------------------------------------------ single reports

def report_investment(ctx: Context, inp: ReportInput) -> ReportResult:
    """Report (or revise) one month. The same amount again is a no-op."""
    return report_investments(ctx, [inp])[0]


def report_investments(ctx: Context, reports: Sequence[ReportInput]) -> list[ReportResult]:
    """Report some months of the host's projects at once (a year's grid): all or nothing; the
    first refusal is raised, as it would be for the first bad one sent alone."""
    rows = [ReportRow(n, r.period, r.amount, r.project_id, None, r.note)
            for n, r in enumerate(reports, start=1)]

    def refuse(refusals: list[Refusal]) -> None:
        if refusals:
            raise refusals[0].error

    # the answer read in the same transaction; the lock taken at the start: a few reads of a
    # few rows, which then need no check that the journal stood still (read_then_lock_heads)
    with writing(ctx.session):
        checked, written = submit(ctx, rows, is_host, refuse, returning=True)
        made = iter(written.reports)
        results = []
        for c in checked:
            if c.changes:
                posted = written.postings[(c.project_id, c.year)]
                results.append(ReportResult(SimpleNamespace(**next(made)), created=True,
                                            postings=[SimpleNamespace(**p) for p in posted]))
            else:  # the newest revision, as it stands
                row = ctx.session.connection().execute(_BY_ID, {"id": c.previous.id}).one()
                results.append(ReportResult(SimpleNamespace(**row._mapping), created=False))
    return results


def report_problems(ctx: Context, reports: Sequence[ReportInput]) -> dict[int, list[Problem]]:
    """Every refusal report_investments would meet, by the position of its report (0 = the
    first), read without writing: the month grid shows each in the cell of its month, all in
    one submit (report_investments checks them again under its lock)."""
    if not reports:
        return {}
    rows = [ReportRow(n, r.period, r.amount, r.project_id, None, r.note)
            for n, r in enumerate(reports, start=1)]
    _, refusals = check(ctx, rows, is_host)
    problems: dict[int, list[Problem]] = {}
    for refusal in refusals:
        problems.setdefault(refusal.row - 1, []).append(refusal.error.message)
    return problems


# ------------------------------------------------------------------ the pipeline

def submit(ctx: Context, rows: Sequence[ReportRow], may_report: MayReport,
           refuse: Callable[[list[Refusal]], None], *, returning: bool = False,
           progress: Progress | None = None) -> tuple[list[Checked], Written]:
    """Check, plan and write a batch in one write transaction. `refuse(refusals)` raises if
    the batch may not be written (a single report its first refusal, an import all of them and
    those of the file); `returning`: the written rows are kept in Written, the reports' with
    their ids (a single report answers with its row and postings; an import only counts)."""
    with writing(ctx.session, late_lock=True) as session:
        def read() -> tuple[list[Checked], Prepared]:
            checked, refusals, newest = _check(ctx, rows, may_report)
            refuse(refusals)
            return checked, prepare(ctx, checked, newest)

        (checked, prepared), heads = read_then_lock_heads(session, read)
        written = write(ctx, prepared, heads or prepared.heads, returning=returning,
                        progress=progress)
        written.summary.rows = len(rows)
        written.summary.unchanged = len(checked) - len(prepared.checked)
    return checked, written


def check(ctx: Context, rows: Sequence[ReportRow], may_report: MayReport
          ) -> tuple[list[Checked], list[Refusal]]:
    """Every rule of every row, every problem collected (in the order of the rows, and within
    a row in the order below); reads only. A project the user may not see is refused exactly
    like one that does not exist."""
    return _check(ctx, rows, may_report)[:2]


def _check(ctx: Context, rows: Sequence[ReportRow], may_report: MayReport
           ) -> tuple[list[Checked], list[Refusal], dict[tuple[int, str], Revision] | AtOnce]:
    """check, and what it read that prepare plans from instead of reading it again: the
    newest revision of every reported month of the rows' projects and years, or all that a
    few rows need, read at once (_at_once)."""
    read = _at_once(ctx, rows)
    if read is None:
        by_id, by_code = visible(ctx, rows)
        newest = _newest(ctx, {p.id for p in by_id.values()} | {p.id for p in by_code.values()},
                         {year_of(r.period) for r in rows})
        closed = postings.closed_years(ctx.session)
    else:
        by_id, by_code, newest, closed = read.by_id, {}, read.newest, read.closed
    today = ctx.today()
    refusals: list[Refusal] = []
    checked: list[Checked] = []
    first_row: dict[tuple[int, str], int] = {}
    # What every row of a month or of a project shares, worked out once: a batch repeats
    # both. A row naming by id a project the user may report for, landed, in a month neither
    # future nor before the start passes every rule of its own (the general case below would
    # find nothing); only the rules between rows (a month twice, a closed year) remain.
    months: dict[str, tuple[bool, int]] = {}    # period → (in the future, its year)
    clear: dict[int, tuple[Known, str] | None] = {}  # project id → (project, start) or None
    for row in rows:
        period = row.period
        month = months.get(period)
        if month is None:
            month = months[period] = (dates.future_period(period, today), year_of(period))
        future, year = month
        fits = None
        if not future and row.project_code is None:
            if row.project_id in clear:
                fits = clear[row.project_id]
            else:
                fits = clear[row.project_id] = _clear(ctx, by_id.get(row.project_id),
                                                      may_report)
        if fits is not None and period >= fits[1]:
            project, column = fits[0], "project_id"
        else:
            def refuse(field_: str, error: DomainError) -> None:
                refusals.append(Refusal(row.row, field_, error))

            if future:
                refuse("period", Invalid("period.future", field="period"))
            found = acting_on(ctx, row, by_id, by_code, may_report, refuse)
            if found is None:
                continue
            project, column = found
            if not stages.landed(project.stage):
                refuse(column, Conflict("report.not_landed", stage=project.stage))
            elif stages.before_start(period, project.started_on):
                refuse("period", Conflict("report.before_start", field="period",
                                          started=period_of(project.started_on)))
        key = (project.id, period)
        if key in first_row:
            refusals.append(Refusal(row.row, column, Invalid(
                "import.duplicate_row", field=column, row=first_row[key])))
        else:
            first_row[key] = row.row
        report = Checked(project.id, period, row.amount, row.note, newest.get(key))
        if year in closed and report.changes:
            refusals.append(Refusal(row.row, "period", Conflict("year.closed", field="period",
                                                                year=year)))
        checked.append(report)
    return checked, refusals, newest if read is None else read


def _clear(ctx: Context, project: Known | None, may_report: MayReport
           ) -> tuple[Known, str] | None:
    """A project found by id that its rows pass on (the user may report for it, it is
    landed), with the first month they may report ("" when it has no start); else None:
    its rows go through every rule one by one, which refuses them."""
    if project is None or not may_report(ctx.actor, project.host_code) \
            or not stages.landed(project.stage):
        return None
    return project, "" if project.started_on is None else period_of(project.started_on)


def prepare(ctx: Context, checked: Sequence[Checked],
            read: dict[tuple[int, str], Revision] | AtOnce | None = None) -> Prepared:
    """Plan the writes of the checked rows that change their month: every project-year they
    touch reconciled at once from set-based reads (postings.plan) with the new amounts.
    `read`: what check read — the months' newest revisions (plan reads the rest), or all
    that plan needs (_at_once); None: plan reads it all."""
    changing = [c for c in checked if c.changes]
    groups: dict[tuple[int, int], list[Checked]] = {}
    for c in changing:
        groups.setdefault((c.project_id, c.year), []).append(c)
    incoming = {key: {c.period: c.amount for c in group} for key, group in groups.items()}
    lines = (Indicator.COMPLETED_INVESTMENT,)
    heads = None
    if isinstance(read, AtOnce):
        # read with the rest: usable when that was under the lock
        heads = read.heads if holds_write_lock(ctx.session) else None
        hosts = {project_id: known.host_code for project_id, known in read.by_id.items()}
        planned = plan_read(list(groups), lines, hosts, read.agreements, {}, read.posted,
                            {key: r.amount for key, r in read.newest.items()}, incoming)
    else:
        planned = postings.plan(ctx.session, list(groups), incoming, lines=lines,
                                newest=None if read is None else {
                                    key: r.amount for key, r in read.items()})
    return Prepared(changing, groups, {(p.project_id, p.year): p for p in planned}, ctx.now(),
                    heads)


_reports = InvestmentReport.__table__
_BY_ID = sa.select(_reports).where(_reports.c.id == sa.bindparam("id"))


def write(ctx: Context, prepared: Prepared, heads: Heads | None = None, *, returning: bool = False,
          progress: Progress | None = None) -> Written:
    """Under the write lock, in the caller's transaction: the reports, then the postings of
    each project-year and one journal entry per report, carrying the postings head after its
    project-year's postings. A project-year's reports go into the same batch; batches of about
    BATCH_ROWS only bound memory and report progress. `heads`: as read under the lock by
    read_then_lock_heads, if it did."""
    session = ctx.session
    conn = session.connection()
    appender = postings.Append(session, prepared.now, heads)
    actor = ctx.actor
    by = who(actor) | {"at": prepared.now, "action": "investment.report", "entity": "project"}
    written = Written(Summary(), [])
    total, done = len(prepared.checked), 0
    batch: list[tuple[int, int]] = []

    def flush() -> None:
        nonlocal done
        rows = [{"project_id": c.project_id, "period": c.period, "year": key[1],
                 "amount": c.amount, "note": c.note, "revision": c.revision,
                 "reported_by": actor.id, "reported_at": prepared.now}
                for key in batch for c in prepared.groups[key]]
        if returning:
            for row, id_ in zip(rows, insert_returning(conn, _reports, rows, "id")):
                row["id"] = id_
            written.reports += rows
        else:
            insert_rows(conn, _reports, rows)
        for key in batch:
            group = prepared.groups[key]
            posted = []
            if key in prepared.planned:
                posted = appender.postings(prepared.planned[key], _cause(group))
            if returning:
                written.postings[key] = posted
            appender.entries(by, [_journaled(c) for c in group])
            written.summary.postings += len(posted)
        appender.flush()
        written.summary.created += sum(1 for c in rows if c["revision"] == 1)
        written.summary.revised += sum(1 for c in rows if c["revision"] > 1)
        done += len(rows)
        batch.clear()
        if progress is not None:
            progress(done, total)

    size = 0
    for key, group in prepared.groups.items():
        batch.append(key)
        size += len(group)
        if size >= BATCH_ROWS:
            flush()
            size = 0
    if batch:
        flush()
    return written


def _cause(group: list[Checked]) -> str:
    """What a project-year's postings name as their cause: its one report or how many."""
    first = group[0]
    if len(group) == 1:
        return f"report:{first.project_id}/{first.period} r{first.revision}"
    return f"reports:{first.project_id}/{first.year} ×{len(group)}"


def _journaled(c: Checked) -> dict:
    """A report's journal entry (one a report, the bulk of the journal, so only what replays
    it and what it changed): the month's newest revision before → the new one. The postings its
    project-year appended are not listed: they name the report as their cause, and the entry
    carries the postings head after them.

    before {"amount", "revision"} and after {"amount", "note", "period", "revision"} are
    written out as journal.canonical() writes them — keys sorted, no spaces, strings through
    json's escaping, amounts (format_amount: digits, "-" and ".") needing none — in half the
    time of building the values and encoding them (tests/commands/test_report_journal.py
    compares the texts)."""
    previous = c.previous
    return {"entity_id": str(c.project_id),
            "before": None if previous is None else Canonical(
                f'{{"amount":"{format_amount(previous.amount)}",'
                f'"revision":{int.__repr__(previous.revision)}}}'),
            "after": Canonical(
                f'{{"amount":"{format_amount(c.amount)}","note":{_text(c.note)},'
                f'"period":{_text(c.period)},"revision":{int.__repr__(c.revision)}}}')}


# ------------------------------------------------------------------ the reads of check

_IDS, _YEARS = sa.bindparam("ids", expanding=True), sa.bindparam("years", expanding=True)
# One project and one year (a report's PUT) bound as plain values: an expanding IN is rendered
# into the statement's text anew at every execution, a tenth of a millisecond for _at_once's
_ID, _YEAR = sa.bindparam("id"), sa.bindparam("year")
_later = _reports.alias("later")


def _among(column: sa.ColumnElement, values: sa.BindParameter) -> sa.ColumnElement[bool]:
    """The column in the values (an expanding parameter) or equal to the value (a single)."""
    return column.in_(values) if values.expanding else column == values


def _revisions(ids: sa.BindParameter, years: sa.BindParameter) -> sa.Select:
    """The newest revision of each month only (a month revised often has many): no later
    revision of it, a probe of uq_investment_reports_revision; of the projects `ids` in the
    `years` (_among)."""
    return (sa.select(_reports.c.id, _reports.c.project_id, _reports.c.period,
                      _reports.c.revision, _reports.c.amount)
            .where(_among(_reports.c.project_id, ids), _among(_reports.c.year, years),
                   ~sa.exists().where(_later.c.project_id == _reports.c.project_id,
                                      _later.c.period == _reports.c.period,
                                      _later.c.revision > _reports.c.revision)))


_REVISIONS = _revisions(_IDS, _YEARS)
_MONTHS = sa.union_all(*(sa.select(sa.literal(f"-{m:02d}").label("month"))
                         for m in range(1, 13))).subquery("months")  # "-01" … "-12"


def _newest_of_months(project_id: sa.ColumnElement, year: sa.BindParameter) -> sa.Subquery:
    """The newest revision of each month of one project in one year, by twelve probes of
    uq_investment_reports_revision (its greatest revision, then that row): what _revisions
    reads, at a cost that does not grow with the revisions a month has had."""
    period = sa.cast(year, sa.String) + _MONTHS.c.month
    newest = (sa.select(sa.func.max(_later.c.revision))
              .where(_later.c.project_id == project_id, _later.c.period == period)
              .correlate_except(_later).scalar_subquery())
    return (sa.select(_reports.c.id, _reports.c.project_id, _reports.c.period,
                      _reports.c.revision, _reports.c.amount)
            .select_from(_MONTHS.join(_reports, sa.and_(
                _reports.c.project_id == project_id, _reports.c.period == period,
                _reports.c.revision == newest)))
            .correlate(project_id.table).subquery())


def _newest(ctx: Context, project_ids: set[int], years: set[int]
            ) -> dict[tuple[int, str], Revision]:
    """(project, period) → the newest revision, for the projects' months in those years."""
    conn = ctx.session.connection()
    ids, in_years = sorted(project_ids), sorted(years)
    out: dict[tuple[int, str], Revision] = {}
    for start in range(0, len(ids), CHUNK):
        for id_, project_id, period, revision, amount in conn.execute(
                _REVISIONS, {"ids": ids[start:start + CHUNK], "years": in_years}):
            out[(project_id, period)] = Revision(id_, revision, amount)  # the newest only
    return out


# ------------------------------------------------------------------ a few rows' reads at once

AT_ONCE_ROWS = 24  # up to this many rows naming projects by id (a report, a year's grid)


class AtOnce(NamedTuple):
    """All that check and prepare read for a few rows, in one statement."""

    by_id: dict[int, Known]                               # the projects the user may see
    newest: dict[tuple[int, str], Revision]               # (project, period) → newest revision
    closed: set[int]                                      # the closed years
    agreements: dict[int, Terms]                          # project → its live agreement
    posted: dict[tuple[str, int, int], dict[tuple[str, str, str], int]]  # as plan reads it
    heads: Heads | None                                   # the chains' heads (journal.heads)


def _at_once_statement(dialect: str, single: bool) -> sa.Select:
    """One row per project: its facts and live agreement's parties as columns, and as JSON
    arrays (correlated subqueries) its agreement's filed terms, the newest revision of each of
    its months and its postings summed by (period, region, role) in the bound years, the
    closed years, and the chains' heads (which the write appends after). `single`: for one
    project (`id`) and one year (`year`), else for the projects `ids` in the years `years`."""
    postgres = dialect == "postgresql"
    ids, years_ = (_ID, _YEAR) if single else (_IDS, _YEARS)

    def array(*columns):  # the rows' columns as an array of arrays; one column: of values
        row = columns[0] if len(columns) == 1 else (
            sa.func.json_build_array if postgres else sa.func.json_array)(*columns)
        return (sa.func.json_agg if postgres else sa.func.json_group_array)(row)

    def as_json(select: sa.Select) -> sa.ColumnElement:
        return sa.type_coerce(select.scalar_subquery(), sa.JSON)

    projects, agreements = Project.__table__, Agreement.__table__
    versions, years = AgreementVersion.__table__, AssessmentYear.__table__
    posted_ = Posting.__table__
    terms = (sa.select(array(versions.c.version, versions.c.first_year, versions.c.last_year,
                             versions.c.recommender_share, versions.c.superseded_from,
                             versions.c.funds_share))
             .where(versions.c.agreement_id == agreements.c.id,
                    # values, not an expanding parameter (see _ID)
                    versions.c.status.in_([sa.literal(s, versions.c.status.type)
                                           for s in workflow.COUNTS_FOR_COVERAGE])))
    revisions = (_newest_of_months(projects.c.id, _YEAR) if single
                 else _revisions(ids, years_).where(_reports.c.project_id == projects.c.id)
                 .correlate(projects).subquery())
    newest = sa.select(array(*revisions.c)).correlate(projects)
    sums = (sa.select(posted_.c.period, posted_.c.region_code, posted_.c.role,
                      sa.func.sum(posted_.c.amount).label("total"))
            .where(posted_.c.project_id == projects.c.id, _among(posted_.c.year, years_),
                   posted_.c.indicator == Indicator.COMPLETED_INVESTMENT)
            .group_by(posted_.c.period, posted_.c.region_code, posted_.c.role)
            .correlate(projects).subquery())
    closed = sa.select(array(years.c.year)).where(years.c.status == YearStatus.CLOSED)
    return (sa.select(projects.c.id, projects.c.project_code, projects.c.host_code,
                      projects.c.stage, projects.c.signed_on, projects.c.started_on,
                      agreements.c.id, agreements.c.recommender_code,
                      agreements.c.receiver_code, as_json(terms), as_json(newest),
                      as_json(sa.select(array(*sums.c)).correlate(projects)), as_json(closed),
                      *HEAD_COLUMNS)
            .select_from(projects.outerjoin(agreements, sa.and_(
                agreements.c.project_id == projects.c.id, Agreement.is_live)))
            .where(_among(projects.c.id, ids)))


# For a dialect: for one project and one year (a report's PUT: Prebuilt, see there), and for
# a few projects and years
_AT_ONCE = {dialect: (Prebuilt(_at_once_statement(dialect, True)),
                      _at_once_statement(dialect, False))
            for dialect in ("postgresql", "sqlite")}


def _at_once(ctx: Context, rows: Sequence[ReportRow]) -> AtOnce | None:
    """What check and prepare need for a few rows naming their projects by id, in one
    statement; None for more rows, or rows naming a project by code (they read apart)."""
    if len(rows) > AT_ONCE_ROWS or any(r.project_id is None or r.project_code is not None
                                       for r in rows):
        return None
    ctx.session.flush()  # Core reads do not autoflush
    conn = ctx.session.connection()
    read = AtOnce({}, {}, set(), {}, {}, None)
    ids, years = sorted({r.project_id for r in rows}), sorted({year_of(r.period) for r in rows})
    single, few = _AT_ONCE[conn.dialect.name]
    found = (single.rows(conn, {"id": ids[0], "year": years[0]}) if len(ids) == len(years) == 1
             else conn.execute(few, {"ids": ids, "years": years}))
    for row in found:
        *facts, agreement_id, recommender, receiver, terms, newest, sums, closed = row[:-4]
        read = read._replace(heads=heads_of(*row[-4:]))
        read.closed.update(closed or ())
        known = seen(ctx, Known(*facts), recommender, receiver)
        if known is None:
            continue
        read.by_id[known.id] = known
        if agreement_id is not None:
            read.agreements[known.id] = Terms(
                agreement_id, recommender, receiver,
                sorted((Term(*t) for t in terms or ()), key=lambda t: t.version))
        for id_, _, period, revision, amount in newest or ():
            read.newest[(known.id, period)] = Revision(id_, revision, amount)
        for period, region, role, total in sums or ():
            read.posted.setdefault((Indicator.COMPLETED_INVESTMENT, known.id, year_of(period)),
                                   {})[(period, region, role)] = int(total)
    return read
