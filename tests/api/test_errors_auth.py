"""Error rendering (JSON under /api/, HTML elsewhere), login rate limiting and bearer tokens
(expired, revoked, malformed) through HTTP."""

from __future__ import annotations

import shutil

import pytest

from ledger import create_app, current
from ledger.config import TestingConfig
from ledger.models import User
from ledger.commands.users import actor_of, revoke_token
from ledger.context import Context
from tests.helpers import issue_token_for

ERROR_KEYS = {"code", "status", "message"}


def _json_error(r, status: int) -> dict:
    assert r.status_code == status, r.get_data(as_text=True)[:300]
    assert r.mimetype == "application/json"
    assert ERROR_KEYS <= set(r.json) and r.json["code"] == status
    assert isinstance(r.json["status"], str) and r.json["message"]
    return r.json


# ------------------------------------------------------------------ JSON vs HTML errors

@pytest.mark.parametrize("path", ["/api/v1/nonexistent", "/api/v2/projects", "/api/"])
def test_unknown_api_path_is_a_json_404(seeded, path):
    for client in (seeded.as_("anon"), seeded.as_("admin")):
        _json_error(client.client.get(path, headers=client._headers(None)), 404)


def test_unknown_page_outside_the_api_is_html(seeded):
    r = seeded.client.get("/nonexistent")
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert "<html" in r.get_data(as_text=True).lower()
    r = seeded.client.get("/apifoo")  # shares the prefix's letters, not the /api/ path
    assert r.status_code == 404 and r.mimetype == "text/html"


def test_wrong_method_under_the_api_is_a_json_405(seeded):
    admin = seeded.as_("admin")
    _json_error(admin.client.delete("/api/v1/projects", headers=admin._headers(None)), 405)
    _json_error(admin.client.put("/api/v1/agreements", headers=admin._headers(None)), 405)


