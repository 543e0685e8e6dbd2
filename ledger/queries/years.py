"""Assessment years: every year that has reports or receipts of funds in place or has been
closed, with its status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.domain.enums import YearStatus
from ledger.domain.periods import year_of
from ledger.models import AssessmentYear, FundsReceipt, InvestmentReport


@dataclass(frozen=True)
class YearRow:
    year: int
    status: str
    changed_at: datetime | None


def status(session: Session, year: int) -> str:
    row = session.get(AssessmentYear, year)
    return row.status if row else YearStatus.OPEN


def years(session: Session) -> list[YearRow]:
    rows = {y.year: YearRow(y.year, y.status, y.changed_at)
            for y in session.scalars(sa.select(AssessmentYear))}
    periods = session.scalars(sa.select(InvestmentReport.period).distinct())
    funds = session.scalars(sa.select(FundsReceipt.year).distinct())
    for year in ({year_of(p) for p in periods} | set(funds)) - set(rows):
        rows[year] = YearRow(year, YearStatus.OPEN, None)
    return [rows[y] for y in sorted(rows)]
