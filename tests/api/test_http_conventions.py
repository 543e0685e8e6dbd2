"""The API's conventions and small guards, each through HTTP on SQLite and PostgreSQL: the
last active administrator stays one, security headers on every response, no-store on token
answers, Allow on a 405, dates within the ledger's range, LIKE wildcards taken literally, the
idempotency fingerprint reads the media type, DELETE /auth/token, X-Pagination documented as what
is sent, and the commerce department kept out of the audit log and verification
(docs/permissions.md)."""

from __future__ import annotations

import json

import pytest

from ledger.domain import limits
from tests.api._seed import PROJECT_BODY, fill
from tests.helpers import today


def _etag(client, path):
    return client.get(path).headers["ETag"]


def test_the_only_active_admin_cannot_demote_or_deactivate_itself(seeded):
    admin, uid = seeded.as_("admin"), seeded.ids["u_admin"]
    before = seeded.state()
    for change in ({"role": "statistics"}, {"active": False}):
        r = admin.patch(f"/users/{uid}", change, headers={"If-Match": _etag(admin, f"/users/{uid}")})
        assert r.status_code == 409, r.json
        assert r.json["error"] == "user.last_admin" and "administrator" in r.json["message"]
    assert seeded.state() == before
    # with a second active administrator, the first may step down
    r = admin.post("/users", {"username": "second-admin", "password": "long-password-1",
                              "role": "admin"})
    assert r.status_code == 201, r.json
    r = admin.patch(f"/users/{uid}", {"active": False},
                    headers={"If-Match": _etag(admin, f"/users/{uid}")})
    assert r.status_code == 200, r.json


@pytest.mark.parametrize("path, who", [
    ("/api/v1/me", "host"), ("/api/v1/openapi.json", "anon"), ("/api/v1/nonexistent", "anon"),
    ("/healthz", "anon"), ("/login", "anon"),
])
def test_every_response_carries_the_security_headers(seeded, path, who):
    client = seeded.as_(who)
    r = seeded.client.get(path, headers=client._headers({}))
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert ("Content-Security-Policy" in r.headers) == (r.mimetype == "text/html")
    if who != "anon":  # an authenticated answer is not kept by caches
        assert r.headers["Cache-Control"] == "no-store"


def test_hsts_when_served_over_https_only(seeded):
    seeded.app.config["SESSION_COOKIE_SECURE"] = True
    r = seeded.as_("host").get("/me")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")


def test_token_answers_are_not_stored(seeded):
    r = seeded.as_("anon").post("/auth/token", {"username": seeded.seed.usernames["host"],
                                                "password": "secret-pass"})
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "no-store" and r.headers["Pragma"] == "no-cache"


def test_405_names_the_allowed_methods(seeded):
    admin = seeded.as_("admin")
    r = admin.delete("/projects")
    assert r.status_code == 405 and r.is_json and r.json["code"] == 405
    assert {m.strip() for m in r.headers["Allow"].split(",")} >= {"GET", "POST"}


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1989-12-31", "2101-01-01"])
def test_dates_outside_the_ledgers_range_are_refused(seeded, day):
    before = seeded.state()
    r = seeded.as_("host").post("/projects", fill({**PROJECT_BODY, "signed_on": day}, seeded.ids))
    assert r.status_code == 422, r.json
    messages = r.json["errors"]["json"]["signed_on"]
    assert any(limits.DATE_MIN.isoformat() in m for m in messages), messages
    assert seeded.state() == before


def test_dates_at_the_ends_of_the_range_are_accepted(seeded):
    """The range's first day, and today (no later day: a signing is not in the future)."""
    host = seeded.as_("host")
    for day in (limits.DATE_MIN, today()):
        r = host.post("/projects", fill({**PROJECT_BODY, "signed_on": day.isoformat()}, seeded.ids))
        assert r.status_code == 201 and r.json["signed_on"] == day.isoformat(), r.json


@pytest.mark.parametrize("q", ["%", "_", "%%", "\\", "%_%"])
def test_search_takes_like_wildcards_literally(seeded, q):
    admin = seeded.as_("admin")
    assert len(admin.get("/projects").json) > 0
    r = admin.get("/projects", query_string={"q": q})
    assert r.status_code == 200 and r.json == [], [p["name"] for p in r.json]


def test_search_still_finds_by_part_of_a_name(seeded):
    admin = seeded.as_("admin")
    name = admin.get("/projects").json[0]["name"]
    found = admin.get("/projects", query_string={"q": name[1:3]}).json
    assert name in [p["name"] for p in found]


def test_idempotency_fingerprint_reads_the_media_type(seeded):
    host = seeded.as_("host")
    body = json.dumps(fill(PROJECT_BODY, seeded.ids)).encode()
    key = {"Idempotency-Key": "charset-variant-1"}
    first = host.post("/projects", data=body, headers=key, content_type="application/json")
    assert first.status_code == 201, first.json
    again = host.post("/projects", data=body, headers=key,
                      content_type="application/json; charset=utf-8")
    assert again.status_code == 201, again.json
    assert again.headers["Idempotency-Replayed"] == "true" and again.json == first.json


def test_delete_auth_token_revokes_ones_own_token(seeded):
    anon = seeded.as_("anon")
    user = seeded.seed.usernames["host"]
    token = anon.post("/auth/token", {"username": user, "password": "secret-pass"}).json["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert anon.get("/me", headers=auth).status_code == 200
    r = anon.delete("/auth/token", headers=auth)
    assert r.status_code == 204 and r.get_data() == b""
    assert anon.get("/me", headers=auth).status_code == 401
    assert anon.delete("/auth/token", headers=auth).status_code == 401  # already revoked
    assert seeded.as_("host").get("/me").status_code == 200  # the user's other tokens stay
    r = anon.delete("/auth/token")
    assert r.status_code == 401 and r.json["code"] == 401
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_delete_auth_token_is_documented(seeded):
    spec = seeded.client.get("/api/v1/openapi.json").json
    op = spec["paths"]["/api/v1/auth/token"]["delete"]
    assert "204" in op["responses"] and op.get("security") != []


def test_x_pagination_is_documented_as_the_string_it_is(seeded):
    spec = seeded.client.get("/api/v1/openapi.json").json
    header = spec["components"]["headers"]["PAGINATION"]
    assert header["schema"] == {"type": "string"}
    r = seeded.as_("admin").get("/projects", query_string={"page_size": 2})
    sent = r.headers["X-Pagination"]
    assert isinstance(sent, str) and json.loads(sent)["page"] == 1


@pytest.mark.parametrize("path", ["/audit", "/ledger/verify"])
def test_commerce_may_not_read_the_audit_log_or_verification(seeded, path):
    assert seeded.as_("commerce").get(path).status_code == 403
    assert seeded.as_("statistics").get(path).status_code == 200


def test_an_api_request_opens_no_cookie_session(seeded):
    """The API knows only bearer tokens: it neither reads nor sets the web pages' session
    cookie (ledger.api.WebSessions), while the web pages keep theirs."""
    from flask import request

    app = seeded.app
    with app.test_request_context("/api/v1/projects"):
        assert app.session_interface.open_session(app, request) is None
    with app.test_request_context("/login"):
        assert app.session_interface.open_session(app, request) is not None
    r = seeded.as_("admin").get("/projects")
    assert r.status_code == 200 and "Set-Cookie" not in r.headers
