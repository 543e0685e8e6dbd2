from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, column_property, mapped_column

from ledger.db import YEAR_OF_PERIOD, Base, Hash, Money, UTCDateTime, check_in
from ledger.domain.enums import FundsSource, Indicator, PostingRole


class Posting(Base):
    """An immutable ledger row (分算记录); written only by the reconciler in ledger/postings/."""

    __tablename__ = "postings"
    __table_args__ = (
        check_in("role", PostingRole, "role"),
        check_in("indicator", Indicator, "indicator"),
        # Only what a query uses (no query filters by host or looks a row up by its hash):
        # a region's postings (the postings list, policy.postings_seen_by),
        sa.Index("ix_postings_region_period", "region_code", "period"),
        # the year filters (attribution, the postings list with a year),
        sa.Index("ix_postings_year_region", "year", "region_code", "role"),
        # a project's postings and their years (reconciling a project-year, the list's filter),
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
    # The predecessor's hash is not stored: it is the hash of the row seq - 1 (verify carries
    # it along the chain; queries.postings reads it for the list).
    hash: Mapped[str] = mapped_column(Hash)


# The predecessor's hash, read when asked for (the postings list shows it): the hash of the
# row seq - 1, 64 zeros for the first.
_previous = Posting.__table__.alias("previous")
Posting.prev_hash = column_property(sa.func.coalesce(
    sa.select(_previous.c.hash).where(_previous.c.seq == Posting.seq - 1).scalar_subquery(),
    sa.literal(bytes(32), sa.LargeBinary), type_=Hash), deferred=True)


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
    # Funds in place only (zero on the other lines): in_place by source (BY_SOURCE), the sum
    # of the source moves (FundsSourceMove), moved in the same transaction by the funds
    # commands; in the row itself, so the current split is read without a join
    in_place_domestic: Mapped[int] = mapped_column(Money, server_default="0")
    in_place_foreign: Mapped[int] = mapped_column(Money, server_default="0")


# FundsSource → the balance column of in_place from that source
BY_SOURCE = {FundsSource.DOMESTIC: "in_place_domestic", FundsSource.FOREIGN: "in_place_foreign"}
