from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base, Hash, UTCDateTime
from ledger.domain import limits


class AuditEntry(Base):
    """The journal (audit log): every state change — who, in which role, when, what, before →
    after — appended in the same transaction as the change and hash-chained (ledger/postings/
    journal.py). `id` is its gap-free sequence number. Every fact that can change a figure or a
    filing is here, so `ledger verify` can replay it; the other tables are its projections."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_entity", "entity", "entity_id"),
                      # the newest entry at or before a time, in one seek (checkpoints)
                      sa.Index("ix_audit_log_at_id", "at", "id"))

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Not indexed: no query looks entries up by the actor's id (the journal's filter is by name).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    actor_username: Mapped[str] = mapped_column(sa.String(limits.USERNAME_MAX))
    actor_role: Mapped[str] = mapped_column(sa.String(12))
    actor_region: Mapped[str | None] = mapped_column(sa.String(limits.REGION_CODE))
    action: Mapped[str] = mapped_column(sa.String(limits.AUDIT_ACTION))
    entity: Mapped[str] = mapped_column(sa.String(limits.AUDIT_ENTITY))
    entity_id: Mapped[str] = mapped_column(sa.String(limits.AUDIT_ENTITY_ID))
    # Canonical JSON text (sorted keys, no spaces): exactly what the hash covers.
    before: Mapped[str | None] = mapped_column(sa.Text)
    after: Mapped[str | None] = mapped_column(sa.Text)
    # The postings head when the entry was appended: the journal's hash covers the postings too.
    postings_seq: Mapped[int] = mapped_column(sa.BigInteger)
    postings_hash: Mapped[str] = mapped_column(Hash)
    hash_version: Mapped[int]
    # As in postings, the predecessor's hash is the previous entry's, not stored again.
    hash: Mapped[str] = mapped_column(Hash)