def test_openapi_and_docs_are_public_and_local(seeded):
    spec = seeded.client.get("/api/v1/openapi.json")
    assert spec.status_code == 200 and spec.json["openapi"].startswith("3.")
    assert spec.json["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec.json["paths"]["/api/v1/auth/token"]["post"]["security"] == []
    docs = seeded.client.get("/api/v1/docs")
    assert docs.status_code == 200 and docs.mimetype == "text/html"
    html = docs.get_data(as_text=True)
    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "http://" not in html and "https://" not in html
    with seeded.client.get("/api/v1/docs/assets/swagger-ui-bundle.js") as asset:
        assert asset.status_code == 200 and len(asset.data) > 10_000


# ------------------------------------------------------------------ login and its rate limit

def test_login_issues_a_working_token(seeded):
    anon = seeded.as_("anon")
    r = anon.post("/auth/token", {"username": "lingwu", "password": "secret-pass"})
    assert r.status_code == 200
    assert r.json["token_type"] == "bearer" and r.json["expires_in"] == seeded.app.config["TOKEN_TTL"]
    # the scheme is case-insensitive: "<token_type> <access_token>" as returned works
    me = anon.get("/me", headers={"Authorization": f"{r.json['token_type']} {r.json['access_token']}"})
    assert me.status_code == 200 and me.json["region_code"] == "640181"


@pytest.mark.parametrize("username,password", [
    ("lingwu", "wrong-password"), ("nobody", "secret-pass"), ("LINGWU", "secret-pass")])
def test_bad_login_is_401_without_a_hint(seeded, username, password):
    state = seeded.state()
    body = _json_error(seeded.as_("anon").post("/auth/token", {"username": username,
                                                              "password": password}), 401)
    assert "access_token" not in body
    assert seeded.state() == state  # no token issued


def test_inactive_user_cannot_log_in(seeded):
    admin, uid = seeded.as_("admin"), seeded.ids["u_bystander"]
    etag = admin.get(f"/users/{uid}").headers["ETag"]
    assert admin.patch(f"/users/{uid}", {"active": False}, headers={"If-Match": etag}).status_code == 200
    _json_error(seeded.as_("anon").post("/auth/token", {"username": "pingluo", "password": "secret-pass"}), 401)


@pytest.fixture
def limited_app(sqlite_template, tmp_path):
    """An app of its own with a low login limit (the limiter's counters are per app)."""
    path = tmp_path / "limited.sqlite3"
    shutil.copy(sqlite_template, path)
    app = create_app(TestingConfig, DATABASE_URL=f"sqlite:///{path}", LOGIN_RATE_LIMIT="3 per minute")
    from ledger.policy import Actor
    from tests import drive
    with app.app_context():
        drive.create_user(Context(current.session(), Actor.system("test")), {
            "username": "tongji", "password": "secret-pass", "role": "statistics"})
    yield app
    app.extensions["ledger.engine"].dispose()


def test_fourth_login_in_a_minute_is_429(limited_app):
    client = limited_app.test_client()
    for _ in range(3):
        r = client.post("/api/v1/auth/token", json={"username": "tongji", "password": "wrong-pass"})
        assert r.status_code == 401
    r = client.post("/api/v1/auth/token", json={"username": "tongji", "password": "secret-pass"})
    body = _json_error(r, 429)
    assert body["status"] == "Too Many Requests"
    # other endpoints are not limited by it
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/me").status_code == 401


def test_rate_limit_counts_per_account_from_every_address(limited_app):
    """Guessing one account's password from many addresses is throttled all the same."""
    client = limited_app.test_client()
    for n in range(3):
        client.post("/api/v1/auth/token", json={"username": "tongji", "password": "wrong-pass"},
                    environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
    r = client.post("/api/v1/auth/token", json={"username": "tongji", "password": "secret-pass"},
                    environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert r.status_code == 429


# ------------------------------------------------------------------ tokens

def _issue(env, name: str, ttl: int) -> str:
    with env.app.app_context():
        session = current.session()
        raw, _ = issue_token_for(session, session.get(User, env.ids[name]), ttl)
    return raw


def _me(env, token: str):
    return env.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def test_expired_token_is_401(seeded):
    expired = _issue(seeded, "u_host", -1)
    body = _json_error(_me(seeded, expired), 401)
    assert "token" in body["message"]
    assert _me(seeded, _issue(seeded, "u_host", 60)).status_code == 200


def test_revoked_token_is_401(seeded):
    token = _issue(seeded, "u_host", 3600)
    assert _me(seeded, token).status_code == 200
    with seeded.app.app_context():
        session = current.session()
        host = actor_of(session.get(User, seeded.ids["u_host"]))
        assert revoke_token(Context(session, host), token) is True
    r = _me(seeded, token)
    _json_error(r, 401)
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert _me(seeded, seeded.seed.tokens["host"]).status_code == 200  # others stay valid


def test_password_change_revokes_the_users_tokens(seeded):
    admin, uid = seeded.as_("admin"), seeded.ids["u_host"]
    etag = admin.get(f"/users/{uid}").headers["ETag"]
    r = admin.patch(f"/users/{uid}", {"password": "a-new-password"}, headers={"If-Match": etag})
    assert r.status_code == 200 and "password" not in r.json
    _json_error(_me(seeded, seeded.seed.tokens["host"]), 401)
    login = seeded.as_("anon").post("/auth/token", {"username": "lingwu", "password": "a-new-password"})
    assert login.status_code == 200


@pytest.mark.parametrize("header", [
    "", "Bearer", "Bearer ", "Bearer short", "Basic bGluZ3d1OnNlY3JldC1wYXNz",
    "Bearer " + "x" * 43, "Bearer " + "x" * 201, "Token {token}", "Bearer {token} extra",
    "Bearer\t{token}", "Bearer {token} ",
])
def test_malformed_or_unknown_credentials_are_401(seeded, header):
    header = header.format(token=seeded.seed.tokens["admin"])
    r = seeded.client.get("/api/v1/projects", headers={"Authorization": header} if header else {})
    _json_error(r, 401)
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
