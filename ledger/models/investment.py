from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import YEAR_OF_PERIOD, Base, Money, UTCDateTime, utcnow


class InvestmentReport(Base):
    """One revision of a month's completed investment (完成投资). The newest revision counts."""

    __tablename__ = "investment_reports"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "period", "revision", name="uq_investment_reports_revision"),
        sa.CheckConstraint("amount >= 0", name="amount_nonnegative"),
        sa.CheckConstraint(YEAR_OF_PERIOD, name="year_of_period"),
        # The year filters, always with the project or for the year's projects: a year alone
        # would be chosen by SQLite for `project_id IN (…) AND year IN (…)` and scan the year.
        sa.Index("ix_investment_reports_year_project", "year", "project_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Its index is the unique constraint's (project_id first).
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"))
    period: Mapped[str] = mapped_column(sa.String(7))
    year: Mapped[int] = mapped_column(sa.Integer)  # the period's year, for the year filters
    revision: Mapped[int]
    amount: Mapped[int] = mapped_column(Money)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    reported_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
