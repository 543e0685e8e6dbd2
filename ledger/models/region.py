from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base, UTCDateTime, utcnow
from ledger.models.enums import REGION_LEVELS, check_in


class Region(Base):
    """A party that can sign agreements and host zones (GB/T 2260 code or committee code)."""

    __tablename__ = "regions"
    __table_args__ = (check_in("level", REGION_LEVELS, "level"),)

    code: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    level: Mapped[str] = mapped_column(sa.String(12))
    parent_code: Mapped[str | None] = mapped_column(sa.ForeignKey("regions.code"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
