"""Schemathesis against the app's own OpenAPI document: every operation, generated valid and
invalid requests, on the seeded database (tests/api/_seed.py: projects, agreements in every
state, reports, postings, a closed year).

The caller is the administrator, except for operations only a region or the statistics bureau
may perform (ACTOR_OF), so that successful answers get validated too. Hooks mix the seed's real
ids, periods and years into the generated path parameters, a valid body into the generated
bodies, and the resource's current ETag into If-Match: random data alone would almost only
reach 404 and 422.

Checks: no 5xx, every response (errors included) matches its documented schema, every status
code is documented, the Content-Type is the documented one. The database is restored before each
operation; the examples of one operation share it. Derandomized, so that a failure reproduces.
SQLite runs every operation; PostgreSQL a smoke run of every operation with fewer examples.
LEDGER_TEST_SCHEMATHESIS_EXAMPLES sets the number of examples (default 25).
"""

from __future__ import annotations

import os

import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

from ledger import create_app
from ledger.config import TestingConfig
from tests.api._seed import (
    AGREEMENT_BODY, PROJECT_BODY, REGION_BODY, USER_BODY, ZONE_BODY, fill,
)

PREFIX = "/api/v1"


def _spec() -> dict:
    app = create_app(TestingConfig, DATABASE_URL="sqlite:///:memory:")  # never connects
    try:
        return app.test_client().get(f"{PREFIX}/openapi.json").json
    finally:
        app.extensions["ledger.engine"].dispose()


schema = schemathesis.openapi.from_dict(_spec())
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance,
          content_type_conformance]


# Examples per operation; raise it for a deeper hunt (e.g. 200 finds nothing new today).
EXAMPLES = int(os.environ.get("LEDGER_TEST_SCHEMATHESIS_EXAMPLES", "25"))


def _settings(n: int) -> hypothesis.settings:
    return hypothesis.settings(max_examples=n, deadline=None, derandomize=True, database=None,
                               suppress_health_check=list(hypothesis.HealthCheck))


# The caller per operation (default: the administrator, who reads everything).
ACTOR_OF = {
    ("POST", "/projects"): "host", ("PATCH", "/projects/{project_id}"): "host",
    ("PUT", "/projects/{project_id}/investments/{period}"): "host",
    ("POST", "/investments/import"): "host", ("POST", "/funds/import"): "host",
    ("POST", "/agreements"): "host", ("PATCH", "/agreements/{agreement_id}"): "host",
    ("POST", "/agreements/{agreement_id}/confirm"): "host",
    ("POST", "/agreements/{agreement_id}/submit"): "host",
    ("POST", "/agreements/{agreement_id}/amend"): "host",
    ("POST", "/agreements/{agreement_id}/acknowledge"): "statistics",
    ("POST", "/agreements/{agreement_id}/return"): "statistics",
    ("POST", "/years/{year}/close"): "statistics", ("POST", "/years/{year}/reopen"): "statistics",
}

# Real values for path parameters ("{name}" = a seeded id).
KNOWN_PATH_VALUES = {
    "project_id": ["{p_filed}", "{p_free}", "{p_unlanded}"],
    "agreement_id": ["{a_draft}", "{a_signed}", "{a_submitted}", "{a_filed}"],
    "user_id": ["{u_host}", "{u_bystander}"],
    "zone_id": ["{zone_lw}"],
    "code": ["640181", "640000"],
    "period": ["2025-03", "2025-01", "2023-05"],
    "year": [2026, 2023, 2025],
}

