"""Shared fixtures. Every database test runs on SQLite and on PostgreSQL (when
LEDGER_TEST_POSTGRES_URL is set; set and unreachable fails the suite). The schema is built by
running the migrations, never by create_all.

`app` is the backend's one app with its database restored for this test (tests/snapshots.py):
to the `world` snapshot when the test uses the `world` fixture, to `story` when it uses
`seeded`, else empty."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from ledger import current
from tests.snapshots import PostgresBackend, SqliteBackend, migrated_sqlite, reset_postgres

PG_URL = os.environ.get("LEDGER_TEST_POSTGRES_URL")
NO_POSTGRES = "LEDGER_TEST_POSTGRES_URL is not set"
BACKENDS = ("sqlite", "postgres")
SNAPSHOT_OF_FIXTURE = {"seeded": "story", "world": "world"}  # checked in this order


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    return migrated_sqlite(tmp_path_factory.mktemp("template") / "ledger.sqlite3")


def worker_database(url: str) -> str:
    """Under pytest-xdist each worker gets a database of its own next to the one named
    (test → test_gw0, test_gw1 …), created on first use."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = sa.make_url(url)
    name = f"{base.database}_{worker}"
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}) is None:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    if not PG_URL:
        pytest.skip(NO_POSTGRES)
    try:
        url = worker_database(PG_URL)
        reset_postgres(url)
    except sa.exc.OperationalError as err:  # set but unreachable: fail, never skip
        pytest.fail(f"LEDGER_TEST_POSTGRES_URL is set but unreachable: {err}")
    return url


@pytest.fixture(scope="session")
def signing_key_file(tmp_path_factory):
    """The deployment's checkpoint key of the test apps (outside every database)."""
    from ledger.signing import create_key
    return create_key(tmp_path_factory.mktemp("keys") / "signing-key.pem")


@pytest.fixture(scope="session")
def sqlite_backend(sqlite_template, tmp_path_factory, signing_key_file):
    backend = SqliteBackend(sqlite_template, tmp_path_factory.mktemp("sqlite-backend"),
                            signing_key_file)
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def postgres_backend(postgres_url, signing_key_file):
    backend = PostgresBackend(postgres_url, signing_key_file)
    yield backend
    backend.close()


@pytest.fixture(params=BACKENDS)
def backend(request):
    """The backend of this test (test ids carry 'sqlite' / 'postgres')."""
    return request.getfixturevalue(f"{request.param}_backend")


@pytest.fixture
def app(backend, request):
    name = next((snap for fixture, snap in SNAPSHOT_OF_FIXTURE.items()
                 if fixture in request.fixturenames), "empty")
    backend.restore(name)
    return backend.app


@pytest.fixture
def session(app):
    with app.app_context():
        yield current.session()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(backend, app, session):
    """The World snapshot (tests.factories) with helpers acting through the commands."""
    from tests.factories import World
    return World(session, backend.data["world"])


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """One line at the end saying why the PostgreSQL half of the suite did not run. It reads
    the skip reports themselves, so it counts right under pytest-xdist too (the workers' reports
    reach the controller, which writes the summary)."""
    skipped = [r for r in terminalreporter.stats.get("skipped", [])
               if NO_POSTGRES in str(getattr(r, "longrepr", ""))]
    if skipped:
        terminalreporter.write_sep(
            "=", f"{len(skipped)} PostgreSQL test(s) skipped: {NO_POSTGRES} "
                 "(export it to run them on PostgreSQL too)", yellow=True)
