"""Hostile input against every operation of the API: each payload below goes to every operation of
the OpenAPI document, anonymously and with a token, as the JSON body of operations that take one and
as the value of every query parameter. No answer is a 5xx, each comes within 1 s (a generous bound:
a parser that backtracks or recurses takes tens of seconds on these), and nothing in the database
changes. On SQLite and PostgreSQL."""

from __future__ import annotations

import functools
import json
import time
from io import BytesIO

import pytest

from ledger.domain import limits

PREFIX = "/api/v1"
BOUND_SECONDS = 1.0
HUGE = 60_000


def _spec(app) -> dict:
    return app.test_client().get(f"{PREFIX}/openapi.json").json


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        node = spec
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _operations(spec: dict):
    """(method, path template, body property names or None, query parameter names)."""
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            body = None
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body = sorted(_resolve(spec, content["application/json"]["schema"])
                              .get("properties", {}))
            elif content or method in ("post", "put", "patch"):
                body = []  # a file upload or no body: it gets the JSON payloads all the same
            query = [p["name"] for p in op.get("parameters", []) if p.get("in") == "query"]
            yield method.upper(), path, body, query


def _path(template: str, ids: dict) -> str:
    values = {"project_id": ids["p_filed"], "agreement_id": ids["a_draft"],
              "user_id": ids["u_host"], "zone_id": ids["zone_lw"], "code": "640181",
              "period": "2025-03", "year": 2025, "filename": "swagger-ui.css",
              "receipt_id": ids["r_signed"], "evidence_id": ids["e_signed"]}
    for name, value in values.items():
        template = template.replace("{%s}" % name, str(value))
    assert "{" not in template, template
    return template


