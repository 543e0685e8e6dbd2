"""ledger.db.insert_rows: by COPY on PostgreSQL from COPY_FROM_ROWS rows, by executemany below
that, on SQLite by INSERTs of many rows each — the same rows every way, through the columns' own
bind processing."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from ledger.db import COPY_FROM_ROWS, Money, UTCDateTime, insert_rows


@pytest.fixture
def scratch(app):
    """A table of its own (text, money, time, a nullable note), dropped afterwards."""
    engine = app.extensions["ledger.engine"]
    metadata = sa.MetaData()
    table = sa.Table("scratch_insert_rows", metadata,
                     sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                     sa.Column("name", sa.String(40), nullable=False),
                     sa.Column("amount", Money, nullable=False),
                     sa.Column("at", UTCDateTime, nullable=False),
                     sa.Column("note", sa.Text))
    metadata.create_all(engine)
    try:
        yield engine, table
    finally:
        metadata.drop_all(engine)


@pytest.mark.parametrize("n", [1, COPY_FROM_ROWS - 1, COPY_FROM_ROWS, 3 * COPY_FROM_ROWS])
def test_rows_read_back_as_written(scratch, n):
    engine, table = scratch
    beijing = timezone(timedelta(hours=8))
    rows = [{"id": i, "name": f"灵武\t市 {i}\\n", "amount": 10**15 + i - 5 * (i % 2),
             "at": datetime(2025, 1, 1, 8, 0, i % 60, 123456, tzinfo=beijing),
             "note": None if i % 3 else f"第{i}期\n\"引号\""} for i in range(n)]
    inserts = []
    listener = lambda *args: inserts.append(args[2])  # noqa: E731  (conn, cursor, statement, …)
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        with engine.begin() as conn:
            insert_rows(conn, table, rows)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    copied = engine.dialect.name == "postgresql" and n >= COPY_FROM_ROWS
    assert [s for s in inserts if s.startswith("INSERT")] == ([] if copied else [inserts[-1]])
    with engine.connect() as conn:
        back = [dict(r._mapping) for r in conn.execute(sa.select(table).order_by(table.c.id))]
    assert back == [r | {"at": r["at"].astimezone(UTC)} for r in rows]


@pytest.mark.parametrize("n", [1, COPY_FROM_ROWS])
def test_a_float_amount_is_refused_and_nothing_is_written(scratch, n):
    engine, table = scratch
    rows = [{"id": i, "name": "x", "amount": 1, "at": datetime.now(UTC), "note": None}
            for i in range(n)]
    rows[-1]["amount"] = 1.5
    with pytest.raises((TypeError, sa.exc.StatementError)), engine.begin() as conn:
        insert_rows(conn, table, rows)
    with engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(table)) == 0


def test_sqlite_inserts_rows_in_statements_of_one_size_that_come_prepared(scratch, monkeypatch):
    """INSERT_VALUES_ROWS rows to a statement (here 3), the last taking the rest: one text for
    every full statement, which the driver keeps prepared; in order, all of them."""
    engine, table = scratch
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's multi-row INSERT")
    monkeypatch.setattr("ledger.db.INSERT_VALUES_ROWS", 3)
    at = datetime(2025, 1, 1, tzinfo=UTC)
    rows = [{"id": i, "name": f"n{i}", "amount": i, "at": at, "note": None} for i in range(7)]
    inserts = []
    listener = lambda *args: inserts.append((args[2], len(args[3])))  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        with engine.begin() as conn:
            insert_rows(conn, table, rows)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    statements = [(s, n) for s, n in inserts if s.startswith("INSERT")]
    assert [(s.count("("), n) for s, n in statements] == [(4, 15), (4, 15), (2, 5)]
    assert statements[0][0] == statements[1][0]
    with engine.connect() as conn:
        back = [dict(r._mapping) for r in conn.execute(sa.select(table).order_by(table.c.id))]
    assert back == rows


def test_sqlite_splits_many_rows_by_its_limit_of_bound_values(scratch):
    """As many rows to a statement as SQLite's limit of bound values allows (here lowered to
    12: two rows of five columns), the last statement taking the rest; in order, all of them."""
    engine, table = scratch
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's multi-row INSERT")
    at = datetime(2025, 1, 1, tzinfo=UTC)
    rows = [{"id": i, "name": f"n{i}", "amount": i, "at": at, "note": None} for i in range(7)]
    inserts = []
    listener = lambda *args: inserts.append((args[2], len(args[3])))  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        with engine.begin() as conn:
            driver = conn.connection.driver_connection
            was = driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 12)
            try:
                insert_rows(conn, table, rows)
            finally:
                driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, was)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    assert [(s.count("("), n) for s, n in inserts if s.startswith("INSERT")] == [
        (3, 10), (3, 10), (3, 10), (2, 5)]  # the columns' parentheses and a row's each
    with engine.connect() as conn:
        back = [dict(r._mapping) for r in conn.execute(sa.select(table).order_by(table.c.id))]
    assert back == rows
