from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import YEAR_OF_PERIOD, Base, Money, UTCDateTime, check_in
from ledger.domain import limits
from ledger.domain.enums import EvidenceKind, FundsSource


class FundsReceipt(Base):
    """One receipt of funds actually in place (招商引资实际到位资金) as it stands now: its newest
    revision. A correction or a void is a new revision (FundsRevision keeps every one); the
    attribution sums the receipts that are not void, by the month they were received."""

    __tablename__ = "funds_receipts"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint(YEAR_OF_PERIOD, name="year_of_period"),
        check_in("source", FundsSource, "source"),
        sa.Index("ix_funds_receipts_year_project", "year", "project_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    revision: Mapped[int]  # the newest revision's number: the receipt's ETag
    received_on: Mapped[date]
    period: Mapped[str] = mapped_column(sa.String(7))  # received_on's month, as postings name it
    year: Mapped[int] = mapped_column(sa.Integer)
    amount: Mapped[int] = mapped_column(Money)
    source: Mapped[str] = mapped_column(sa.String(12))
    payer: Mapped[str] = mapped_column(sa.String(limits.INVESTOR_NAME))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    voided: Mapped[bool] = mapped_column(default=False)
    recorded_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FundsRevision(Base):
    """Every revision of every receipt, never changed: the first recording (revision 1), each
    correction and the void, with the reason given for it."""

    __tablename__ = "funds_revisions"
    __table_args__ = (
        sa.UniqueConstraint("receipt_id", "revision", name="uq_funds_revisions_revision"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        check_in("source", FundsSource, "source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(sa.ForeignKey("funds_receipts.id"), index=True)
    revision: Mapped[int]
    received_on: Mapped[date]
    amount: Mapped[int] = mapped_column(Money)
    source: Mapped[str] = mapped_column(sa.String(12))
    payer: Mapped[str] = mapped_column(sa.String(limits.INVESTOR_NAME))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    voided: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str | None] = mapped_column(sa.Text)  # None on the first recording
    recorded_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FundsEvidence(Base):
    """An evidence file (凭证) of a receipt: the bytes themselves, kept in the database with
    their SHA-256, which the journal records (`ledger verify` re-hashes the bytes)."""

    __tablename__ = "funds_evidence"
    __table_args__ = (check_in("kind", EvidenceKind, "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(sa.ForeignKey("funds_receipts.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    filename: Mapped[str] = mapped_column(sa.String(limits.EVIDENCE_FILENAME))
    media_type: Mapped[str] = mapped_column(sa.String(40))  # as recognised from the content
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    uploaded_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FundsSourceMove(Base):
    """What one write moved in a host region's in-place funds of a year, per source (境内区外 /
    境外), recorded at the time of the postings it came with: the split by source that the
    postings do not carry. The year's moves sum, per host, to its in-place funds (the
    postings' figure), and those recorded at or before a time to the split as it stood then,
    in one grouped scan; as they stand, their sums are kept in the host's funds balance
    (Balance.in_place_domestic / _foreign). Written in the same transaction as the receipts'
    revisions and their postings (ledger.commands.funds), never changed."""

    __tablename__ = "funds_source_moves"
    __table_args__ = (
        check_in("source", FundsSource, "source"),
        sa.Index("ix_funds_source_moves_year_recorded_at", "year", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    # The project's host when written: the host_code of the postings written with it.
    host_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"))
    source: Mapped[str] = mapped_column(sa.String(12))
    amount: Mapped[int] = mapped_column(Money)  # signed: a correction or a void moves it back
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
