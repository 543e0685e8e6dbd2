from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import YEAR_OF_PERIOD, Base, Money, UTCDateTime, check_in
from ledger.domain.enums import Indicator, PostingRole


class Posting(Base):
    """An immutable ledger row (分算记录); written only by the reconciler in ledger/postings/."""

    __tablename__ = "postings"
    __table_args__ = (
        check_in("role", PostingRole, "role"),
        check_in("indicator", Indicator, "indicator"),
        sa.Index("ix_postings_project_period", "project_id", "period"),
        sa.Index("ix_postings_region_period", "region_code", "period"),
        sa.Index("ix_postings_host_period", "host_code", "period"),
        # The year filters (attribution, the postings list, reconciling a project-year).
        sa.Index("ix_postings_year_host", "year", "host_code", "role"),
        sa.Index("ix_postings_year_region", "year", "region_code", "role"),
        sa.Index("ix_postings_project_year", "project_id", "year"),
        # the newest posting at or before a time, in one seek (checkpoints, as-of figures)
        sa.Index("ix_postings_recorded_at_seq", "recorded_at", "seq"),
        sa.CheckConstraint(YEAR_OF_PERIOD, name="year_of_period"),
    )

    seq: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"))
    # The accounting line (hash_version 3 covers it; older postings are all completed investment).
    indicator: Mapped[str] = mapped_column(sa.String(24))
    # The project's host when posted (hash_version 2 covers it): the in-place figures are sums
    # of chained postings, never of the mutable projects table.
    host_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"))
    agreement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agreements.id"))
    version: Mapped[int | None]
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"))
    role: Mapped[str] = mapped_column(sa.String(12))
    period: Mapped[str] = mapped_column(sa.String(7))
    # The period's year (not chained: derived, checked by the constraint and by verify).
    year: Mapped[int] = mapped_column(sa.Integer)
    amount: Mapped[int] = mapped_column(Money)
    cause: Mapped[str] = mapped_column(sa.String(120))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    hash_version: Mapped[int]
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)


class Balance(Base):
    """A region's running figures for one year and line, maintained in the same transaction as the
    postings they sum (ledger.postings.balances.add): the current attribution reads one row per
    region instead of the year's postings. Not chained: `ledger verify` checks every balance
    against the postings (the rule: ledger/postings/balances.py)."""

    __tablename__ = "balances"

    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    indicator: Mapped[str] = mapped_column(sa.String(24), primary_key=True)
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"), primary_key=True)
    in_place: Mapped[int] = mapped_column(Money)  # Σ postings of the projects it hosts
    ceded: Mapped[int] = mapped_column(Money)     # Σ their recommender postings
    credited: Mapped[int] = mapped_column(Money)  # Σ recommender postings to this region
