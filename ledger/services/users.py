"""Accounts, passwords (Argon2id, memory-hard) and bearer tokens (random, stored hashed)."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy.orm import Session

from ledger.db import utcnow, writing
from ledger.domain.errors import Conflict, Invalid
from ledger.models import ApiToken, Region, User
from ledger.models.enums import USER_ROLES
from ledger.policy import Actor, require_admin
from ledger.services.common import (
    as_bool, audit, check_row_version, get_or_404, reject_unknown, snapshot,
)

USER_FIELDS = ("username", "password", "role", "region_code", "active")
PUBLIC_FIELDS = ("username", "role", "region_code", "active")  # never the password hash
USERNAME_RE = re.compile(r"[A-Za-z0-9_.-]{3,50}")
MIN_PASSWORD = 8
_hasher = PasswordHasher()
# Verifying against this keeps the time of a login for an unknown user like a known one.
_DUMMY_HASH = _hasher.hash("not a real password")


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.username, user.role, user.region_code)


def _password(value) -> str:
    if not isinstance(value, str) or len(value) < MIN_PASSWORD:
        raise Invalid(f"must be at least {MIN_PASSWORD} characters", field="password")
    if len(value) > 200:
        raise Invalid("must be at most 200 characters", field="password")
    return value


def _role_and_region(session: Session, role, region_code) -> None:
    if role not in USER_ROLES:
        raise Invalid(f"must be one of {', '.join(USER_ROLES)}", field="role")
    if role == "region":
        if not isinstance(region_code, str) or session.get(Region, region_code) is None:
            raise Invalid("a region user needs an existing region_code", field="region_code")
    elif region_code is not None:
        raise Invalid("only region users have a region_code", field="region_code")


def create_user(session: Session, actor: Actor, data: dict) -> User:
    require_admin(actor, "manage users")
    reject_unknown(data, USER_FIELDS)
    username = data.get("username")
    if not isinstance(username, str) or not USERNAME_RE.fullmatch(username):
        raise Invalid("3–50 letters, digits, '.', '_' or '-'", field="username")
    password = _password(data.get("password"))
    active = as_bool(data.get("active", True), "active")
    with writing(session):
        _role_and_region(session, data.get("role"), data.get("region_code"))
        if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
            raise Conflict(f"user {username} already exists", field="username")
        user = User(username=username, password_hash=_hasher.hash(password), role=data["role"],
                    region_code=data.get("region_code"), active=active)
        session.add(user)
        session.flush()
        audit(session, actor, "user.create", "user", user.id, None, snapshot(user, PUBLIC_FIELDS))
    return user


def update_user(session: Session, actor: Actor, user_id: int, data: dict,
                row_version: int | None = None) -> User:
    require_admin(actor, "manage users")
    reject_unknown(data, USER_FIELDS)
    if "username" in data:
        raise Invalid("a username cannot be changed", field="username")
    with writing(session):
        user = get_or_404(session, User, user_id, "user")
        check_row_version(user.row_version, row_version)
        before = snapshot(user, PUBLIC_FIELDS)
        role = data.get("role", user.role)
        region_code = data["region_code"] if "region_code" in data else (
            user.region_code if role == "region" else None)
        _role_and_region(session, role, region_code)
        user.role, user.region_code = role, region_code
        if "active" in data:
            user.active = as_bool(data["active"], "active")
        password_changed = "password" in data
        if password_changed:
            user.password_hash = _hasher.hash(_password(data["password"]))
        if password_changed or not user.active or before["role"] != role:
            _revoke_all(session, user.id)
        session.flush()
        after = snapshot(user, PUBLIC_FIELDS) | ({"password": "changed"} if password_changed else {})
        audit(session, actor, "user.update", "user", user.id, before, after)
    return user


def _revoke_all(session: Session, user_id: int) -> None:
    session.execute(sa.update(ApiToken).where(ApiToken.user_id == user_id,
                                              ApiToken.revoked_at.is_(None))
                    .values(revoked_at=utcnow()))


def check_password(session: Session, username: str, password: str) -> User | None:
    if not isinstance(username, str) or not isinstance(password, str):
        return None  # a malformed login is a failed login, not a crash
    user = session.scalar(sa.select(User).where(User.username == username))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerifyMismatchError, InvalidHashError):
        return None
    return user if user is not None and user.active else None


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(session: Session, user: User, ttl_seconds: int) -> tuple[str, ApiToken]:
    """A new random bearer token; only its SHA-256 is stored. Returns (raw token, row)."""
    raw = secrets.token_urlsafe(32)
    with writing(session):
        token = ApiToken(user_id=user.id, token_hash=_digest(raw),
                         expires_at=utcnow() + timedelta(seconds=ttl_seconds))
        session.add(token)
        session.flush()
        audit(session, actor_of(user), "token.issue", "user", user.id, None,
              {"token_id": token.id, "expires_at": token.expires_at.isoformat()})
    return raw, token


def user_for_token(session: Session, raw: str) -> User | None:
    if not isinstance(raw, str):
        return None
    token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _digest(raw)))
    if token is None or token.revoked_at is not None or token.expires_at <= utcnow():
        return None
    user = session.get(User, token.user_id)
    return user if user is not None and user.active else None


def revoke_token(session: Session, raw: str) -> bool:
    if not isinstance(raw, str):
        return False
    with writing(session):
        token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _digest(raw)))
        if token is None or token.revoked_at is not None:
            return False
        token.revoked_at = utcnow()
        user = session.get(User, token.user_id)
        audit(session, actor_of(user), "token.revoke", "user", user.id, None, {"token_id": token.id})
    return True
