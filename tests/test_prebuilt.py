"""ledger.db.Prebuilt: a statement compiled once and run by the driver gives what
Connection.execute gives — the same rows through the same type processing, the driver's
errors as SQLAlchemy's, the statement announced to before_cursor_execute — on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from ledger.db import Hash, Money, Prebuilt, UTCDateTime, adding

_metadata = sa.MetaData()
_table = sa.Table("scratch_prebuilt", _metadata,
                  sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                  sa.Column("amount", Money, nullable=False),
                  sa.Column("at", UTCDateTime, nullable=False),
                  sa.Column("on", sa.Date),
                  sa.Column("hash", Hash),
                  sa.Column("status", sa.String(10), nullable=False))
_sums = sa.Table("scratch_prebuilt_sums", _metadata,
                 sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                 sa.Column("amount", Money, nullable=False))


@pytest.fixture
def engine(app):
    engine = app.extensions["ledger.engine"]
    _metadata.create_all(engine)
    try:
        yield engine
    finally:
        _metadata.drop_all(engine)


_INSERT = Prebuilt(_table.insert().values({c.name: sa.bindparam(c.name) for c in _table.c})
                   .returning(_table.c.id, _table.c.at))
# a literal (the statuses) and a LIMIT, bound by the statement itself; `after` by the caller
_SELECT = (sa.select(_table.c.id, _table.c.amount, _table.c.at, _table.c.on, _table.c.hash)
           .where(_table.c.at > sa.bindparam("after"),
                  _table.c.status.in_([sa.literal("filed"), sa.literal("kept")]))
           .order_by(_table.c.id).limit(10))

_ROWS = [{"id": i, "amount": 10**15 + i, "at": datetime(2025, 1, 1, 8, 0, i, 123456 * (i % 2),
                                                       tzinfo=timezone(timedelta(hours=8))),
          "on": None if i % 2 else date(2024, 2, i + 1), "hash": f"{i:02x}" * 32,
          "status": ("filed", "kept", "draft")[i % 3]} for i in range(6)]


def test_the_rows_are_those_connection_execute_gives(engine):
    with engine.begin() as conn:
        for row in _ROWS:
            [(id_, at)] = _INSERT.rows(conn, row)
            assert (id_, at) == (row["id"], row["at"].astimezone(UTC))
    prebuilt = Prebuilt(_SELECT)
    after = datetime(2025, 1, 1, 0, 0, 1, tzinfo=UTC)
    with engine.connect() as conn:
        core = [tuple(r) for r in conn.execute(_SELECT, {"after": after})]
        mine = prebuilt.rows(conn, {"after": after})
    assert mine == core and len(core) == 3  # ids 1, 3, 4: kept, filed, kept after the first
    assert [type(v) for v in mine[0]] == [int, int, datetime, type(None), str]


def test_run_many_adds_to_the_rows_there(engine):
    """adding's upsert (the running balances'), two rows at once and again."""
    upsert = adding(_sums, ("id",), ("amount",), engine.dialect.name)
    with engine.begin() as conn:
        upsert.run_many(conn, [{"id": 1, "amount": 5}])
        upsert.run_many(conn, [{"id": 1, "amount": 10**15}, {"id": 2, "amount": -3}])
    with engine.connect() as conn:
        assert conn.execute(sa.select(_sums).order_by(_sums.c.id)).all() == [
            (1, 10**15 + 5), (2, -3)]


def test_a_wrong_parameter_is_a_type_error(engine):
    with engine.begin() as conn:
        with pytest.raises(TypeError, match="takes"):
            _INSERT.rows(conn, {"id": 9})
        with pytest.raises(TypeError, match="money"):  # Money's bind processing ran
            _INSERT.rows(conn, _ROWS[1] | {"amount": 1.5})


def test_a_driver_error_is_sqlalchemys_and_the_statement_is_announced(engine):
    seen = []
    listener = lambda conn, cursor, statement, *rest: seen.append(statement)  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        with engine.begin() as conn:
            _INSERT.rows(conn, _ROWS[0])
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            _INSERT.rows(conn, _ROWS[0])  # the same id again
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    assert sum(s.startswith("INSERT INTO scratch_prebuilt") for s in seen) == 2


def test_an_expanding_parameter_is_refused(engine):
    statement = Prebuilt(sa.select(_table.c.id).where(_table.c.id.in_(sa.bindparam(
        "ids", expanding=True))))
    with engine.connect() as conn, pytest.raises(TypeError, match="expanding"):
        statement.rows(conn, {"ids": [1]})
