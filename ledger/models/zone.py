from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base, UTCDateTime, check_in, utcnow
from ledger.domain import limits
from ledger.domain.enums import ZoneKind, ZoneLevel


class Zone(Base):
    """A development zone (开发区). Industry lists hold GB/T 4754-2017 codes."""

    __tablename__ = "zones"
    __table_args__ = (
        check_in("level", ZoneLevel, "level"),
        check_in("kind", ZoneKind, "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(limits.ZONE_NAME), unique=True)
    level: Mapped[str] = mapped_column(sa.String(12))
    kind: Mapped[str] = mapped_column(sa.String(12))
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"), index=True)
    blocks: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    leading_industries: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    restricted_industries: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    row_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": row_version}
