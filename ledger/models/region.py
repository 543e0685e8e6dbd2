from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base, UTCDateTime, check_in, utcnow
from ledger.domain import limits
from ledger.domain.enums import RegionLevel


class Region(Base):
    """A party that can sign agreements and host zones (GB/T 2260 code or committee code)."""

    __tablename__ = "regions"
    __table_args__ = (check_in("level", RegionLevel, "level"),)

    code: Mapped[str] = mapped_column(sa.String(limits.REGION_CODE), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(limits.REGION_NAME))
    level: Mapped[str] = mapped_column(sa.String(12))
    parent_code: Mapped[str | None] = mapped_column(sa.ForeignKey("regions.code"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
