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


@pytest.mark.parametrize(("rows_a_statement", "bound_values", "statements"), [
    (3, None, [(4, 15), (4, 15), (2, 5)]),  # INSERT_VALUES_ROWS rows each (here 3)
    # fewer where SQLite's limit of bound values says so (here 12: two rows of five columns)
    (500, 12, [(3, 10), (3, 10), (3, 10), (2, 5)]),
])
def test_sqlite_inserts_many_rows_a_statement_in_statements_of_one_size(
        scratch, monkeypatch, rows_a_statement, bound_values, statements):
    """The last statement takes the rest; every other is the same text (which the driver keeps
    prepared); all the rows, in order. (Each statement counted as the columns' parentheses and
    a row's each, and its bound values.)"""
    engine, table = scratch
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's multi-row INSERT")
    monkeypatch.setattr("ledger.db.INSERT_VALUES_ROWS", rows_a_statement)
    at = datetime(2025, 1, 1, tzinfo=UTC)
    rows = [{"id": i, "name": f"n{i}", "amount": i, "at": at, "note": None} for i in range(7)]
    inserts = []
    listener = lambda *args: inserts.append((args[2], len(args[3])))  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        with engine.begin() as conn:
            driver = conn.connection.driver_connection
            was = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
            driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, bound_values or was)
            try:
                insert_rows(conn, table, rows)
            finally:
                driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, was)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    made = [(sql, n) for sql, n in inserts if sql.startswith("INSERT")]
    assert [(sql.count("("), n) for sql, n in made] == statements
    assert len({sql for sql, _ in made[:-1]}) == 1
    with engine.connect() as conn:
        back = [dict(r._mapping) for r in conn.execute(sa.select(table).order_by(table.c.id))]
    assert back == rows
