"""What one PUT /projects/{id}/investments/{period} costs the database, counted (not timed):
on PostgreSQL the bearer-token read and the report share one connection checkout (one
pool_pre_ping) and one transaction, and the chain heads are read once under the lock."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from ledger.db import finish, writing


@contextmanager
def counted(engine: sa.Engine):
    """Statements, pool checkouts and transaction events on `engine` while the block runs."""
    seen = {"statements": [], "checkout": 0, "begin": 0, "commit": 0, "rollback": 0}

    def statement(conn, cursor, text, params, context, executemany):
        seen["statements"].append(text)

    def count(name):
        def listener(*_):
            seen[name] += 1
        return listener

    hooks = [(engine, "before_cursor_execute", statement),
             (engine.pool, "checkout", count("checkout")),
             *((engine, name, count(name)) for name in ("begin", "commit", "rollback"))]
    for target, name, fn in hooks:
        event.listen(target, name, fn)
    try:
        yield seen
    finally:
        for target, name, fn in hooks:
            event.remove(target, name, fn)


def test_a_put_is_one_connection_and_one_transaction(seeded):
    host = seeded.as_("host")
    path = f"/projects/{seeded.ids['p_filed']}/investments/2025-03"
    engine = seeded.app.extensions["ledger.engine"]
    with counted(engine) as seen:
        r = host.put(path, {"amount": "12.34"})
    assert r.status_code == 200 and r.json["created"] and r.json["postings"], r.json
    selects = [s for s in seen["statements"] if s.lstrip().upper().startswith("SELECT")]
    token_reads = [s for s in selects if "api_tokens" in s]
    journal_head_reads = [s for s in selects if "FROM audit_log" in s]
    revision_reads = [s for s in selects if "FROM investment_reports" in s]
    assert len(token_reads) == 1
    # The write lock taken at the start (on PostgreSQL by the token's statement), the heads
    # read once under it, with the months' revisions, by the check's one statement (the plan
    # and the append take them from it).
    assert len(journal_head_reads) == 1 and len(revision_reads) == 1
    # The token read opens the transaction the report then writes in: one checkout (and
    # pre-ping), one BEGIN (on SQLite BEGIN IMMEDIATE, the write lock: ledger.db.begin_writing),
    # no ROLLBACK.
    assert (seen["checkout"], seen["begin"], seen["commit"], seen["rollback"]) == (1, 1, 1, 0)
    if engine.dialect.name == "sqlite":
        assert seen["statements"][0] == "BEGIN IMMEDIATE"
    # the token (and on PostgreSQL the lock), the check's, plan's and append's reads in one
    # statement, 4 inserts
    assert len(seen["statements"]) == (7 if engine.dialect.name == "sqlite" else 6)


def test_a_write_after_a_failed_statement_starts_a_new_transaction(app, session):
    """A read transaction that hit an error cannot go on as the write transaction (PostgreSQL
    refuses every statement after an error until ROLLBACK): writing() rolls it back first."""
    with pytest.raises(sa.exc.DBAPIError):
        session.execute(sa.text("SELECT * FROM no_such_table"))
    assert session.in_transaction()
    with writing(session):
        assert session.execute(sa.text("SELECT 2")).scalar() == 2
    assert not session.in_transaction()


def test_a_write_goes_on_from_a_read_of_the_request(app, session):
    """What the request read before writing stays readable in the write transaction, and the
    write commits."""
    from ledger.models import AssessmentYear

    before = session.execute(sa.select(sa.func.count()).select_from(AssessmentYear)).scalar()
    with writing(session):
        session.add(AssessmentYear(year=2031, status="open"))
    assert not session.in_transaction()
    with app.extensions["ledger.engine"].connect() as other:
        assert other.execute(sa.select(sa.func.count()).select_from(AssessmentYear)
                             ).scalar() == before + 1


def test_an_attribution_read_is_one_connection_and_one_transaction(seeded):
    """GET /attribution waits for the writers in flight (settled) in the transaction the token
    read opened (ledger.api.support.settles): on PostgreSQL one checkout, the shared lock taken
    by the token's own statement (two statements in all, the token and the figures), and COMMIT
    instead of ROLLBACK, which would make psycopg drop its prepared statements; on SQLite the
    token read in the BEGIN IMMEDIATE transaction, not in a read transaction rolled back first."""
    engine = seeded.app.extensions["ledger.engine"]
    with counted(engine) as seen:
        r = seeded.as_("statistics").get("/attribution?year=2025")
    assert r.status_code == 200 and r.json["regions"], r.json
    assert (seen["begin"], seen["commit"], seen["rollback"]) == (1, 1, 0)
    if engine.dialect.name == "postgresql":
        assert seen["checkout"] == 1
        assert len(seen["statements"]) == 2
        assert "pg_advisory_xact_lock_shared" in seen["statements"][0]


def test_a_read_ends_with_commit_and_a_failed_one_with_rollback(seeded):
    """A request that only read ends its transaction with COMMIT on PostgreSQL (the pool's
    ROLLBACK would make psycopg drop its prepared statements); one that failed ends with
    ROLLBACK, and so does every request on SQLite."""
    engine = seeded.app.extensions["ledger.engine"]
    statistics = seeded.as_("statistics")
    with counted(engine) as seen:
        r = statistics.get(f"/agreements/{seeded.ids['a_filed']}")
    assert r.status_code == 200, r.json
    postgres = engine.dialect.name == "postgresql"
    assert (seen["commit"], seen["rollback"]) == ((1, 0) if postgres else (0, 1))

    # a request that failed after a read (the teardown passes its exception)
    session = seeded.app.extensions["ledger.sessionmaker"]()
    with counted(engine) as seen:
        session.execute(sa.text("SELECT 1"))
        finish(session, failed=True)
    assert (seen["commit"], seen["rollback"]) == (0, 1)
