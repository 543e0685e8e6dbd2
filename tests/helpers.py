"""Helpers shared by the tests: database state, rejected calls, posting summaries."""

from __future__ import annotations

import hashlib
from collections import defaultdict

import pytest
import sqlalchemy as sa

from ledger.db import Base
from ledger.domain.errors import DomainError
from ledger.domain.money import format_amount
from ledger.models import AuditEntry, Posting


def db_state(session) -> dict:  # a Session or a Connection
    """Everything a failed call must leave alone: the row count of every table, a digest of
    every table's full contents, the postings head (max seq and its hash) and the audit count."""
    counts, digests = {}, {}
    for table in Base.metadata.sorted_tables:
        rows = session.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
        counts[table.name] = len(rows)
        digests[table.name] = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
    head = session.execute(sa.select(Posting.seq, Posting.hash)
                           .order_by(Posting.seq.desc()).limit(1)).first()
    return {
        "counts": counts,
        "digests": digests,
        "postings_head": tuple(head) if head else None,
        "audit_count": session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)),
    }


def assert_rejected(session, call, exc: type[DomainError], field: str | None = None) -> DomainError:
    """Run `call`, expect exactly `exc` (with `field` among err.errors), and the database
    exactly as before — both as this session sees it and as committed."""
    before = db_state(session)
    with pytest.raises(DomainError) as info:
        call()
    err = info.value
    assert type(err) is exc, f"expected {exc.__name__}, got {type(err).__name__}: {err.message}"
    assert err.status == exc.status
    if field is not None:
        assert err.errors is not None and field in err.errors, (field, err.errors, err.message)
        assert all(isinstance(m, str) and m for m in err.errors[field])
    assert not (session.new or session.dirty or session.deleted), "pending changes left behind"
    assert db_state(session) == before, "the database changed"
    session.rollback()
    assert db_state(session) == before, "the committed database changed"
    return err


def postings(session, project_id: int, year: int | None = None) -> list[tuple]:
    """(period, region, role, amount, version) in seq order."""
    query = sa.select(Posting).where(Posting.project_id == project_id).order_by(Posting.seq)
    if year is not None:
        query = query.where(Posting.period.like(f"{year:04d}-%"))
    return [(p.period, p.region_code, p.role, format_amount(p.amount), p.version)
            for p in session.scalars(query)]


def balances(session, project_id: int, year: int) -> dict[tuple[str, str], str]:
    """(region, role) → Σ postings of the project in the year (zero sums left out)."""
    sums: dict[tuple[str, str], int] = defaultdict(int)
    query = sa.select(Posting).where(Posting.project_id == project_id,
                                     Posting.period.like(f"{year:04d}-%"))
    for p in session.scalars(query):
        sums[(p.region_code, p.role)] += p.amount
    return {k: format_amount(v) for k, v in sorted(sums.items()) if v}


def posting_count(session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Posting))


def audit_rows(session, entity: str | None = None, entity_id=None) -> list:
    """The journal's entries (before and after parsed), oldest first."""
    from ledger.queries.audit import AuditRow
    query = sa.select(AuditEntry).order_by(AuditEntry.id)
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == str(entity_id))
    return [AuditRow.of(e) for e in session.scalars(query)]


def today():
    """Today in Beijing, as the commands see it with the real clock."""
    from ledger.db import utcnow
    from ledger.domain.periods import local_date
    return local_date(utcnow())


def issue_token_for(session, user, ttl_seconds: int):
    """(raw token, row) for `user` from a deployment whose tokens live `ttl_seconds`."""
    from ledger.commands.users import actor_of, issue_token
    from ledger.context import Context, Settings
    return issue_token(Context(session, actor_of(user), Settings(token_ttl=ttl_seconds)))


def verify(session, app=None, **kwargs):
    """`ledger verify` (ledger.postings.verify) with the checkpoint key of `app` (default: the
    current app)."""
    from flask import current_app

    from ledger import signing
    from ledger.postings import verify as run
    key_file = (app or current_app).config["SIGNING_KEY_FILE"]
    return run(session, signing.public_keys(key_file), **kwargs)


def tamper(app, sql: str, **params) -> int:
    """Change the database directly, as an intruder with full write access (or a broken tool)
    would — on PostgreSQL first switching off the append-only triggers, as a superuser can.
    Returns the rows changed."""
    with app.extensions["ledger.engine"].begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        return conn.execute(sa.text(sql), params).rowcount
