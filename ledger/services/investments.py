"""Completed investment (完成投资): monthly reports and their revisions, by the host region."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger import ledger
from ledger.db import utcnow, writing
from ledger.domain.errors import Conflict, Invalid
from ledger.domain.money import format_amount, parse_amount
from ledger.models import InvestmentReport, Posting
from ledger.policy import Actor, require_region
from ledger.services.common import as_period, audit, text, today
from ledger.services.projects import get_visible


@dataclass
class ReportResult:
    report: InvestmentReport
    postings: list[Posting]
    created: bool  # False: the amount equalled the newest revision, nothing was written


def newest(session: Session, project_id: int, period: str) -> InvestmentReport | None:
    return session.scalar(sa.select(InvestmentReport)
                          .where(InvestmentReport.project_id == project_id,
                                 InvestmentReport.period == period)
                          .order_by(InvestmentReport.revision.desc()).limit(1))


def report_investment(session: Session, actor: Actor, project_id: int, period, amount,
                      note=None) -> ReportResult:
    """Report (or revise) one month. The same amount again is a no-op."""
    period = as_period(period)
    units = parse_amount(amount, field="amount")
    note = text(note, "note", max_len=500, required=False)
    if period > today().strftime("%Y-%m"):
        raise Invalid("must not be a future month", field="period")
    with writing(session):
        project = get_visible(session, actor, project_id)
        require_region(actor, project.host_code, "report investment of a project hosted elsewhere")
        if not project.landed:
            raise Conflict(f"only a landed project (under construction or in operation) can report "
                           f"completed investment; this one is '{project.stage}'")
        previous = newest(session, project.id, period)
        if previous is not None and previous.amount == units:
            return ReportResult(previous, [], False)
        year = int(period[:4])
        if year in ledger.closed_years(session):
            raise Conflict(f"assessment year {year} is closed", field="period")
        report = InvestmentReport(project_id=project.id, period=period, amount=units, note=note,
                                  revision=(previous.revision + 1) if previous else 1,
                                  reported_by=actor.id, reported_at=utcnow())
        session.add(report)
        session.flush()
        postings = ledger.reconcile(session, [(project.id, year)],
                                    cause=f"report:{project.id}/{period} r{report.revision}")
        audit(session, actor, "investment.report", "project", project.id,
              None if previous is None else {"period": period, "revision": previous.revision,
                                             "amount": format_amount(previous.amount)},
              {"period": period, "revision": report.revision, "amount": format_amount(units),
               "note": note, "postings": [p.seq for p in postings]})
    return ReportResult(report, postings, True)


def reports(session: Session, actor: Actor, project_id: int, year: int | None = None) -> list[InvestmentReport]:
    """Every revision of every month (optionally of one year), oldest first."""
    project = get_visible(session, actor, project_id)
    query = sa.select(InvestmentReport).where(InvestmentReport.project_id == project.id)
    if year is not None:
        query = query.where(InvestmentReport.period.like(f"{year:04d}-%"))
    return list(session.scalars(query.order_by(InvestmentReport.period, InvestmentReport.revision)))
