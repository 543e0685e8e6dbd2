from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.db import Base, Money, UTCDateTime, check_in, utcnow
from ledger.domain import limits
from ledger.domain.enums import Stage
from ledger.models.zone import Zone


class Project(Base):
    """An investment-attraction project (招商引资项目). `host_code` is copied from its zone."""

    __tablename__ = "projects"
    __table_args__ = (
        check_in("stage", Stage, "stage"),
        sa.CheckConstraint("planned_investment >= 0", name="planned_investment_nonnegative"),
        sa.CheckConstraint(
            "investor_foreign OR investor_credit_code IS NOT NULL", name="credit_code_required"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(limits.PROJECT_NAME))
    investor_name: Mapped[str] = mapped_column(sa.String(limits.INVESTOR_NAME))
    investor_credit_code: Mapped[str | None] = mapped_column(sa.String(limits.CREDIT_CODE))
    investor_foreign: Mapped[bool] = mapped_column(default=False)
    industry_code: Mapped[str] = mapped_column(sa.String(limits.INDUSTRY_CODE))
    project_code: Mapped[str | None] = mapped_column(sa.String(limits.PROJECT_CODE), unique=True)
    planned_investment: Mapped[int] = mapped_column(Money)
    zone_id: Mapped[int] = mapped_column(sa.ForeignKey("zones.id"), index=True)
    host_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"), index=True)
    stage: Mapped[str] = mapped_column(sa.String(20), default=Stage.SIGNED)
    signed_on: Mapped[date | None]
    started_on: Mapped[date | None]
    operating_on: Mapped[date | None]
    cancelled_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    row_version: Mapped[int] = mapped_column(default=1)

    zone: Mapped[Zone] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": row_version}
