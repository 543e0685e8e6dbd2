"""Accounts and bearer tokens."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from ledger.commands.common import audit, check_row_version
from ledger.context import Context
from ledger.commands.inputs import UserInput
from ledger.db import writing
from ledger.domain.enums import Role
from ledger.domain.errors import Conflict, Invalid
from ledger.models import ApiToken, Region, User
from ledger.passwords import (
    hash_password, new_token, one_time_password, password_matches, token_digest,
)
from ledger.postings.journal import record
from ledger.policy import Actor, require_user_admin
from ledger.queries.lookup import get_or_404



def actor_of(user: User) -> Actor:
    return Actor(user.id, user.username, user.role, user.region_code)


def _email(user: User) -> dict:
    """The address in a journal entry, when there is one (the messages are mailed to it)."""
    return {"email": user.email} if user.email else {}


def _check_region(ctx: Context, role: str, region_code: str | None) -> None:
    if role == Role.REGION:
        if region_code is None or ctx.session.get(Region, region_code) is None:
            raise Invalid("user.region_required", field="region_code")
    elif region_code is not None:
        raise Invalid("user.region_only_for_regions", field="region_code")


def create_user(ctx: Context, inp: UserInput, *, must_change_password: bool = False) -> User:
    """`must_change_password`: the password is a one-time one an administrator hands over
    (the web pages' new account); the user chooses their own at the first login."""
    require_user_admin(ctx.actor)
    with writing(ctx.session) as session:
        region_code = inp.given().get("region_code")
        _check_region(ctx, inp.role, region_code)
        if session.scalar(sa.select(User.id).where(User.username == inp.username)) is not None:
            raise Conflict("user.exists", field="username", username=inp.username)
        user = User(username=inp.username, password_hash=hash_password(inp.password),
                    role=inp.role, region_code=region_code, active=inp.active,
                    must_change_password=must_change_password,
                    email=inp.given().get("email"))
        session.add(user)
        session.flush()
        audit(ctx, "user.create", "user", user.id, None, record("user", user) | (
            {"password": "one_time"} if must_change_password else {}) | _email(user))
    return user


def update_user(ctx: Context, user_id: int, inp: UserInput, row_version: int | None = None) -> User:
    require_user_admin(ctx.actor)
    with writing(ctx.session) as session:
        user = get_or_404(session, User, user_id, "user")
        check_row_version(user.row_version, row_version)
        before = record("user", user) | _email(user)
        changes = inp.given()
        role = changes.get("role", user.role)
        region_code = changes["region_code"] if "region_code" in changes else (
            user.region_code if role == Role.REGION else None)
        _check_region(ctx, role, region_code)
        active = changes.get("active", user.active)
        if user.role == Role.ADMIN and user.active and (role != Role.ADMIN or not active):
            _keep_an_admin(session, user.id)
        user.role, user.region_code, user.active = role, region_code, active
        user.email = changes.get("email", user.email)
        password_changed = "password" in changes
        if password_changed:
            user.password_hash = hash_password(changes["password"])
        if password_changed or not user.active or before["role"] != role:
            _revoke_all(ctx, user.id)
        session.flush()
        after = record("user", user) | _email(user) | (
            {"password": "changed"} if password_changed else {})
        audit(ctx, "user.update", "user", user.id, before, after)
    return user


def reset_password(ctx: Context, user_id: int, row_version: int | None = None) -> tuple[User, str]:
    """An administrator gives `user_id` a new one-time password: every session and token of
    the user ends, and the user must choose a new password at the next login. Returns the
    user and the one-time password (shown once, stored only as its hash)."""
    require_user_admin(ctx.actor)
    password = one_time_password()
    with writing(ctx.session) as session:
        user = get_or_404(session, User, user_id, "user")
        check_row_version(user.row_version, row_version)
        user.password_hash = hash_password(password)
        user.must_change_password = True
        _revoke_all(ctx, user.id)
        session.flush()
        audit(ctx, "user.password_reset", "user", user.id, None, {"password": "reset"})
    return user, password


def change_own_password(ctx: Context, old_password: str, new_password: str,
                        keep_token: str | None = None) -> User:
    """The acting user replaces their password, giving the present one (`old_password`; a
    wrong one is refused beside its field). Every other session and token of the user ends;
    `keep_token`, the one this change is made with, stays. Clears must_change_password."""
    with writing(ctx.session) as session:
        user = get_or_404(session, User, ctx.actor.id, "user")
        if not password_matches(user.password_hash, old_password):
            raise Invalid("password.wrong", field="old_password")
        if old_password == new_password:
            raise Invalid("password.unchanged", field="new_password")
        user.password_hash = hash_password(new_password)
        user.must_change_password = False
        keep = token_digest(keep_token) if isinstance(keep_token, str) else None
        ctx.session.execute(sa.update(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
            *([ApiToken.token_hash != keep] if keep else [])).values(revoked_at=ctx.now()))
        session.flush()
        audit(ctx, "user.password", "user", user.id, None, {"password": "changed"})
    return user


def _keep_an_admin(session, leaving: int) -> None:
    """409 when demoting or deactivating `leaving` would leave no active administrator (nobody
    could then manage users). The other active administrators are locked (PostgreSQL) so two
    administrators demoting each other at once cannot both succeed."""
    others = session.scalars(sa.select(User.id).where(
        User.role == Role.ADMIN, User.active.is_(True), User.id != leaving).with_for_update()).all()
    if not others:
        raise Conflict("user.last_admin", field="role")


def _revoke_all(ctx: Context, user_id: int) -> None:
    ctx.session.execute(sa.update(ApiToken).where(ApiToken.user_id == user_id,
                                                  ApiToken.revoked_at.is_(None))
                        .values(revoked_at=ctx.now()))


def issue_token(ctx: Context) -> tuple[str, ApiToken]:
    """A new random bearer token for the acting user; only its SHA-256 is stored.
    Returns (raw token, row)."""
    raw = new_token()
    with writing(ctx.session) as session:
        token = ApiToken(user_id=ctx.actor.id, token_hash=token_digest(raw),
                         expires_at=ctx.now() + timedelta(seconds=ctx.settings.token_ttl))
        session.add(token)
        session.flush()
        audit(ctx, "token.issue", "user", ctx.actor.id, None,
              {"token_id": token.id, "expires_at": token.expires_at.isoformat()})
    return raw, token


def revoke_token(ctx: Context, raw: str) -> bool:
    """Revoke the acting user's token `raw`; False when it is unknown or already revoked."""
    if not isinstance(raw, str):
        return False
    with writing(ctx.session) as session:
        token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == token_digest(raw),
                                                         ApiToken.user_id == ctx.actor.id))
        if token is None or token.revoked_at is not None:
            return False
        token.revoked_at = ctx.now()
        audit(ctx, "token.revoke", "user", ctx.actor.id, None, {"token_id": token.id})
    return True
