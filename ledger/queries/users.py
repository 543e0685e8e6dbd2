"""Accounts: the list for administrators, and the lookups behind logging in."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.db import SETTLE_LOCK, WRITE_LOCK, Lock, Prebuilt
from ledger.models import ApiToken, User
from ledger.passwords import password_matches, token_digest
from ledger.policy import Actor, require_user_admin
from ledger.queries.lookup import get_or_404


def users(actor: Actor, *, role: str | None = None, region: str | None = None,
          active: bool | None = None, q: str | None = None) -> sa.Select:
    """Every account by username; `q`: a part of the username (as typed, no wildcards)."""
    require_user_admin(actor)
    query = sa.select(User).order_by(User.username)
    if role is not None:
        query = query.where(User.role == role)
    if region is not None:
        query = query.where(User.region_code == region)
    if active is not None:
        query = query.where(User.active.is_(active))
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(User.username.ilike(f"%{escaped}%", escape="\\"))
    return query


def user(session: Session, actor: Actor, user_id: int) -> User:
    require_user_admin(actor)
    return get_or_404(session, User, user_id, "user")


def by_username(session: Session, username: str) -> User | None:
    return session.scalar(sa.select(User).where(User.username == username))


def check_password(session: Session, username: object, password: object) -> User | None:
    """The active user with this username and password, else None (same work either way)."""
    if not isinstance(username, str) or not isinstance(password, str):
        return None  # a malformed login is a failed login, not a crash
    user = by_username(session, username)
    ok = password_matches(user.password_hash if user else None, password)
    return user if ok and user.active else None


_users, _tokens = User.__table__, ApiToken.__table__
_USER_OF_TOKEN = _users.join(_tokens, _users.c.id == _tokens.c.user_id)


def _live_token(digest, now) -> sa.ColumnElement[bool]:
    """The token with this digest, neither revoked nor expired, of an active user: one rule for
    both lookups below (on _USER_OF_TOKEN)."""
    return sa.and_(_tokens.c.token_hash == digest, _tokens.c.revoked_at.is_(None),
                   _tokens.c.expires_at > now, _users.c.active)


def user_for_token(session: Session, raw: object, now: datetime) -> User | None:
    if not isinstance(raw, str):
        return None
    return session.scalar(sa.select(User).select_from(_USER_OF_TOKEN)
                          .where(_live_token(token_digest(raw), now)))


# Built once: every API request runs it (ledger.api.support.authenticate).
_TOKEN_ACTOR = (sa.select(_users.c.id, _users.c.username, _users.c.role, _users.c.region_code)
                .select_from(_USER_OF_TOKEN)
                .where(_live_token(sa.bindparam("digest"), sa.bindparam("now"))))
_ACTOR_OF_TOKEN = Prebuilt(_TOKEN_ACTOR)
# A write request's transaction on PostgreSQL (`writes`: a report's PUT) runs the same few
# statements every time, and uses their generic plans (plan_cache_mode, for that transaction
# only): PostgreSQL kept choosing a custom plan for the report's one read
# (ledger.commands.reports._at_once), planned anew at every request in more time than it reads.
_GENERIC_PLANS = sa.func.set_config("plan_cache_mode", "force_generic_plan", True)
# The same, taking also a lock when it finds the token (actor_for_token's `lock`).
_TAKING = {SETTLE_LOCK.mark: Prebuilt(_TOKEN_ACTOR.add_columns(SETTLE_LOCK.column)),
           WRITE_LOCK.mark: Prebuilt(_TOKEN_ACTOR.add_columns(WRITE_LOCK.column, _GENERIC_PLANS))}


def actor_for_token(session: Session, raw: object, now: datetime, lock: Lock | None = None
                    ) -> Actor | None:
    """user_for_token as the Actor it authenticates, from one plain row. `lock`: the request's
    transaction needs it next (ledger.api.support: `settles`, `writes`); on PostgreSQL the
    token's statement takes it too, one round trip instead of two."""
    if not isinstance(raw, str):
        return None
    conn = session.connection()
    lock = lock if conn.dialect.name == "postgresql" else None
    statement = _ACTOR_OF_TOKEN if lock is None else _TAKING[lock.mark]
    rows = statement.rows(conn, {"digest": token_digest(raw), "now": now})
    if not rows:
        return None
    row = rows[0]
    if lock is not None:
        lock.taken(session)
    return Actor(*row[:4])


def me(session: Session, actor: Actor) -> User:
    return session.get(User, actor.id)