VALID_BODIES = {
    ("POST", "/auth/token"): [{"username": "tongji", "password": "secret-pass"}],
    ("POST", "/users"): [USER_BODY],
    ("PATCH", "/users/{user_id}"): [{"active": False}, {"role": "commerce", "region_code": None}],
    ("POST", "/regions"): [REGION_BODY],
    ("POST", "/zones"): [ZONE_BODY],
    ("PATCH", "/zones/{zone_id}"): [{"blocks": ["羊绒园"]}, {"restricted_industries": ["C25", "C27"]}],
    ("POST", "/projects"): [PROJECT_BODY],
    ("PATCH", "/projects/{project_id}"): [{"name": "改名后的项目"},
                                          {"stage": "in_operation", "stage_on": "2025-06-01"}],
    ("PUT", "/projects/{project_id}/investments/{period}"): [{"amount": "5.00", "note": "三月"}],
    ("POST", "/agreements"): [AGREEMENT_BODY],
    ("PATCH", "/agreements/{agreement_id}"): [{"recommender_share": "25"}],
    ("POST", "/agreements/{agreement_id}/amend"): [{"recommender_share": "40", "first_year": 2026}],
    ("POST", "/agreements/{agreement_id}/return"): [{"reason": "材料不全"}],
    ("POST", "/years/{year}/reopen"): [{"reason": "更正数据"}],
}

CURRENT_ETAG = "<current ETag>"  # replaced by the resource's ETag just before the call
_ENV: dict = {}  # the seeded environment of the running test (for the hooks)


def _key(context) -> tuple[str, str]:
    op = context.operation
    return op.method.upper(), op.path.removeprefix(PREFIX)


@pytest.fixture(autouse=True)
def _current_env(request):
    backend = "postgres" if "postgres" in request.node.name else "sqlite"
    _ENV["env"] = request.getfixturevalue(f"seeded_{backend}")
    yield
    _ENV.clear()


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    known = {name: KNOWN_PATH_VALUES[name] for name in path_parameters or {}
             if name in KNOWN_PATH_VALUES}
    if not known or "env" not in _ENV:  # explicit examples are drawn at collection time
        return st.just(path_parameters)
    ids = _ENV["env"].ids
    real = st.fixed_dictionaries({name: st.sampled_from([fill(v, ids) for v in values])
                                  for name, values in known.items()})
    return st.one_of(st.just(path_parameters), real.map(lambda r: {**path_parameters, **r}))


@schema.hook
def flatmap_body(context, body):
    valid = VALID_BODIES.get(_key(context))
    if not valid or not isinstance(body, dict) or "env" not in _ENV:
        return st.just(body)
    ids = _ENV["env"].ids
    return st.sampled_from([body] + [fill(b, ids) for b in valid])


@schema.hook
def flatmap_headers(context, headers):
    if headers is None or "If-Match" not in headers:
        return st.just(headers)
    return st.sampled_from([headers, {**headers, "If-Match": CURRENT_ETAG}])


def _resource_of(path: str) -> str:
    """/agreements/3/confirm → /agreements/3 (the resource whose ETag an action checks)."""
    parts = path.removeprefix(PREFIX).split("/")
    return "/".join(parts[:3])


def _run(case, env):
    method, template = case.method.upper(), case.path.removeprefix(PREFIX)
    if (method, template) == ("PATCH", "/users/{user_id}") and \
            (case.path_parameters or {}).get("user_id") == env.ids["u_admin"]:
        return  # the administrator must not lock itself out half-way through the examples
    admin = {"Authorization": f"Bearer {env.seed.tokens['admin']}"}
    if case.headers and case.headers.get("If-Match") == CURRENT_ETAG:
        current = env.client.get(f"{PREFIX}{_resource_of(case.formatted_path)}", headers=admin)
        case.headers["If-Match"] = current.headers.get("ETag", '"0"')
    actor = ACTOR_OF.get((method, template), "admin")
    case.call_and_validate(app=env.app, checks=CHECKS,
                           headers={"Authorization": f"Bearer {env.seed.tokens[actor]}"})


@schema.parametrize()
@_settings(EXAMPLES)
def test_api_sqlite(case, seeded_sqlite):
    _run(case, seeded_sqlite)


@pytest.mark.postgres
@schema.parametrize()
@_settings(max(5, EXAMPLES // 5))
def test_api_postgres(case, seeded_postgres):
    _run(case, seeded_postgres)
