"""Engine and session setup, the declarative Base and the column types shared by the models."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import Iterator, NamedTuple

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Any constant will do: every transaction that writes takes this one lock on PostgreSQL,
# so posting appends (and the reads they depend on) are serialized.
WRITE_LOCK_KEY = 0x1ED6E5

# The integer `year` beside a 'YYYY-MM' period (postings, investment reports): what the year
# filters use, since `period LIKE 'YYYY-%'` can use no index on either database.
YEAR_OF_PERIOD = "year = CAST(substr(period, 1, 4) AS INTEGER)"


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class Money(sa.types.TypeDecorator):
    """An amount as an integer count of 0.01万元. Refuses anything but int: no floats, no Decimal."""

    impl = sa.BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and (type(value) is not int):
            raise TypeError(f"money must be an int of 0.01万元, got {type(value).__name__}")
        return value

    def bind_column(self, values: list) -> list:
        """process_bind_param of a column of values at once, ready for the driver
        (insert_rows): ints pass as they are (BigInteger has no processing of its own)."""
        if all(type(v) is int for v in values):
            return values
        return [self.process_bind_param(v, None) for v in values]


class UTCDateTime(sa.types.TypeDecorator):
    """Stored as naive UTC, returned as aware UTC. Naive input is refused, not guessed."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; pass an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


class Hash(sa.types.TypeDecorator):
    """A SHA-256 chain hash, stored as its 32 bytes and read as 64 lowercase hex digits: the
    chains hash the hex text (ledger/postings/chain.py), and every reader shows it."""

    impl = sa.LargeBinary(32)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else bytes.fromhex(value)

    def bind_column(self, values: list) -> list:
        """process_bind_param of a column of values at once, ready for the driver
        (insert_rows): bytes, which both drivers bind as a BLOB / bytea just as they bind
        LargeBinary's own processing of them (on SQLite a memoryview of each: a third of the
        time of readying a row of postings, for nothing)."""
        fromhex = bytes.fromhex
        if None in values:
            return [None if v is None else fromhex(v) for v in values]
        return list(map(fromhex, values))

    def process_result_value(self, value, dialect):
        if value is None or isinstance(value, str):  # text put in by hand on SQLite: as it is
            return value
        return bytes(value).hex()


def check_in(column: str, enum: type[StrEnum], name: str) -> sa.CheckConstraint:
    """A CHECK that `column` holds one of the enum's values (no database enum types: they make
    migrations brittle)."""
    quoted = ", ".join(f"'{member.value}'" for member in enum)
    return sa.CheckConstraint(f"{column} IN ({quoted})", name=name)


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str, **kwargs) -> sa.Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30}, **kwargs)
        _sqlite_setup(engine)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_setup(engine: sa.Engine) -> None:
    # pysqlite's own transaction handling is turned off so that we can emit BEGIN IMMEDIATE
    # for writers (serializing posting appends) and plain BEGIN for readers.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        write = conn.get_execution_options().get("ledger_write", False)
        _driver(conn, "BEGIN IMMEDIATE" if write else "BEGIN")


