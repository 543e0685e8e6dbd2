from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base, UTCDateTime, utcnow
from ledger.models.enums import ZONE_KINDS, ZONE_LEVELS, check_in


class Zone(Base):
    """A development zone (开发区). Industry lists hold GB/T 4754-2017 codes."""

    __tablename__ = "zones"
    __table_args__ = (
        check_in("level", ZONE_LEVELS, "level"),
        check_in("kind", ZONE_KINDS, "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    level: Mapped[str] = mapped_column(sa.String(12))
    kind: Mapped[str] = mapped_column(sa.String(12))
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"), index=True)
    blocks: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    leading_industries: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    restricted_industries: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    row_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": row_version}
