"""Accounts (ledger/queries/users.py): the administrators' list, logging in by password, and the
bearer token's user — live only while the token is neither revoked nor expired and the user
active."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ledger.commands.users import revoke_token
from ledger.db import utcnow
from ledger.domain.errors import Forbidden, NotFound
from ledger.policy import Actor
from ledger.queries.users import (
    actor_for_token, by_username, check_password, me, user, user_for_token, users,
)
from tests import drive
from tests.factories import ADMIN, PASSWORD
from tests.helpers import issue_token_for


def test_only_an_administrator_lists_the_users_by_username(world, session):
    names = [u.username for u in session.scalars(users(ADMIN))]
    assert names == sorted(names) and {"lingwu", "tongji", "shangwu"} <= set(names)
    lingwu = by_username(session, "lingwu")
    assert user(session, ADMIN, lingwu.id).username == "lingwu"
    with pytest.raises(NotFound):
        user(session, ADMIN, lingwu.id + 1000)
    for actor in (world.lingwu, world.statistics):
        with pytest.raises(Forbidden):
            users(actor)
        with pytest.raises(Forbidden):
            user(session, actor, lingwu.id)
    assert me(session, world.lingwu).id == lingwu.id


def test_a_login_needs_the_right_password_of_an_active_user(world, session):
    assert check_password(session, "lingwu", PASSWORD).username == "lingwu"
    assert check_password(session, "lingwu", PASSWORD + "x") is None
    assert check_password(session, "nobody", PASSWORD) is None
    assert check_password(session, ["lingwu"], PASSWORD) is None   # malformed: a failed login
    assert check_password(session, "lingwu", None) is None
    drive.update_user(world.ctx(ADMIN), world.lingwu.id, {"active": False})
    assert check_password(session, "lingwu", PASSWORD) is None


def test_a_token_names_its_user_while_it_lives(world, session):
    lingwu = by_username(session, "lingwu")
    raw, row = issue_token_for(session, lingwu, 3600)
    now = utcnow()
    assert user_for_token(session, raw, now).id == lingwu.id
    assert actor_for_token(session, raw, now) == Actor(lingwu.id, "lingwu", "region", "640181")
    later = row.expires_at + timedelta(seconds=1)
    for raw_, at in ((raw, later), (raw + "x", now), (None, now), (b"bytes", now)):
        assert user_for_token(session, raw_, at) is None
        assert actor_for_token(session, raw_, at) is None
    assert revoke_token(world.ctx(world.lingwu), raw)
    assert user_for_token(session, raw, now) is None and actor_for_token(session, raw, now) is None


def test_a_deactivated_users_token_names_nobody(world, session):
    pingluo = by_username(session, "pingluo")
    raw, _ = issue_token_for(session, pingluo, 3600)
    assert actor_for_token(session, raw, utcnow()).username == "pingluo"
    drive.update_user(world.ctx(ADMIN), pingluo.id, {"active": False})
    assert user_for_token(session, raw, utcnow()) is None
    assert actor_for_token(session, raw, utcnow()) is None


def test_a_write_requests_token_read_takes_the_lock_and_generic_plans_on_postgresql(world,
                                                                                   session):
    """On PostgreSQL the token's statement of a `writes` request (WRITE_LOCK) takes the write
    lock and sets generic plans for that transaction only; a read's takes neither."""
    import sqlalchemy as sa

    from ledger.db import WRITE_LOCK

    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite takes its write lock by BEGIN IMMEDIATE and has no plan cache")
    raw, _ = issue_token_for(session, by_username(session, "lingwu"), 3600)
    session.commit()
    mode = sa.text("SELECT current_setting('plan_cache_mode')")
    default = session.scalar(mode)
    session.commit()
    assert actor_for_token(session, raw, utcnow()).username == "lingwu"
    assert session.scalar(mode) == default != "force_generic_plan"
    session.commit()
    assert actor_for_token(session, raw, utcnow(), WRITE_LOCK).username == "lingwu"
    assert WRITE_LOCK.held(session) and session.scalar(mode) == "force_generic_plan"
    session.commit()
    assert session.scalar(mode) == default
