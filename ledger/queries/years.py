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


def ledger_years(session: Session, this_year: int, earliest: int | None = None) -> range:
    """The years a page may show: from the ledger's first year to this year (or its last, if
    later); `earliest` reaches back further (a project signed before the ledger's first year)."""
    known = [row.year for row in years(session)] + [this_year]
    first = min(known + ([earliest] if earliest is not None else []))
    return range(first, max(known) + 1)