@functools.cache
def _bodies(props: tuple[str, ...]) -> dict[str, bytes]:
    """The hostile raw bodies (sent as application/json) for a body with these properties."""
    props = props or ("amount", "name")
    def each(value) -> bytes:
        return json.dumps({p: value for p in props}).encode()
    return {
        "huge-amount": each("9" * HUGE + ".00"),
        "leading-zeros": each("0" * HUGE + "1.00"),
        "huge-exponent-like": each("1" * HUGE + "e"),
        "huge-text": each("x" * (limits.REQUEST_BODY_MAX // (2 * len(props)))),
        "deep-array": b"[" * 3000 + b"]" * 3000,
        "deep-object": b'{"a":' * 3000 + b"1" + b"}" * 3000,
        "deep-in-field": ('{"%s": ' % props[0]).encode() + b"[" * 3000 + b"]" * 3000 + b"}",
        "huge-int": ("{%s}" % ", ".join(f'"{p}": 1{"0" * 5000}' for p in props)).encode(),
        "lone-surrogate": ("{%s}" % ", ".join(f'"{p}": "\\ud800"' for p in props)).encode(),
        "surrogate-key": b'{"\\udfff": 1}',
        "invalid-utf8": ("{%s}" % ", ".join(f'"{p}": "' for p in props[:1])).encode()
                        + b'\xff\xfe\xc3"}',
        "oversized": b'{"name": "' + b"x" * limits.REQUEST_BODY_MAX + b'"}',
        # what no document can print, and a name that reads backwards
        "unprintable": each("名\x07\x92\u202e\ue000\U0002A6D6\r\n称"),
    }


QUERY_VALUES = {  # percent-encoded as sent
    "huge-number": "9" * HUGE + ".00",
    "leading-zeros": "0" * HUGE + "1",
    "lone-surrogate": "%ED%A0%80",  # U+D800 as if UTF-8 could hold it
    "invalid-utf8": "%FF%FE%C3",
    "huge-text": "%25" * HUGE,
    "like-wildcards": "%25_%25",
    "line-break": "%0D%0ASet-Cookie:%20a=b%E2%80%AE",
}


class _Raised:
    """An exception out of the app (the tests propagate them): a 500 in production."""

    status_code = 500

    def __init__(self, err: BaseException):
        self.err = err

    def get_data(self, as_text=True):
        return repr(self.err)


def _timed(client, **kwargs):
    started = time.perf_counter()
    try:
        response = client.open(**kwargs)
    except Exception as err:  # noqa: BLE001 - reported as the 500 it would be
        response = _Raised(err)
    return response, time.perf_counter() - started


@pytest.mark.parametrize("who", ["anon", "token"])
def test_hostile_input_never_costs_a_server_error(seeded, who):
    env = seeded
    spec = _spec(env.app)
    before = env.state()
    client = env.client
    failures, count = [], 0
    for method, template, body, query in _operations(spec):
        path = _path(template, env.ids)
        actor = "anon" if who == "anon" else ("host" if method == "PUT" else "admin")
        auth = env.as_(actor)._headers({})
        sends = []
        if body is not None:
            for name, raw in _bodies(tuple(body)).items():
                sends.append((name, dict(data=raw, content_type="application/json")))
            sends.append(("charset-json", dict(
                data="{\"name\": \"\ud800\"}".encode("utf-8", "surrogatepass"),
                content_type="application/json; charset=utf-8")))
        for param in query:
            for name, value in QUERY_VALUES.items():
                sends.append((f"query-{param}-{name}", dict(query_string=f"{param}={value}")))
        for name, kwargs in sends:
            headers = dict(auth)
            if method == "PATCH" or "/agreements/{agreement_id}/" in template \
                    or "/years/" in template:
                headers["If-Match"] = '"1"'
            r, took = _timed(client, path=path, method=method, headers=headers, **kwargs)
            count += 1
            # A 401 from the token endpoint is a real password check: its cost is Argon2's
            # (memory-hard on purpose, ~0.2 s here and more under load), not the input's.
            hashed = template == f"{PREFIX}/auth/token" and r.status_code == 401
            if r.status_code >= 500 or (took > BOUND_SECONDS and not hashed):
                failures.append((method, template, name, r.status_code, round(took, 2),
                                 r.get_data(as_text=True)[:200]))
            elif r.status_code >= 400 and "docs" not in template:
                assert r.is_json, (method, template, name, r.status_code)
                err = r.json
                assert err["code"] == r.status_code and err["message"], (method, template, name)
    assert count > 300, count
    assert failures == [], "\n".join(map(str, failures))
    assert env.state() == before


def test_oversized_json_body_is_413_with_the_error_body(seeded):
    r = seeded.as_("host").client.post(
        f"{PREFIX}/projects", data=b'{"name": "' + b"x" * limits.REQUEST_BODY_MAX + b'"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {seeded.seed.tokens['host']}"})
    assert r.status_code == 413 and r.is_json
    assert r.json["code"] == 413 and r.json["status"] == "Request Entity Too Large"
    assert r.json["message"]


def _upload(env, content: bytes):
    """POST a CSV file to the import (the multipart body built in memory)."""
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart
    boundary, body = encode_multipart({"file": FileStorage(BytesIO(content), "reports.csv")})
    return env.client.post(
        f"{PREFIX}/investments/import", data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers={"Authorization": f"Bearer {env.seed.tokens['host']}"})


def test_the_import_keeps_its_larger_limit(seeded):
    """A file larger than a JSON request may be but within the import limit reaches the import
    view (which reads it and refuses it as a file), not a 413; beyond its own limit, 413."""
    r = _upload(seeded, b"x" * (limits.REQUEST_BODY_MAX + 1024))
    assert r.status_code == 422, r.get_data(as_text=True)[:300]
    assert r.json["error"] != "import.no_file"  # the file was read, and refused as a file
    r = _upload(seeded, b"x" * (limits.IMPORT_REQUEST_MAX + 1))
    assert r.status_code == 413 and r.is_json and r.json["code"] == 413, r.json


@pytest.mark.parametrize("raw, status", [
    (b"[" * 3000 + b"]" * 3000, 400),
    (b'{"username": 1' + b"0" * 5000 + b', "password": "secret-pass"}', 400),
    (b'{"username": "\\ud800", "password": "secret-pass"}', 400),
    (b'{"username": "ling\xffwu", "password": "secret-pass"}', 400),
])
def test_login_refuses_hostile_bodies(seeded, raw, status):
    r = seeded.client.post(f"{PREFIX}/auth/token", data=raw, content_type="application/json")
    assert r.status_code == status, r.get_data(as_text=True)[:300]
    assert r.json["code"] == status and r.json["message"]
