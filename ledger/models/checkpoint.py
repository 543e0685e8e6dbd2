from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base, Hash, UTCDateTime


class Checkpoint(Base):
    """A signed statement of the ledger's heads as of a time (Ed25519, with a key kept outside
    the database): re-hashing or truncating the chains cannot forge it. Written when a year is
    closed and when a document is first issued for an as-of time."""

    __tablename__ = "checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, unique=True)  # the as-of time it states
    journal_seq: Mapped[int] = mapped_column(sa.BigInteger)
    journal_hash: Mapped[str] = mapped_column(Hash)
    postings_seq: Mapped[int] = mapped_column(sa.BigInteger)
    postings_hash: Mapped[str] = mapped_column(Hash)
    reason: Mapped[str] = mapped_column(sa.String(60))
    key_id: Mapped[str] = mapped_column(sa.String(16))
    signature: Mapped[str] = mapped_column(sa.String(128))  # hex
