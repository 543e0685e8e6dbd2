"""Databases built once per backend and restored before each test.

Every database test runs against one app per backend (creating an app costs ~0.1 s). Before a
test, its database is put back to a named snapshot: `empty` (migrated, no rows), `world`
(tests.factories.World), `story` (tests.api._seed) or `demo` (ledger.commands.demo). SQLite
copies the snapshot's file back; PostgreSQL replaces every table's rows in one transaction. Building a snapshot costs seconds
(Argon2 password hashes, many write transactions); restoring it costs milliseconds."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from ledger import create_app, current
from ledger.config import TestingConfig
from ledger.db import Base, make_engine
from ledger import throttle
from ledger.migrate import rebuild, upgrade


def reset_postgres(url: str) -> None:
    """An empty public schema migrated to head."""
    engine = make_engine(url)
    rebuild(engine)
    engine.dispose()


def migrated_sqlite(path: Path) -> Path:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


class Backend:
    """One app on one database of one backend, and the snapshots taken of that database."""

    name: str

    def __init__(self, url: str, signing_key_file: Path):
        self.app: Flask = create_app(TestingConfig, DATABASE_URL=url,
                                     SIGNING_KEY_FILE=str(signing_key_file))
        self.config = dict(self.app.config)
        self.data: dict[str, Any] = {}  # what each snapshot's builder returned

    @property
    def engine(self) -> sa.Engine:
        return self.app.extensions["ledger.engine"]

    def restore(self, name: str) -> Any:
        """Put the database back to snapshot `name` (building it first if need be) and the
        app's configuration back to how it was made; returns what the builder returned."""
        if name not in self.data:
            self._build(name)
        self._restore(name)
        self.app.config.clear()
        self.app.config.update(self.config)
        throttle.reset(self.app)  # login counts start afresh (in-memory storage in tests)
        return self.data[name]

    def take(self, name: str, data: Any = None) -> None:
        """Keep the database as it is now as snapshot `name` (a test's own starting point)."""
        self._capture(name)
        self.data[name] = data

    def _build(self, name: str) -> None:
        base, builder = BUILDERS[name]
        if base not in self.data:
            self._build(base)
        self._restore(base)
        with self.app.app_context():
            self.data[name] = builder(current.session(), self.data.get(base))
        self._capture(name)

    def _restore(self, name: str) -> None:
        raise NotImplementedError

    def _capture(self, name: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.engine.dispose()


class SqliteBackend(Backend):
    name = "sqlite"

    def __init__(self, template: Path, workdir: Path, signing_key_file: Path):
        self.workdir, self.live = workdir, workdir / "live.sqlite3"
        self.files = {"empty": template}
        shutil.copy(template, self.live)
        super().__init__(f"sqlite:///{self.live}", signing_key_file)
        self.data["empty"] = None

    def _restore(self, name: str) -> None:
        self.engine.dispose()  # no connection may keep the old file open
        for suffix in ("-wal", "-shm"):
            Path(f"{self.live}{suffix}").unlink(missing_ok=True)
        shutil.copy(self.files[name], self.live)

    def _capture(self, name: str) -> None:
        self.engine.dispose()  # checkpoints the WAL into the file
        self.files[name] = self.workdir / f"{name}.sqlite3"
        shutil.copy(self.live, self.files[name])


class PostgresBackend(Backend):
    name = "postgres"

    def __init__(self, url: str, signing_key_file: Path):
        super().__init__(url, signing_key_file)
        self.rows: dict[str, dict[str, list[dict]]] = {}
        self.take("empty")  # as migrated: with the rows the migrations put in (regions_version)

    def _restore(self, name: str) -> None:
        tables = Base.metadata.sorted_tables
        rows = self.rows[name]
        with self.engine.begin() as conn:
            # Replica mode skips triggers and foreign-key checks while the rows are replaced.
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for table in reversed(tables):  # DELETE is much faster than TRUNCATE on tiny tables
                conn.execute(table.delete())
            for table in tables:
                if rows.get(table.name):
                    conn.execute(table.insert(), rows[table.name])
            for table in tables:
                pk = list(table.primary_key.columns)
                if len(pk) == 1 and isinstance(pk[0].type, sa.Integer) and pk[0].autoincrement is not False:
                    col = pk[0].name
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{col}'), "
                        f"COALESCE((SELECT max({col}) FROM {table.name}), 1), "
                        f"(SELECT max({col}) FROM {table.name}) IS NOT NULL)")

    def _capture(self, name: str) -> None:
        with self.engine.connect() as conn:
            self.rows[name] = {t.name: [dict(r._mapping) for r in conn.execute(sa.select(t))]
                               for t in Base.metadata.sorted_tables}


def _world(session, _base):
    from tests.factories import World
    return World.build(session)


def _story(session, world_ids):
    from tests.api._seed import build
    return build(session, world_ids)


def _demo(session, _base):
    from ledger.commands import demo
    return demo.load_demo(session, current.settings(), echo=lambda _: None)


# snapshot name → (the snapshot it starts from, builder(session, that snapshot's data))
BUILDERS: dict[str, tuple[str, Callable]] = {
    "world": ("empty", _world),
    "story": ("world", _story),
    "demo": ("empty", _demo),
}
