"""API fixtures: a client that logs in through POST /auth/token and speaks JSON."""

from __future__ import annotations

import pytest

from ledger.policy import Actor
from ledger.services.users import create_user

ADMIN_PASSWORD = "admin-pass-1"


class ApiClient:
    def __init__(self, client, token: str | None = None):
        self.client, self.token = client, token

    def login(self, username: str, password: str) -> "ApiClient":
        r = self.client.post("/api/v1/auth/token", json={"username": username, "password": password})
        assert r.status_code == 200, r.json
        return ApiClient(self.client, r.json["access_token"])

    def _headers(self, headers):
        out = dict(headers or {})
        if self.token:
            out.setdefault("Authorization", f"Bearer {self.token}")
        return out

    def get(self, path, headers=None, **kw):
        return self.client.get(f"/api/v1{path}", headers=self._headers(headers), **kw)

    def post(self, path, json=None, headers=None, **kw):
        return self.client.post(f"/api/v1{path}", json=json, headers=self._headers(headers), **kw)

    def put(self, path, json=None, headers=None, **kw):
        return self.client.put(f"/api/v1{path}", json=json, headers=self._headers(headers), **kw)

    def patch(self, path, json=None, headers=None, **kw):
        return self.client.patch(f"/api/v1{path}", json=json, headers=self._headers(headers), **kw)


@pytest.fixture
def anon(client):
    return ApiClient(client)


@pytest.fixture
def admin(app, session, anon):
    create_user(session, Actor.system("test"), {"username": "admin", "password": ADMIN_PASSWORD,
                                                 "role": "admin"})
    return anon.login("admin", ADMIN_PASSWORD)


# ------------------------------------------------------------------ seeded databases
# (added for the permission, bad-input, idempotency and schemathesis tests)

from tests.api._seed import (  # noqa: E402
    ACTORS, PostgresBackend, SqliteBackend, db_state, postings_head, row_counts,
)


class SeededEnv:
    """The seeded database of one backend, reset for this test: `env.as_("host")` is an
    ApiClient holding that actor's token; `env.ids` names the seeded objects."""

    def __init__(self, backend):
        self.backend, self.app, self.seed = backend, backend.app, backend.seed
        self.ids, self.backend_name = backend.seed.ids, backend.name
        self.client = backend.app.test_client()

    def as_(self, actor: str) -> ApiClient:
        assert actor in ACTORS, actor
        return ApiClient(self.client, None if actor == "anon" else self.seed.tokens[actor])

    def counts(self) -> dict[str, int]:
        return row_counts(self.backend.engine)

    def head(self):
        return postings_head(self.backend.engine)

    def state(self) -> dict[str, list[str]]:
        """Every row of every table."""
        return db_state(self.backend.engine)


@pytest.fixture(scope="session")
def _seeded_sqlite_backend(sqlite_template, tmp_path_factory):
    backend = SqliteBackend(sqlite_template, tmp_path_factory.mktemp("seeded"))
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def _seeded_postgres_backend(postgres_url):
    backend = PostgresBackend(postgres_url)
    yield backend
    backend.close()


@pytest.fixture
def seeded_sqlite(_seeded_sqlite_backend) -> SeededEnv:
    _seeded_sqlite_backend.reset()
    return SeededEnv(_seeded_sqlite_backend)


@pytest.fixture
def seeded_postgres(_seeded_postgres_backend) -> SeededEnv:
    _seeded_postgres_backend.reset()
    return SeededEnv(_seeded_postgres_backend)


@pytest.fixture(params=("sqlite", "postgres"))
def seeded(request) -> SeededEnv:
    """The seeded database on each backend (test ids carry 'sqlite' / 'postgres')."""
    return request.getfixturevalue(f"seeded_{request.param}")
