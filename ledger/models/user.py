from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base, UTCDateTime, check_in, utcnow
from ledger.domain import limits
from ledger.domain.enums import Role


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        check_in("role", Role, "role"),
        sa.CheckConstraint(
            "(role = 'region') = (region_code IS NOT NULL)", name="region_code_iff_region_role"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(limits.USERNAME_MAX), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(12))
    region_code: Mapped[str | None] = mapped_column(sa.ForeignKey("regions.code"))
    active: Mapped[bool] = mapped_column(default=True)
    # Where the messages (ledger.queries.notifications) are also mailed, when SMTP is set up.
    email: Mapped[str | None] = mapped_column(sa.String(limits.EMAIL))
    # Set by an administrator's password reset: the web pages then open only the change page.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    row_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": row_version}


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
