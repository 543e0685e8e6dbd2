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


class RegionsVersion(Base):
    """One row: a random token that triggers on `regions` set anew whenever a statement adds,
    changes or removes regions, by any path (the app, a restore, a hand-made UPDATE). A
    process that keeps the region tree (ledger.queries.attribution) reads the token with the
    figures and reads the tree again when it is not the one the tree was read under: equal
    tokens mean the same regions (a restored database brings its own token with its rows)."""

    __tablename__ = "regions_version"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    token: Mapped[int] = mapped_column(sa.BigInteger)
