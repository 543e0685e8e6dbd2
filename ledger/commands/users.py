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
from ledger.passwords import hash_password, new_token, token_digest
from ledger.postings.journal import record
from ledger.policy import Actor, require_user_admin
from ledger.queries.lookup import get_or_404



def actor_of(user: User) -> Actor:
    return Actor(user.id, user.username, user.role, user.region_code)


def _check_region(ctx: Context, role: str, region_code: str | None) -> None:
    if role == Role.REGION:
        if region_code is None or ctx.session.get(Region, region_code) is None:
            raise Invalid("user.region_required", field="region_code")
    elif region_code is not None:
        raise Invalid("user.region_only_for_regions", field="region_code")


def create_user(ctx: Context, inp: UserInput) -> User:
    require_user_admin(ctx.actor)
    with writing(ctx.session) as session:
        region_code = inp.given().get("region_code")
        _check_region(ctx, inp.role, region_code)
        if session.scalar(sa.select(User.id).where(User.username == inp.username)) is not None:
            raise Conflict("user.exists", field="username", username=inp.username)
        user = User(username=inp.username, password_hash=hash_password(inp.password),
                    role=inp.role, region_code=region_code, active=inp.active)
        session.add(user)
        session.flush()
        audit(ctx, "user.create", "user", user.id, None, record("user", user))
    return user


def update_user(ctx: Context, user_id: int, inp: UserInput, row_version: int | None = None) -> User:
    require_user_admin(ctx.actor)
    with writing(ctx.session) as session:
        user = get_or_404(session, User, user_id, "user")
        check_row_version(user.row_version, row_version)
        before = record("user", user)
        changes = inp.given()
        role = changes.get("role", user.role)
        region_code = changes["region_code"] if "region_code" in changes else (
            user.region_code if role == Role.REGION else None)
        _check_region(ctx, role, region_code)
        active = changes.get("active", user.active)
        if user.role == Role.ADMIN and user.active and (role != Role.ADMIN or not active):
            _keep_an_admin(session, user.id)
        user.role, user.region_code, user.active = role, region_code, active
        password_changed = "password" in changes
        if password_changed:
            user.password_hash = hash_password(changes["password"])
        if password_changed or not user.active or before["role"] != role:
            _revoke_all(ctx, user.id)
        session.flush()
        after = record("user", user) | ({"password": "changed"} if password_changed else {})
        audit(ctx, "user.update", "user", user.id, before, after)
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
