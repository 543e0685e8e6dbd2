from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base, UTCDateTime, check_in, utcnow
from ledger.domain.enums import YearAction, YearStatus


class AssessmentYear(Base):
    """An assessment year (考核年度). A year with no row is open."""

    __tablename__ = "assessment_years"
    __table_args__ = (check_in("status", YearStatus, "status"),)

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(sa.String(8), default=YearStatus.OPEN)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class YearEvent(Base):
    """Close and reopen history of the assessment years."""

    __tablename__ = "year_events"
    __table_args__ = (check_in("action", YearAction, "action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(sa.ForeignKey("assessment_years.year"), index=True)
    action: Mapped[str] = mapped_column(sa.String(8))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
