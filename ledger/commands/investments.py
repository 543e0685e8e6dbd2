"""Completed investment (完成投资): monthly reports and their revisions, by the host region.

One report or many (an import file) go through the same path: every report is checked and
every affected project-year planned (reconciled once, from set-based reads), then the reports,
postings and journal entries are written, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger import postings
from ledger.postings import journal
from ledger.commands.common import read_then_lock_heads
from ledger.context import Context
from ledger.commands.inputs import ReportInput
from ledger.db import insert_rows, lock_for_append, writing
from ledger.domain import dates, stages
from ledger.domain.errors import Conflict, Invalid
from ledger.domain.money import format_amount
from ledger.domain.periods import period_of, year_of
from ledger.models import AuditEntry, InvestmentReport, Posting
from ledger.policy import require_reporter
from ledger.queries.lookup import visible_project_facts


@dataclass
class ReportResult:
    report: InvestmentReport
    created: bool  # False: the amount equalled the newest revision, nothing was written
    postings: list[Posting] = field(default_factory=list)


_reports = InvestmentReport.__table__
_NEWEST = (sa.select(_reports)
           .where(_reports.c.project_id == sa.bindparam("project_id"),
                  _reports.c.period == sa.bindparam("period"))
           .order_by(_reports.c.revision.desc()).limit(1))
_INSERT_REPORTS = _reports.insert().returning(_reports.c.id, sort_by_parameter_order=True)


def newest(session: Session, project_id: int, period: str) -> InvestmentReport | None:
    """The newest revision of a month (not attached to the session), or None."""
    row = session.connection().execute(_NEWEST, {"project_id": project_id,
                                                 "period": period}).first()
    return None if row is None else InvestmentReport(**row._mapping)


def report_investment(ctx: Context, inp: ReportInput) -> ReportResult:
    """Report (or revise) one month. The same amount again is a no-op."""
    return report_investments(ctx, [inp])[0]


def report_investments(ctx: Context, reports: Sequence[ReportInput], *,
                       bulk: bool = False) -> list[ReportResult]:
    """Report many months at once: all or nothing, one reconcile per project-year. `bulk`: a
    caller the statistics bureau may also use for an import.

    Everything is read and planned first — the project and who may report for it, the newest
    revisions, the closed years, the project-years' postings and agreement — and only then is
    the write lock taken, around the heads and the appends (on PostgreSQL; read_then_lock
    redoes the reads under the lock if a writer committed meanwhile). The reads are plain rows
    from statements built once: this is the path of every PUT."""
    today = ctx.today()
    for inp in reports:
        if dates.future_period(inp.period, today):
            raise Invalid("period.future", field="period")
    with writing(ctx.session, late_lock=True) as session:
        (checked, previous, prepared), heads = read_then_lock_heads(
            session, lambda: _read_reports(ctx, session, reports, bulk))
        fresh = [c for c in checked if c is not None]
        rows = [{"project_id": c.project_id, "period": c.period, "year": year_of(c.period),
                 "amount": c.amount, "note": c.note,
                 "revision": (c.previous[0] + 1) if c.previous else 1,
                 "reported_by": ctx.actor.id, "reported_at": prepared.now} for c in fresh]
        if rows:
            lock_for_append(session)
            ids = session.connection().scalars(_INSERT_REPORTS, rows).all()
            written = _append(ctx, prepared, heads=heads)
            made = iter(zip(ids, rows))
        results = []
        for c, p in zip(checked, previous):
            if c is None:
                results.append(ReportResult(p, created=False))
                continue
            id_, row = next(made)
            results.append(ReportResult(
                InvestmentReport(id=id_, **row), created=True,
                postings=[Posting(**r) for r in written[(c.project_id, year_of(c.period))]]))
    return results


def _read_reports(ctx: Context, session: Session, reports: Sequence[ReportInput], bulk: bool
                  ) -> tuple[list["Checked | None"], list[InvestmentReport | None], "Prepared"]:
    """The checks of every report and the plan of its writes; nothing written."""
    closed = postings.closed_years(session)
    checked: list[Checked | None] = []
    previous_of: list[InvestmentReport | None] = []
    seen: dict[tuple[int, str], int] = {}
    for n, inp in enumerate(reports, start=1):
        if seen.setdefault((inp.project_id, inp.period), n) != n:
            raise Invalid("import.duplicate_row", field="period", row=seen[(inp.project_id, inp.period)])
        project = visible_project_facts(session, ctx.actor, inp.project_id)
        require_reporter(ctx.actor, project.host_code, bulk=bulk)
        if not stages.landed(project.stage):
            raise Conflict("report.not_landed", stage=project.stage)
        if stages.before_start(inp.period, project.started_on):
            raise Conflict("report.before_start", field="period",
                           started=period_of(project.started_on))
        previous = newest(session, project.id, inp.period)
        previous_of.append(previous)
        if previous is not None and previous.amount == inp.amount:
            checked.append(None)
            continue
        year = year_of(inp.period)
        if year in closed:
            raise Conflict("year.closed", field="period", year=year)
        checked.append(Checked(project.id, inp.period, inp.amount, inp.note,
                               None if previous is None else (previous.revision, previous.amount)))
    return checked, previous_of, prepare(ctx, [c for c in checked if c is not None], closed)


def _cause_of(project_id: int, period: str, revision: int, count: int) -> str:
    if count == 1:
        return f"report:{project_id}/{period} r{revision}"
    return f"reports:{project_id}/{year_of(period)} ×{count}"


def _audit_entry(r: "Checked", revision: int, seqs: list[int]) -> dict:
    return {"entity_id": str(r.project_id),
            "before": None if r.previous is None else {
                "period": r.period, "revision": r.previous[0],
                "amount": format_amount(r.previous[1])},
            "after": {"period": r.period, "revision": revision,
                      "amount": format_amount(r.amount), "note": r.note, "postings": seqs}}


# ------------------------------------------------------------------ the bulk path

@dataclass(frozen=True)
class Checked:
    """A report that passed its checks (visible, may report, landed, not before the project
    started, year open, one per project and month) and changes its month, with the newest
    revision recorded for it: (revision, amount) or None."""

    project_id: int
    period: str
    amount: int
    note: str
    previous: tuple[int, int] | None


@dataclass
class BulkSummary:
    created: int = 0     # months reported for the first time
    revised: int = 0     # months given a new revision
    unchanged: int = 0   # equal to the newest revision: nothing written
    postings: int = 0    # postings appended


@dataclass
class Prepared:
    """Checked reports grouped by project-year (in the order first seen) and the postings each
    project-year needs, read before anything is written."""

    groups: dict[tuple[int, int], list[Checked]]
    planned: dict[tuple[int, int], postings.Planned]
    now: datetime


def prepare(ctx: Context, checked: Sequence[Checked], closed: set[int]) -> Prepared:
    """Plan the writes of checked reports that change their month: every project-year they
    touch reconciled at once from set-based reads (reconcile.plan) with the new amounts."""
    groups: dict[tuple[int, int], list[Checked]] = {}
    for r in checked:
        groups.setdefault((r.project_id, year_of(r.period)), []).append(r)
    incoming = {(r.project_id, r.period): r.amount for r in checked}
    planned = postings.plan(ctx.session, list(groups), closed, incoming)
    return Prepared(groups, {(p.project_id, p.year): p for p in planned}, ctx.now())


def _append(ctx: Context, prepared: Prepared, keys=None, heads: journal.Heads | None = None
            ) -> dict[tuple[int, int], list[dict]]:
    """Under the write lock: the postings of each project-year (of `keys`, default all) chained
    after the head in one append, then one journal entry per report, each carrying the postings
    head after its project-year's postings — the rows report_investments wrote one
    project-year at a time. `heads`: both chain heads as read under the lock, when the caller
    has them (read_then_lock_heads), else read here. Returns the posting rows of each
    project-year."""
    session = ctx.session
    lock_for_append(session)
    posting_head, journal_head = heads if heads is not None else journal.heads(session)
    actor = ctx.actor
    who = {"at": prepared.now, "actor_id": actor.id, "actor_username": actor.username,
           "actor_role": actor.role, "actor_region": actor.region_code,
           "action": "investment.report", "entity": "project"}
    posting_rows: list[dict] = []
    entries: list[dict] = []
    written: dict[tuple[int, int], list[dict]] = {}
    for key in (prepared.groups if keys is None else keys):
        group = prepared.groups[key]
        rows: list[dict] = []
        if key in prepared.planned:
            first = group[0]
            revision = first.previous[0] + 1 if first.previous else 1
            rows = postings.posting_rows(prepared.planned[key],
                                         _cause_of(first.project_id, first.period, revision,
                                                   len(group)), prepared.now, posting_head)
            posting_head = (rows[-1]["seq"], rows[-1]["hash"])
            posting_rows += rows
        written[key] = rows
        seqs = [p["seq"] for p in rows]
        for r in group:
            revision = r.previous[0] + 1 if r.previous else 1
            entries.append(who | _audit_entry(r, revision, seqs) | {
                "postings_seq": posting_head[0], "postings_hash": posting_head[1]})
    postings.insert_postings(session, posting_rows)
    rows = journal.chain_rows(journal_head, entries)
    insert_rows(session.connection(), AuditEntry.__table__, rows)
    return written


def write_reports(ctx: Context, prepared: Prepared, *, batch_rows: int = 5000,
                  progress=None) -> BulkSummary:
    """Write prepared reports in the write transaction the caller holds, under the write lock,
    with a few executemany statements per batch: the reports, their project-years' postings
    chained in one append, one journal entry per report. The reports of a project-year go into
    the same batch; batches only bound memory and report progress (`progress(done, total)`)."""
    session = ctx.session
    summary = BulkSummary()
    actor = ctx.actor
    total = sum(len(g) for g in prepared.groups.values())
    done = 0
    batch: list[tuple[int, int]] = []

    def flush() -> None:
        nonlocal done
        report_rows = []
        for key in batch:
            for r in prepared.groups[key]:
                report_rows.append({"project_id": r.project_id, "period": r.period,
                                    "year": year_of(r.period),
                                    "amount": r.amount, "note": r.note,
                                    "revision": r.previous[0] + 1 if r.previous else 1,
                                    "reported_by": actor.id, "reported_at": prepared.now})
                if r.previous is None:
                    summary.created += 1
                else:
                    summary.revised += 1
        lock_for_append(session)
        insert_rows(session.connection(), InvestmentReport.__table__, report_rows)
        written = _append(ctx, prepared, batch)
        summary.postings += sum(len(rows) for rows in written.values())
        done += len(report_rows)
        batch.clear()
        if progress is not None:
            progress(done, total)

    size = 0
    for key, group in prepared.groups.items():
        batch.append(key)
        size += len(group)
        if size >= batch_rows:
            flush()
            size = 0
    if batch:
        flush()
    return summary
