"""Accounts, Argon2id passwords and bearer tokens (issue, expiry, revocation)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from ledger.commands.users import actor_of, revoke_token
from ledger.db import utcnow
from ledger.models import ApiToken, User
from ledger.queries.users import check_password, user_for_token
from tests import drive
from tests.factories import ADMIN
from tests.helpers import audit_rows, issue_token_for


def make(world, username="zhangsan", password="correct horse", role="commerce", **extra):
    return drive.create_user(world.ctx(ADMIN), {"username": username, "password": password,
                                                "role": role, **extra})


def lookup(session, raw, now=None):
    return user_for_token(session, raw, now or utcnow())


def revoke(world, user, raw):
    return revoke_token(world.ctx(actor_of(user)), raw)


def tokens_of(session, user_id):
    return session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user_id)
                           .order_by(ApiToken.id)).all()


def test_password_is_stored_as_argon2id(world, session):
    u = make(world)
    assert u.password_hash.startswith("$argon2id$")
    assert "correct horse" not in u.password_hash
    # A memory-hard hash: the parameters are the library's recommended ones, not weakened.
    params = PasswordHasher().check_needs_rehash(u.password_hash)
    assert params is False
    assert "m=65536" in u.password_hash
    # Two users with the same password get different salts.
    other = make(world, "lisi")
    assert other.password_hash != u.password_hash
    created = audit_rows(session, "user", u.id)
    assert [r.action for r in created] == ["user.create"]
    assert created[0].after == {"username": "zhangsan", "role": "commerce", "region_code": None,
                                "active": True}
    assert "password" not in str(created[0].after) and "argon2" not in str(created[0].after)


def test_region_user_has_its_region(world, session):
    u = make(world, role="region", region_code="640221")
    assert (u.role, u.region_code, u.active) == ("region", "640221", True)
    actor = actor_of(u)
    assert (actor.id, actor.username, actor.role, actor.region_code) == (u.id, "zhangsan", "region", "640221")


@pytest.mark.parametrize("username,password,ok", [
    ("zhangsan", "correct horse", True),
    ("zhangsan", "correct horsE", False),
    ("zhangsan", "", False),
    ("zhangsan", "correct horse ", False),
    ("nobody", "correct horse", False),
    ("ZHANGSAN", "correct horse", False),
], ids=["right", "wrong-case", "empty", "trailing-space", "unknown-user", "username-case"])
def test_check_password(world, session, username, password, ok):
    u = make(world)
    found = check_password(session, username, password)
    assert (found.id if found else None) == (u.id if ok else None)


@pytest.mark.parametrize("username,password", [
    ("zhangsan", None), ("zhangsan", 12345678), (None, "correct horse"), (["zhangsan"], "correct horse"),
], ids=["password-none", "password-int", "username-none", "username-list"])
def test_check_password_with_malformed_input_fails_cleanly(world, session, username, password):
    make(world)
    assert check_password(session, username, password) is None


@pytest.mark.parametrize("raw", [None, 42, b"bytes"], ids=["none", "int", "bytes"])
def test_malformed_token_is_no_token(world, session, raw):
    u = make(world)
    issue_token_for(session, u, 3600)
    assert lookup(session, raw) is None
    assert revoke(world, u, raw) is False


def test_inactive_user_cannot_log_in(world, session):
    u = make(world, active=False)
    assert check_password(session, "zhangsan", "correct horse") is None
    drive.update_user(world.ctx(ADMIN), u.id, {"active": True})
    assert check_password(session, "zhangsan", "correct horse").id == u.id


def test_issue_and_use_a_token(world, session):
    u = make(world)
    raw, row = issue_token_for(session, u, 3600)
    assert isinstance(raw, str) and len(raw) >= 40
    assert row.token_hash == hashlib.sha256(raw.encode()).hexdigest() != raw
    assert row.revoked_at is None
    assert timedelta(seconds=3590) < row.expires_at - utcnow() <= timedelta(seconds=3600)
    assert lookup(session, raw).id == u.id
    assert lookup(session, raw + "x") is None
    assert lookup(session, "") is None
    raw2, _ = issue_token_for(session, u, 3600)
    assert raw2 != raw and lookup(session, raw2).id == u.id
    issued = [r for r in audit_rows(session, "user", u.id) if r.action == "token.issue"]
    assert len(issued) == 2 and issued[0].after["token_id"] == row.id
    assert raw not in str(issued[0].after)  # the raw token is never stored


@pytest.mark.parametrize("ttl", [0, -1, -3600], ids=["zero", "minus-one", "minus-hour"])
def test_token_with_no_lifetime_is_rejected(world, session, ttl):
    u = make(world)
    raw, row = issue_token_for(session, u, ttl)
    assert row.expires_at <= utcnow()
    assert lookup(session, raw) is None


def test_token_expires(world, session):
    u = make(world)
    raw, row = issue_token_for(session, u, 60)
    assert lookup(session, raw).id == u.id
    later = row.expires_at
    assert lookup(session, raw, later - timedelta(microseconds=1)).id == u.id
    assert lookup(session, raw, later) is None


def test_revoke_a_token(world, session):
    u = make(world)
    raw, row = issue_token_for(session, u, 3600)
    other, _ = issue_token_for(session, u, 3600)
    assert revoke(world, u, raw) is True
    assert lookup(session, raw) is None
    assert lookup(session, other).id == u.id  # only that token
    assert revoke(world, u, raw) is False  # already revoked
    assert revoke(world, u, "no-such-token") is False
    session.refresh(row)
    assert row.revoked_at is not None
    revoked = [r for r in audit_rows(session, "user", u.id) if r.action == "token.revoke"]
    assert [r.after for r in revoked] == [{"token_id": row.id}]


@pytest.mark.parametrize("change,revokes", [
    ({"active": False}, True),
    ({"password": "a brand new one"}, True),
    ({"role": "statistics"}, True),
    ({"active": True}, False),
    ({"role": "commerce"}, False),
], ids=["deactivate", "change-password", "change-role", "same-active", "same-role"])
def test_account_changes_revoke_tokens(world, session, change, revokes):
    u = make(world)
    raws = [issue_token_for(session, u, 3600)[0] for _ in range(2)]
    drive.update_user(world.ctx(ADMIN), u.id, change)
    for raw in raws:
        found = lookup(session, raw)
        assert (found is None) == revokes
    assert all((t.revoked_at is not None) == revokes for t in tokens_of(session, u.id))
    if revokes and change.get("active") is False:
        # Reactivating does not bring old tokens back.
        drive.update_user(world.ctx(ADMIN), u.id, {"active": True})
        assert all(lookup(session, raw) is None for raw in raws)


def test_password_change(world, session):
    u = make(world)
    old_hash = u.password_hash
    drive.update_user(world.ctx(ADMIN), u.id, {"password": "a brand new one"})
    session.refresh(u)
    assert u.password_hash.startswith("$argon2id$") and u.password_hash != old_hash
    assert check_password(session, "zhangsan", "correct horse") is None
    assert check_password(session, "zhangsan", "a brand new one").id == u.id
    row = audit_rows(session, "user", u.id)[-1]
    assert row.action == "user.update"
    assert row.after["password"] == "changed"
    assert "a brand new one" not in str(row.after) and "argon2" not in str(row.after)


def test_role_change_from_region_drops_the_region(world, session):
    u = make(world, role="region", region_code="640221")
    drive.update_user(world.ctx(ADMIN), u.id, {"role": "commerce"})
    session.refresh(u)
    assert (u.role, u.region_code) == ("commerce", None)
    row = audit_rows(session, "user", u.id)[-1]
    assert (row.before["region_code"], row.after["region_code"]) == ("640221", None)


def test_tokens_of_one_user_do_not_touch_another(world, session):
    a, b = make(world, "alpha"), make(world, "bravo")
    raw_a, _ = issue_token_for(session, a, 3600)
    raw_b, _ = issue_token_for(session, b, 3600)
    drive.update_user(world.ctx(ADMIN), a.id, {"active": False})
    assert lookup(session, raw_a) is None
    assert lookup(session, raw_b).id == b.id
    assert session.get(User, b.id).active is True


def test_an_email_address_is_kept_journaled_and_cleared(world, session):
    u = make(world, email="zhangsan@example.cn")
    assert u.email == "zhangsan@example.cn"
    drive.update_user(world.ctx(ADMIN), u.id, {"email": "zs@example.cn"})
    assert session.get(User, u.id).email == "zs@example.cn"
    drive.update_user(world.ctx(ADMIN), u.id, {"email": None})
    assert session.get(User, u.id).email is None
    created, changed, cleared = audit_rows(session, "user", u.id)
    assert created.after["email"] == "zhangsan@example.cn"
    assert (changed.before["email"], changed.after["email"]) == ("zhangsan@example.cn",
                                                                 "zs@example.cn")
    assert cleared.before["email"] == "zs@example.cn" and "email" not in cleared.after
