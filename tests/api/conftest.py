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
