from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base, UTCDateTime, utcnow
from ledger.domain import limits


class AuditEntry(Base):
    """Append-only audit log: who (and in which role) changed what, from what, to what."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    actor_username: Mapped[str] = mapped_column(sa.String(limits.USERNAME_MAX))
    actor_role: Mapped[str] = mapped_column(sa.String(12))
    action: Mapped[str] = mapped_column(sa.String(limits.AUDIT_ACTION))
    entity: Mapped[str] = mapped_column(sa.String(limits.AUDIT_ENTITY))
    entity_id: Mapped[str] = mapped_column(sa.String(limits.AUDIT_ENTITY_ID))
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
