"""Shared fixtures. Every database test runs on SQLite and on PostgreSQL (when
LEDGER_TEST_POSTGRES_URL is set; set and unreachable fails the suite). The schema is built by
running the migrations, never by create_all."""

from __future__ import annotations

import os
import shutil

import pytest
import sqlalchemy as sa

from ledger import create_app, get_session
from ledger.config import TestingConfig
from ledger.db import Base, make_engine
from ledger.migrate import upgrade

PG_URL = os.environ.get("LEDGER_TEST_POSTGRES_URL")
BACKENDS = ("sqlite", "postgres")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("template") / "ledger.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return str(path)


def reset_postgres(url: str) -> None:
    """An empty public schema migrated to head."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    upgrade(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    if not PG_URL:
        pytest.skip("LEDGER_TEST_POSTGRES_URL is not set")
    try:
        reset_postgres(PG_URL)
    except sa.exc.OperationalError as err:  # set but unreachable: fail, never skip
        pytest.fail(f"LEDGER_TEST_POSTGRES_URL is set but unreachable: {err}")
    return PG_URL


def truncate_postgres(url: str) -> None:
    engine = make_engine(url)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path, sqlite_template) -> str:
    if request.param == "sqlite":
        path = tmp_path / "ledger.sqlite3"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    truncate_postgres(url)
    return url


@pytest.fixture
def app(db_url):
    app = create_app(TestingConfig, DATABASE_URL=db_url)
    yield app
    app.extensions["ledger.engine"].dispose()


@pytest.fixture
def session(app):
    with app.app_context():
        yield get_session()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(session):
    from tests.factories import World
    return World(session)
