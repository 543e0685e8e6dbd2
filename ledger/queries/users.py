"""Accounts: the list for administrators, and the lookups behind logging in."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.models import ApiToken, User
from ledger.passwords import password_matches, token_digest
from ledger.policy import Actor, require_user_admin
from ledger.queries.lookup import get_or_404


def users(actor: Actor) -> sa.Select:
    require_user_admin(actor)
    return sa.select(User).order_by(User.username)


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


def user_for_token(session: Session, raw: object, now: datetime) -> User | None:
    if not isinstance(raw, str):
        return None
    token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == token_digest(raw)))
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        return None
    user = session.get(User, token.user_id)
    return user if user is not None and user.active else None


def me(session: Session, actor: Actor) -> User:
    return session.get(User, actor.id)