def make_sessionmaker(engine: sa.Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def writing(session: Session, *, late_lock: bool = False) -> Iterator[Session]:
    """One write transaction, serialized against every other writer; commit or roll back whole.

    Inside another `writing` block it joins that transaction: an idempotent API request keeps
    the action and its stored response in one transaction. On PostgreSQL the read transaction
    a request has open by then (the bearer-token read) goes on as this one (_continues): one
    connection and one transaction per request.

    `late_lock`: on PostgreSQL the global write lock is not taken at the start but by
    `lock_for_append`, just before the heads are read and the postings and journal appended,
    so that the reads before it (visibility, agreements, closed years, amounts) do not hold up
    other writers. The caller must then check that nothing was committed between its reads and
    the lock (ledger.commands.common.read_then_lock). SQLite has one writer at a time anyway:
    its write transaction (BEGIN IMMEDIATE) is the lock, taken at the start."""
    if session.info.get("ledger_writing"):
        yield session
        return
    keep, locked = _goes_on_holding(session, WRITE_LOCK)  # locked by the token's statement
    session.info["ledger_writing"] = True
    try:
        with session.get_transaction() if keep else session.begin():
            conn = session.connection(
                execution_options=None if keep else {"ledger_write": True})
            postgres = conn.dialect.name == "postgresql"
            session.info["ledger_locked"] = locked or not (postgres and late_lock)
            if postgres and not late_lock and not locked:
                conn.execute(sa.select(WRITE_LOCK.column))
            # Sessions keep objects across commits (expire_on_commit=False), so an object the
            # caller still holds from an earlier transaction (an agreement and its versions, say)
            # may be stale by now: another writer may have changed it. Under the lock, read
            # everything afresh.
            session.expire_all()
            yield session
    finally:
        del session.info["ledger_writing"]
        session.info.pop("ledger_locked", None)


def begin_writing(session: Session) -> None:
    """Begin the session's transaction as a write transaction (SQLite: BEGIN IMMEDIATE, the
    write lock), for a request that writes whatever it is asked (the report's PUT): its reads
    before `writing` (the bearer token) are made in the transaction that writes, instead of a
    read transaction rolled back before the write begins. PostgreSQL needs nothing: its read
    transaction goes on as the write (_continues)."""
    if session.in_transaction() or session.get_bind().dialect.name != "sqlite":
        return
    session.connection(execution_options={"ledger_write": True})
    session.info["ledger_begun_writing"] = True


def _goes_on(session: Session) -> bool:
    """True when the request's open read transaction (authentication, lookups) goes on as the
    next one (_continues, or begun as a write: begin_writing); otherwise it has been ended,
    and a new one must begin. A request reads before it writes or settles: nothing is pending
    then."""
    begun_writing = session.info.pop("ledger_begun_writing", False)
    if not session.in_transaction():
        return False
    assert not _pending(session), "unflushed changes before a transaction"
    if begun_writing or _continues(session):
        return True
    session.rollback()
    return False


def _goes_on_holding(session: Session, lock: Lock) -> tuple[bool, bool]:
    """_goes_on, and whether the transaction that goes on holds `lock` already (taken by its
    first statement: Lock.taken); the mark is consumed either way."""
    taken = lock.held(session)
    keep = _goes_on(session)
    return keep, keep and taken


def _pending(session: Session) -> bool:
    """Whether the session holds changes not flushed yet."""
    return bool(session.new or session.dirty or session.deleted)


def _continues(session: Session) -> bool:
    """Whether the read transaction a request has open (authentication, lookups) can go on, as
    its write or settled read transaction or to a COMMIT at its end, on the same connection,
    instead of being rolled back. On
    PostgreSQL at READ COMMITTED every statement reads what was committed when it started, so
    the reads made earlier in the transaction change nothing that follows; ending it would
    cost a ROLLBACK, a second pool checkout (with its pre-ping) and a BEGIN, and psycopg drops
    its prepared statements on every ROLLBACK. Not after a failed statement, nor at another
    isolation level (a snapshot). SQLite must start its writers with BEGIN IMMEDIATE."""
    conn = session.connection()
    if conn.dialect.driver != "psycopg" or "isolation_level" in conn.get_execution_options():
        return False
    from psycopg.pq import TransactionStatus
    return conn.connection.driver_connection.info.transaction_status == TransactionStatus.INTRANS


def finish(session: Session, failed: bool = False) -> None:
    """End a request's session and close it. A transaction still open by then has only read
    (every write commits or rolls back inside `writing`); on PostgreSQL it ends with COMMIT
    rather than the pool's ROLLBACK, on which psycopg drops its prepared statements. After an
    error, with changes pending, or on SQLite, it is rolled back."""
    if not failed and session.in_transaction() and not _pending(session) and _continues(session):
        session.commit()
    session.close()


def holds_write_lock(session: Session) -> bool:
    """Whether everything this transaction has read was read under the write lock: held since
    its start (SQLite's BEGIN IMMEDIATE, a `writing` transaction without late_lock) — False
    only in a `late_lock` transaction on PostgreSQL until lock_for_append takes it."""
    return session.info.get("ledger_locked", True)


def lock_for_append(session: Session) -> bool:
    """Take the global write lock if this transaction does not hold it yet (a `late_lock`
    transaction on PostgreSQL). True when it was held already, i.e. everything this transaction
    has read was read under it; False when it has just been taken."""
    if holds_write_lock(session):
        return True
    session.connection().execute(sa.select(WRITE_LOCK.column))
    session.info["ledger_locked"] = True
    return False


@contextmanager
def settled(session: Session) -> Iterator[Session]:
    """A read transaction that starts once no writer is in flight. A posting's recorded_at is
    set before its transaction commits, so without this an as-of answer for a very recent time
    could still change when that commit lands; with it, every posting recorded up to now is
    visible, and an as-of answer for any time up to now never changes afterwards. On
    PostgreSQL the request's read transaction goes on (as in `writing`: _goes_on), the lock
    taken in it; it ends with COMMIT, which keeps psycopg's prepared statements."""
    keep, locked = _goes_on_holding(session, SETTLE_LOCK)
    with session.get_transaction() if keep else session.begin():
        # SQLite: BEGIN IMMEDIATE, which waits for the writer in flight
        conn = session.connection(execution_options=None if keep else {"ledger_write": True})
        if conn.dialect.name == "postgresql" and not locked:
            conn.execute(sa.select(SETTLE_LOCK.column))
        yield session


class Lock(NamedTuple):
    """A PostgreSQL lock on WRITE_LOCK_KEY that the request's first statement (the bearer
    token's read, ledger.queries.users.actor_for_token) may take as a column of its own, in the
    read transaction that then goes on: the transaction that needs it is spared the round trip
    of taking it. `taken` marks it held; the next `settled` or `writing` consumes the mark."""

    column: sa.ColumnElement
    mark: str  # the session.info key

    def taken(self, session: Session) -> None:
        session.info[self.mark] = True

    def held(self, session: Session) -> bool:
        return session.info.pop(self.mark, False)


# What `settled` waits for on PostgreSQL: no writer in flight (they hold WRITE_LOCK_KEY
# exclusively); the statements after it see every writer that was in flight (at READ
# COMMITTED each statement reads anew).
SETTLE_LOCK = Lock(sa.func.pg_advisory_xact_lock_shared(WRITE_LOCK_KEY), "ledger_settled")
# What every writer takes on PostgreSQL (`writing`, `lock_for_append`).
WRITE_LOCK = Lock(sa.func.pg_advisory_xact_lock(WRITE_LOCK_KEY), "ledger_write_locked")


COPY_FROM_ROWS = 64  # below this, one pipelined executemany takes fewer round trips than COPY


def insert_rows(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    """INSERT rows that all have the same keys, the driver given ready tuples: on PostgreSQL,
    once there are enough of them, by COPY (the rows stream in one statement instead of one
    INSERT each, which was most of a bulk import's time), else by the driver's executemany of
    one INSERT without RETURNING (which would end a pipeline, see `pipelined`); on SQLite by
    INSERTs of many rows each (`_insert_values`). Values go through the columns' own bind
    processing (Money's int check, UTCDateTime's conversion) exactly as an INSERT would, and
    only where a column's type has one."""
    if not rows:
        return
    plan = _insert_plan(table, tuple(rows[0]), conn.dialect)
    if plan is None:
        conn.execute(table.insert().inline(), rows)  # a column filled by its Python default
    elif conn.dialect.name == "postgresql" and len(rows) >= COPY_FROM_ROWS:
        with conn.connection.driver_connection.cursor() as cursor, cursor.copy(plan.copy) as copy:
            for row in plan.ready(rows):
                copy.write_row(row)
    elif conn.dialect.name == "sqlite":
        _insert_values(conn, plan, plan.ready(rows))
    else:
        _driver(conn, plan.insert, plan.ready(rows), many=True)


def insert_returning(conn: sa.Connection, table: sa.Table, rows: list[dict], column: str
                     ) -> list:
    """insert_rows for a few rows each answering its `column` (a report's id): one INSERT …
    RETURNING a row, through the same statement and bind processing."""
    plan = _insert_plan(table, tuple(rows[0]), conn.dialect)
    if plan is None:
        raise TypeError(f"{table.name}: a column left out has a Python default")
    sql = f"{plan.insert} RETURNING {conn.dialect.identifier_preparer.quote(column)}"
    return [_driver(conn, sql, values)[0][0] for values in plan.ready(rows)]


# Rows in one of _insert_values' INSERTs. Preparing an INSERT of many rows costs more than
# running it (about 3 µs a row, against under 1), and the driver keeps a prepared statement by
# its text, so that only an INSERT of the same number of rows comes prepared: of a fixed size,
# one is prepared once per import and per table, not once per size of file (about a quarter of
# the time an import of 10,000 rows took to write them), and runs as fast as a longer one.
INSERT_VALUES_ROWS = 500


def _insert_values(conn: sa.Connection, plan: _InsertPlan, rows: list[tuple]) -> None:
    """SQLite's counterpart of COPY: the rows in INSERTs of INSERT_VALUES_ROWS rows each (VALUES
    (…), (…), …), fewer where the limit of bound values says so. The B-tree work is the same as
    one INSERT a row (executemany), without a statement's step and reset for each: a third less
    time for an import's rows."""
    width = len(rows[0])
    limit = conn.connection.driver_connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per = max(1, min(INSERT_VALUES_ROWS, limit // width))
    for start in range(0, len(rows), per):
        chunk = rows[start:start + per]
        _driver(conn, plan.inserting(len(chunk)), tuple(chain.from_iterable(chunk)))


class _InsertPlan(NamedTuple):
    """What insert_rows works out once for a table, the rows' keys and a dialect. The INSERT
    names the columns without bind processing first, then those with."""

    into: str                                         # INSERT INTO table (columns) VALUES
    marks: str                                        # a row's (?, ?, …), in the paramstyle
    copy: str                                         # PostgreSQL's COPY … FROM STDIN
    plain: Callable[[dict], tuple]                    # a row's values needing no processing
    processed: tuple[tuple[str, Callable[[list], list]], ...]  # the others: name, processing

    @property
    def insert(self) -> str:
        """The INSERT of one row."""
        return self.into + self.marks

    def inserting(self, rows: int) -> str:
        """The INSERT of `rows` rows at once."""
        return self.into + ", ".join([self.marks] * rows)

    def ready(self, rows: list[dict]) -> list[tuple]:
        """The rows as the driver takes them: tuples in the INSERT's order of columns, each
        value through its column's bind processing where the type has one — those a column at
        a time."""
        plain = map(self.plain, rows)
        if not self.processed:
            return list(plain)
        columns = [process([row[name] for row in rows]) for name, process in self.processed]
        return [values + bound for values, bound in zip(plain, zip(*columns))]


def _values(names: list[str]) -> Callable[[dict], tuple]:
    """A row's values of `names`, as a tuple (itemgetter's: one call in C)."""
    if len(names) == 1:
        name = names[0]
        return lambda row: (row[name],)
    return itemgetter(*names) if names else (lambda row: ())


def _column_processing(type_: sa.types.TypeEngine, dialect: sa.Dialect
                       ) -> Callable[[list], list] | None:
    """What an INSERT's bind processing does to each value of a column of this type, done to
    a column of values; None when the type has none. The dialect's type, as an INSERT's
    compilation takes it (a TypeDecorator's own bind_processor leaves out its impl's: SQLite's
    DATETIME text, then left to the driver's deprecated adapter, once a value, and without the
    microseconds when they are 0). A type of ours with a `bind_column` readies the column for
    the driver in one pass (its impl's processing included, or left out where it changes
    nothing the driver binds: Hash); any other type a value at a time, a value that is the
    previous row's object (a batch's one recording time) reusing that row's result — a
    processor is a function of its value."""
    typed = type_.dialect_impl(dialect)
    whole = getattr(typed, "bind_column", None)
    if whole is not None:
        return whole
    bind = typed.bind_processor(dialect)
    if bind is None:
        return None

    def each(values: list) -> list:
        bound, last, result = [], _NOTHING, None
        for value in values:
            if value is not last:
                last, result = value, bind(value)
            bound.append(result)
        return bound

    return each


@lru_cache(maxsize=64)
def _insert_plan(table: sa.Table, keys: tuple[str, ...], dialect: sa.Dialect
                 ) -> _InsertPlan | None:
    """insert_rows' statements and value processing for rows with `keys`; None when a column
    left out has a Python default (the rows then go through Core's INSERT, which fills it).
    Cached: working this out for each call was 5% of a PUT's CPU (its postings and journal)."""
    # As INSERT does, keys that are no column are left out (a posting's row carries its
    # prev_hash for the caller, which shows it; the column is not stored).
    names = [n for n in keys if n in table.c]
    if any(c.default is not None for c in table.columns if c.name not in names):
        return None
    processing = {n: _column_processing(table.c[n].type, dialect) for n in names}
    plain = [n for n in names if processing[n] is None]
    processed = [(n, processing[n]) for n in names if processing[n] is not None]
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(n) for n in plain + [n for n, _ in processed])
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    return _InsertPlan(
        f"INSERT INTO {quote(table.name)} ({columns}) VALUES ",
        f"({', '.join([mark] * len(names))})",
        f"COPY {quote(table.name)} ({columns}) FROM STDIN", _values(plain), tuple(processed))


_NOTHING = object()


@lru_cache(maxsize=None)
def adding(table: sa.Table, keys: tuple[str, ...], added: tuple[str, ...], dialect: str
           ) -> Prebuilt:
    """INSERT … ON CONFLICT (keys) DO UPDATE adding each of the `added` columns to the row
    already there — a running sum's upsert, SQLite and PostgreSQL alike, run by
    Prebuilt.run_many with those keys and columns; without RETURNING (a pipeline can carry
    it: `pipelined`). Built once per table and dialect."""
    from sqlalchemy.dialects import postgresql, sqlite  # their INSERTs: not loaded at start
    insert = ((sqlite if dialect == "sqlite" else postgresql).insert(table)
              .values({c: sa.bindparam(c) for c in keys + added}))
    return Prebuilt(insert.on_conflict_do_update(
        index_elements=[table.c[k] for k in keys],
        set_={c: table.c[c] + insert.excluded[c] for c in added}))


@contextmanager
def pipelined(conn: sa.Connection, rows: int) -> Iterator[None]:
    """On PostgreSQL, the statements of the block — which must ask for no result (INSERT
    without RETURNING: insert_rows) — sent in one round trip (psycopg's pipeline mode) instead
    of one each. Only for fewer than COPY_FROM_ROWS rows in all: COPY cannot go in a pipeline.
    A failing statement raises as the block ends."""
    if conn.dialect.name != "postgresql" or rows >= COPY_FROM_ROWS:
        yield
        return
    with conn.connection.driver_connection.pipeline():
        yield


class Prebuilt:
    """A statement that requests run all the time (the bearer token's read, a report's read,
    the running sums' upserts), compiled once per dialect and handed to the driver as that text.
    Connection.execute finds a statement's compiled form by a key of the whole statement,
    built and hashed at every execution, then sets up the parameters and the result around
    the driver's call: for a report's read (a dozen subqueries) that took longer than SQLite
    took to run it.

    As Connection.execute would: in the connection's transaction (begun if none is), the
    parameters and the result columns through their types' processing, the driver's errors
    raised as SQLAlchemy's (a lost connection invalidated), before_cursor_execute announced.
    Parameters are single values (no expanding IN)."""

    def __init__(self, statement: sa.Executable):
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def rows(self, conn: sa.Connection, params: dict) -> list[tuple]:
        """The statement's rows for these parameters."""
        compiled = self._on(conn)
        rows = _driver(conn, compiled.sql, compiled.bound(params))
        return [compiled.processed(row) for row in rows] if compiled.results else rows

    def run_many(self, conn: sa.Connection, params: list[dict]) -> None:
        """The statement (one that returns nothing) for each of the parameters, in one call
        of the driver's executemany."""
        compiled = self._on(conn)
        _driver(conn, compiled.sql, [compiled.bound(p) for p in params], many=True)

    def _on(self, conn: sa.Connection) -> _Compiled:
        """The statement for the connection's dialect, the connection in a transaction (as
        Connection.execute's autobegin)."""
        if not conn.in_transaction():
            conn.begin()
        return self._compiled.get(conn.dialect.name) or self._compile(conn.dialect)

    def _compile(self, dialect: sa.Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        binds = {compiled.bind_names[b]: b for b in compiled.binds.values()}
        if any(b.expanding for b in binds.values()):
            raise TypeError("a prebuilt statement takes single values, not an expanding IN")
        processing = {name: b.type.dialect_impl(dialect).bind_processor(dialect)
                      for name, b in binds.items()}
        fixed = {name: b.effective_value for name, b in binds.items()
                 if not (b.required or b.callable)}
        fixed = {name: (p(v) if (p := processing[name]) else v) for name, v in fixed.items()}
        results = tuple(
            (n, p) for n, column in enumerate(self.statement.exported_columns)
            if (p := column.type.dialect_impl(dialect).result_processor(dialect, None)))
        self._compiled[dialect.name] = made = _Compiled(
            compiled.string, compiled.positiontup, fixed,
            {name: p for name, p in processing.items() if name not in fixed}, results)
        return made


class _Compiled(NamedTuple):
    """Prebuilt's statement for one dialect."""

    sql: str
    order: list[str] | None                  # positional (SQLite's ?): the names in order
    fixed: dict[str, object]                 # the statement's own values, bound
    given: dict[str, Callable | None]        # the caller's names → their bind processing
    results: tuple[tuple[int, Callable], ...]  # (column, processing), where a type has one

    def bound(self, params: dict) -> tuple | dict:
        if params.keys() != self.given.keys():
            raise TypeError(f"the statement takes {sorted(self.given)}, got {sorted(params)}")
        values = dict(self.fixed)
        for name, process in self.given.items():
            value = params[name]
            values[name] = value if process is None else process(value)
        return values if self.order is None else tuple([values[n] for n in self.order])

    def processed(self, row: tuple) -> tuple:
        row = list(row)
        for n, process in self.results:
            row[n] = process(row[n])
        return tuple(row)


def _driver(conn: sa.Connection, sql: str, values=(), many: bool = False) -> list[tuple]:
    """The driver's execute (or executemany) of `sql` on the connection, and its rows if it
    has any: Connection.exec_driver_sql without the result's set-up (as Prebuilt says), for
    the statements of every write (its BEGIN, its INSERTs)."""
    dialect = conn.dialect
    fairy = conn.connection
    cursor = fairy.cursor()
    try:
        if conn.dispatch.before_cursor_execute:
            conn.dispatch.before_cursor_execute(conn, cursor, sql, values, None, many)
        if many:
            cursor.executemany(sql, values)
            return []
        cursor.execute(sql, values)
        return cursor.fetchall() if cursor.description is not None else []
    except dialect.loaded_dbapi.Error as error:
        if dialect.is_disconnect(error, fairy.dbapi_connection, cursor):
            conn.invalidate(error)
        raise sa.exc.DBAPIError.instance(sql, values, error, dialect.loaded_dbapi.Error,
                                         dialect=dialect) from error
    finally:
        cursor.close()
