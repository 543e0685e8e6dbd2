"""Completed investment (完成投资): monthly reports and their revisions, by the host region.

One report or many (an import file) go through the same path: every report is checked and
stored, then each affected project-year is reconciled once, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger import postings
from ledger.commands.common import audit
from ledger.context import Context
from ledger.commands.inputs import ReportInput
from ledger.db import writing
from ledger.domain import stages
from ledger.domain.errors import Conflict, Invalid
from ledger.domain.money import format_amount
from ledger.domain.periods import period_of, year_of
from ledger.models import InvestmentReport, Posting
from ledger.policy import require_reporter
from ledger.queries.lookup import visible_project


@dataclass
class ReportResult:
    report: InvestmentReport
    created: bool  # False: the amount equalled the newest revision, nothing was written
    postings: list[Posting] = field(default_factory=list)


def newest(session: Session, project_id: int, period: str) -> InvestmentReport | None:
    return session.scalar(sa.select(InvestmentReport)
                          .where(InvestmentReport.project_id == project_id,
                                 InvestmentReport.period == period)
                          .order_by(InvestmentReport.revision.desc()).limit(1))


def report_investment(ctx: Context, inp: ReportInput) -> ReportResult:
    """Report (or revise) one month. The same amount again is a no-op."""
    return report_investments(ctx, [inp])[0]


def report_investments(ctx: Context, reports: Sequence[ReportInput], *,
                       bulk: bool = False) -> list[ReportResult]:
    """Report many months at once: all or nothing, one reconcile per project-year. `bulk`: an
    import file (commands.imports), which the statistics bureau may also send."""
    this_month = period_of(ctx.today())
    for inp in reports:
        if inp.period > this_month:
            raise Invalid("period.future", field="period")
    with writing(ctx.session) as session:
        closed = postings.closed_years(session)
        results: list[ReportResult] = []
        created: dict[tuple[int, int], list[tuple[ReportResult, InvestmentReport | None]]] = {}
        for inp in reports:
            project = visible_project(session, ctx.actor, inp.project_id)
            require_reporter(ctx.actor, project.host_code, bulk=bulk)
            if not stages.landed(project.stage):
                raise Conflict("report.not_landed", stage=project.stage)
            previous = newest(session, project.id, inp.period)
            if previous is not None and previous.amount == inp.amount:
                results.append(ReportResult(previous, created=False))
                continue
            year = year_of(inp.period)
            if year in closed:
                raise Conflict("year.closed", field="period", year=year)
            report = InvestmentReport(
                project_id=project.id, period=inp.period, amount=inp.amount, note=inp.note,
                revision=(previous.revision + 1) if previous else 1, reported_by=ctx.actor.id,
                reported_at=ctx.now())
            session.add(report)
            session.flush()
            result = ReportResult(report, created=True)
            results.append(result)
            created.setdefault((project.id, year), []).append((result, previous))
        for (project_id, year), group in created.items():
            written = postings.reconcile(session, [(project_id, year)], _cause(group), ctx.now())
            for result, previous in group:
                result.postings = written
                _audit(ctx, result.report, previous, written)
    return results


def _cause(group: list[tuple[ReportResult, InvestmentReport | None]]) -> str:
    first = group[0][0].report
    if len(group) == 1:
        return f"report:{first.project_id}/{first.period} r{first.revision}"
    return f"reports:{first.project_id}/{year_of(first.period)} ×{len(group)}"


def _audit(ctx: Context, report: InvestmentReport, previous: InvestmentReport | None,
           written: list[Posting]) -> None:
    before = None if previous is None else {
        "period": report.period, "revision": previous.revision,
        "amount": format_amount(previous.amount)}
    audit(ctx, "investment.report", "project", report.project_id, before,
          {"period": report.period, "revision": report.revision,
           "amount": format_amount(report.amount), "note": report.note,
           "postings": [p.seq for p in written]})
