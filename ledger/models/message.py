from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base, UTCDateTime
from ledger.domain import limits


class MessageMark(Base):
    """Mark all read: every message of the user up to this moment counts as read. The messages
    themselves are read from the facts (ledger.queries.notifications), never stored."""

    __tablename__ = "message_marks"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True,
                                         autoincrement=False)
    read_through: Mapped[datetime] = mapped_column(UTCDateTime)


class MessageRead(Base):
    """One message a user has read since the mark (its key: ledger.queries.notifications)."""

    __tablename__ = "message_reads"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True,
                                         autoincrement=False)
    key: Mapped[str] = mapped_column(sa.String(limits.MESSAGE_KEY), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime)
