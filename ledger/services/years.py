"""Assessment years (考核年度): closed by the statistics bureau after the assessment, reopened
with a reason. A closed year refuses every change to its figures."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger import ledger
from ledger.db import utcnow, writing
from ledger.domain.errors import Conflict
from ledger.models import AssessmentYear, InvestmentReport, YearEvent
from ledger.policy import Actor, require_role
from ledger.services.common import as_year, audit, text


def status(session: Session, year: int) -> str:
    row = session.get(AssessmentYear, year)
    return row.status if row else "open"


def close_year(session: Session, actor: Actor, year) -> AssessmentYear:
    require_role(actor, ("statistics",), "close an assessment year")
    year = as_year(year, "year")
    with writing(session):
        row = session.get(AssessmentYear, year) or AssessmentYear(year=year, status="open")
        if row.status == "closed":
            raise Conflict(f"assessment year {year} is already closed")
        row.status, row.changed_at = "closed", utcnow()
        session.add(row)
        session.flush()
        session.add(YearEvent(year=year, action="close", actor_id=actor.id, at=row.changed_at))
        audit(session, actor, "year.close", "year", year, {"status": "open"}, {"status": "closed"})
    return row


def reopen_year(session: Session, actor: Actor, year, reason) -> AssessmentYear:
    require_role(actor, ("statistics",), "reopen an assessment year")
    year = as_year(year, "year")
    reason = text(reason, "reason", max_len=2000)
    with writing(session):
        row = session.get(AssessmentYear, year)
        if row is None or row.status != "closed":
            raise Conflict(f"assessment year {year} is not closed")
        row.status, row.changed_at = "open", utcnow()
        session.flush()
        session.add(YearEvent(year=year, action="reopen", reason=reason, actor_id=actor.id,
                              at=row.changed_at))
        audit(session, actor, "year.reopen", "year", year, {"status": "closed"},
              {"status": "open", "reason": reason})
        # Catch up anything that could not be posted while the year was closed.
        projects = session.scalars(sa.select(InvestmentReport.project_id).distinct()
                                   .where(InvestmentReport.period.like(f"{year:04d}-%")))
        ledger.reconcile(session, [(p, year) for p in projects], cause=f"reopen:{year}")
    return row


def list_years(session: Session) -> list[AssessmentYear]:
    return list(session.scalars(sa.select(AssessmentYear).order_by(AssessmentYear.year)))
