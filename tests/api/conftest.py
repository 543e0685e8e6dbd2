"""API fixtures: a client that logs in through POST /auth/token and speaks JSON, and the seeded
database (snapshot `story`) with a bearer token for every actor."""

from __future__ import annotations

import pytest

from ledger.commands.users import create_user
from ledger.context import Context
from ledger.policy import Actor
from ledger.schemas.requests import UserCreate, load
from tests.api._seed import ACTORS
from tests.helpers import db_state

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

    def delete(self, path, headers=None, **kw):
        return self.client.delete(f"/api/v1{path}", headers=self._headers(headers), **kw)


@pytest.fixture
def anon(client):
    return ApiClient(client)


@pytest.fixture
def admin(app, session, anon):
    create_user(Context(session, Actor.system("test")), load(UserCreate, {
        "username": "admin", "password": ADMIN_PASSWORD, "role": "admin"}))
    return anon.login("admin", ADMIN_PASSWORD)


class SeededEnv:
    """The seeded database of one backend, restored for this test: `env.as_("host")` is an
    ApiClient holding that actor's token; `env.ids` names the seeded objects."""

    def __init__(self, backend):
        self.backend, self.app = backend, backend.app
        self.seed = backend.data["story"]
        self.ids, self.backend_name = self.seed.ids, backend.name
        self.client = backend.app.test_client()

    def as_(self, actor: str) -> ApiClient:
        assert actor in ACTORS, actor
        return ApiClient(self.client, None if actor == "anon" else self.seed.tokens[actor])

    def state(self) -> dict:
        """Every table's rows (counted and digested) and the postings head."""
        with self.backend.engine.connect() as conn:
            return db_state(conn)

    def counts(self) -> dict[str, int]:
        return self.state()["counts"]

    def head(self):
        return self.state()["postings_head"] or (None, None)


@pytest.fixture
def seeded(backend, app) -> SeededEnv:
    """The seeded database on each backend (test ids carry 'sqlite' / 'postgres')."""
    return SeededEnv(backend)


@pytest.fixture
def seeded_sqlite(sqlite_backend) -> SeededEnv:
    sqlite_backend.restore("story")
    return SeededEnv(sqlite_backend)


@pytest.fixture
def seeded_postgres(postgres_backend) -> SeededEnv:
    postgres_backend.restore("story")
    return SeededEnv(postgres_backend)
