"""docs/permissions.md through HTTP: every endpoint × every kind of caller, one test per cell.

Columns (tests/api/_seed.py): anon, admin, statistics, commerce, host (灵武市, hosts every
seeded project and is the receiving party), recommender (兴庆区, the recommending party of every
seeded agreement), bystander (平罗县, party to nothing).

Rules: no credentials → 401 except POST /auth/token, the OpenAPI document and the docs; an
object the caller may not see → 404; a known user acting outside the table → 403; an allowed
action → its 2xx, or the exact 409 when the object's state forbids it. Every cell runs on a
freshly restored seed, on SQLite and on PostgreSQL. A refused request must write nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import pytest

from ledger.domain import workflow
from ledger.domain.enums import Role, Side
from ledger.domain.workflow import Standing
from tests.api._seed import (
    ACTORS, AGREEMENT_BODY, EVIDENCE_PNG, PROJECT_BODY, REGION_BODY, REGION_OF, USER_BODY, ZONE_BODY, fill,
)

REGIONS = ("host", "recommender", "bystander")


def row(admin, statistics, commerce, host, recommender, bystander, anon=401) -> dict[str, int]:
    return dict(anon=anon, admin=admin, statistics=statistics, commerce=commerce, host=host,
                recommender=recommender, bystander=bystander)


ALL_200 = row(200, 200, 200, 200, 200, 200)
PUBLIC_200 = row(200, 200, 200, 200, 200, 200, anon=200)
ADMIN_ONLY = row(200, 403, 403, 403, 403, 403)
ADMIN_CREATES = row(201, 403, 403, 403, 403, 403)
LEDGER_ADMINS = row(200, 200, 403, 403, 403, 403)       # verify, audit
STATISTICS_ONLY = row(403, 200, 403, 403, 403, 403)     # close / reopen years
FILING_BODIES = row(403, 200, 200, 403, 403, 403)       # acknowledge / return
PARTY_READ = row(200, 200, 200, 200, 200, 404)          # project or agreement with both parties


@dataclass
class Endpoint:
    name: str
    method: str
    path: str                      # formatted with the seed's ids
    expect: dict[str, int]
    body: dict | None = None
    query: dict | None = None
    etag_of: str | None = None     # send If-Match with the ETag of this resource (read as admin)
    check: Callable | None = None  # check(env, actor, json) for 2xx answers
    check_409: Callable | None = None  # the same for a 409 (what the refusal carries)
    api: bool = True               # path under /api/v1
    upload: Callable | None = None  # upload(ids) → CSV bytes sent as the multipart field `file`


# ------------------------------------------------------------------ checks of allowed answers

def _ids(body):
    return sorted(x["id"] for x in body)


def check_token(env, actor, body):
    assert body["token_type"] == "bearer" and body["expires_in"] > 0
    assert env.client.get("/api/v1/me", headers={
        "Authorization": f"Bearer {body['access_token']}"}).json["username"] == "tongji"


def check_me(env, actor, body):
    assert body["username"] == env.seed.usernames[actor]
    assert body["region_code"] == REGION_OF.get(actor)
    assert "password" not in body and "password_hash" not in body


def check_projects(env, actor, body):
    i = env.ids
    everything = sorted(i[k] for k in ("p_filed", "p_draft", "p_signed", "p_submitted", "p_free",
                                       "p_unlanded"))
    parties = sorted(i[k] for k in ("p_filed", "p_draft", "p_signed", "p_submitted"))
    expected = {"recommender": parties, "bystander": []}.get(actor, everything)
    assert _ids(body) == expected


def check_agreements(env, actor, body):
    i = env.ids
    every = sorted(i[k] for k in ("a_filed", "a_draft", "a_signed", "a_submitted"))
    assert _ids(body) == ([] if actor == "bystander" else every)


def check_postings(env, actor, body):
    """The filed project's four (two each) and the host's posting of the 2024 receipt."""
    regions = {p["region_code"] for p in body}
    if actor in REGIONS:
        assert regions <= {REGION_OF[actor]}
        assert len(body) == {"bystander": 0, "host": 3, "recommender": 2}[actor]
    else:
        assert regions == {"640181", "640104"} and len(body) == 5


def check_attribution(env, actor, body):
    codes = [r["code"] for r in body["regions"]]
    if actor in REGIONS:
        assert codes == [REGION_OF[actor]]
    else:
        assert "640181" in codes and "640104" in codes and "640221" in codes
    assert body["totals"]["in_place"] == "20.10"  # province totals for everyone
    assert body["reconciliation"]["difference"] == "0.00"


def check_attribution_other(env, actor, body):
    assert [r["code"] for r in body["regions"]] == ["640181"]
    assert body["regions"][0]["in_place"] == "20.10" and body["regions"][0]["ceded"] == "6.03"


def check_project_lines(env, actor, body):
    ids = [line["project_id"] for line in body["projects"]]
    assert ids == ([] if actor == "bystander" else [env.ids["p_filed"]])


def check_reports(env, actor, body):
    assert [(r["period"], r["revision"], r["amount"]) for r in body] == [
        ("2025-01", 1, "10.05"), ("2025-02", 1, "10.05")]


def check_status(expected: str) -> Callable:
    def check(env, actor, body):
        assert body["status"] == expected, body
    return check


def check_checklist(env, actor, body):
    """2026 in the seed: the draft, signed and submitted agreements cover it (from 2025, open
    ended); every landed project has reported nothing of it."""
    i = env.ids
    assert [(a["agreement_id"], a["status"]) for a in body["agreements"]] == [
        (i["a_draft"], "draft"), (i["a_signed"], "signed"), (i["a_submitted"], "submitted")], body
    assert [p["project_id"] for p in body["unreported"]] == sorted(
        i[k] for k in ("p_filed", "p_draft", "p_signed", "p_submitted", "p_free"))
    assert body["open_items"] == 8 and len(body["digest"]) == 64


def check_open_checklist(env, actor, body):
    assert body["error"] == "year.checklist_open" and body["checklist"]["year"] == 2026, body
    assert len(body["checklist"]["agreements"]) == 3 and len(body["checklist"]["digest"]) == 64


def check_created_agreement(env, actor, body):
    assert body["project_id"] == env.ids["p_free"] and body["status"] == "draft"
    assert body["proposed_by"] == "receiver"  # the host opens it


def check_amended(env, actor, body):
    assert body["version"] == 2 and body["status"] == "draft" and body["recommender_share"] == "40.00"
    assert [v["status"] for v in body["versions"]] == ["filed", "draft"]


def check_report(env, actor, body):
    assert body["created"] is True and body["report"]["amount"] == "5.00"
    assert [(p["role"], p["amount"]) for p in body["postings"]] == [
        ("recommender", "1.50"), ("receiver", "3.50")]


def import_file(ids) -> bytes:
    """A one-row import file for the filed project (its host may report it)."""
    return f"project_id,period,amount\r\n{ids['p_filed']},2025-03,5.00\r\n".encode()


def check_import(env, actor, body):
    assert body == {"rows": 1, "created": 1, "revised": 0, "unchanged": 0, "postings": 2}


def funds_import_file(ids) -> bytes:
    """A one-row funds import file for the filed project (its host may record it)."""
    return (f"project_id,received_on,amount,source,payer\r\n"
            f"{ids['p_filed']},2025-03-15,5.00,境外,宁夏某某有限公司\r\n").encode()


def check_funds_import(env, actor, body):
    assert body == {"rows": 1, "created": 1, "postings": 2}


def evidence_form(ids) -> dict:
    """An evidence upload: a PNG and its kind."""
    import io
    return {"kind": "银行进账单", "file": (io.BytesIO(EVIDENCE_PNG), "回单.png")}


def check_key(key, value) -> Callable:
    def check(env, actor, body):
        assert body[key] == value, body
    return check


def check_nonempty_list(env, actor, body):
    assert isinstance(body, list) and body


# ------------------------------------------------------------------ the table

ENDPOINTS = [
    # auth
    Endpoint("token", "POST", "/auth/token", PUBLIC_200,
             body={"username": "tongji", "password": "secret-pass"}, check=check_token),
    Endpoint("me", "GET", "/me", ALL_200, check=check_me),
    Endpoint("token.revoke", "DELETE", "/auth/token", row(204, 204, 204, 204, 204, 204)),
    # users (admin)
    Endpoint("users.list", "GET", "/users", ADMIN_ONLY,
             check=lambda env, a, b: len(b) == 6 or pytest.fail(b)),
    Endpoint("users.create", "POST", "/users", ADMIN_CREATES,
             body=USER_BODY,
             check=lambda env, a, b: b["username"] == "newuser" and "password" not in b
             or pytest.fail(b)),
    Endpoint("users.get", "GET", "/users/{u_host}", ADMIN_ONLY, check=check_key("username", "lingwu")),
    Endpoint("users.patch", "PATCH", "/users/{u_host}", ADMIN_ONLY, body={"active": False},
             etag_of="/users/{u_host}", check=check_key("active", False)),
    # regions, zones, industries
    Endpoint("regions.list", "GET", "/regions", ALL_200, check=check_nonempty_list),
    Endpoint("regions.create", "POST", "/regions", ADMIN_CREATES,
             body=REGION_BODY, check=check_key("code", "640181-LWYR")),
    Endpoint("regions.get", "GET", "/regions/640181", ALL_200, check=check_key("name", "灵武市")),
    Endpoint("zones.list", "GET", "/zones", ALL_200,
             check=lambda env, a, b: len(b) == 2 or pytest.fail(b)),
    Endpoint("zones.create", "POST", "/zones", ADMIN_CREATES,
             body=ZONE_BODY, check=check_key("region_code", "640221")),
    Endpoint("zones.match", "GET", "/zones/match", ALL_200, query={"industry": "C2614"},
             check=lambda env, a, b: [z["id"] for z in b] == [env.ids["zone_lw"]] or pytest.fail(b)),
    Endpoint("zones.get", "GET", "/zones/{zone_lw}", ALL_200, check=check_key("region_code", "640181")),
    Endpoint("zones.patch", "PATCH", "/zones/{zone_lw}", ADMIN_ONLY, body={"blocks": ["羊绒园"]},
             etag_of="/zones/{zone_lw}", check=check_key("blocks", ["羊绒园"])),
    Endpoint("industries", "GET", "/industries", ALL_200, query={"q": "C26"},
             check=lambda env, a, b: [r["code"] for r in b] == ["C26"] or pytest.fail(b)),
    # projects
    Endpoint("projects.list", "GET", "/projects", ALL_200, check=check_projects),
    Endpoint("projects.create", "POST", "/projects", row(403, 403, 403, 201, 403, 403),
             body=PROJECT_BODY, check=check_key("host_code", "640181")),
    Endpoint("projects.get", "GET", "/projects/{p_filed}", PARTY_READ, check=check_key("host_code", "640181")),
    Endpoint("projects.get.no_agreement", "GET", "/projects/{p_free}", row(200, 200, 200, 200, 404, 404),
             check=check_key("stage", "under_construction")),
    Endpoint("projects.patch", "PATCH", "/projects/{p_filed}", row(403, 403, 403, 200, 403, 404),
             body={"name": "改名后的项目"}, etag_of="/projects/{p_filed}", check=check_key("name", "改名后的项目")),
    Endpoint("projects.patch.stage", "PATCH", "/projects/{p_unlanded}", row(403, 403, 403, 200, 404, 404),
             body={"stage": "under_construction", "stage_on": "2025-06-01"},
             etag_of="/projects/{p_unlanded}", check=check_key("stage", "under_construction")),
    Endpoint("projects.patch.backwards", "PATCH", "/projects/{p_filed}", row(403, 403, 403, 409, 403, 404),
             body={"stage": "signed", "stage_on": "2025-06-01"}, etag_of="/projects/{p_filed}"),
    # investments
    Endpoint("investments.put", "PUT", "/projects/{p_filed}/investments/2025-03",
             row(403, 403, 403, 200, 403, 404), body={"amount": "5.00", "note": "三月"}, check=check_report),
    Endpoint("investments.put.not_landed", "PUT", "/projects/{p_unlanded}/investments/2025-03",
             row(403, 403, 403, 409, 404, 404), body={"amount": "5.00"}),
    Endpoint("investments.put.closed_year", "PUT", "/projects/{p_filed}/investments/2023-05",
             row(403, 403, 403, 409, 403, 404), body={"amount": "5.00"}),
    Endpoint("investments.list", "GET", "/projects/{p_filed}/investments", PARTY_READ,
             query={"year": 2025}, check=check_reports),
    # a region's rows for a project it does not host are refused (422, the row named), never
    # a 404 that would tell the project exists
    Endpoint("investments.import", "POST", "/investments/import", row(403, 200, 403, 200, 422, 422),
             upload=import_file, check=check_import),
    Endpoint("investments.import.template", "GET", "/investments/import/template", ALL_200),
    Endpoint("funds.import", "POST", "/funds/import", row(403, 200, 403, 200, 422, 422),
             upload=funds_import_file, check=check_funds_import),
    Endpoint("funds.import.template", "GET", "/funds/import/template", ALL_200),
    # funds in place: the host records, corrects and voids; whoever may read the project reads
    Endpoint("funds.list", "GET", "/projects/{p_signed}/funds", PARTY_READ,
             check=lambda env, a, b: [r["id"] for r in b] == [env.ids["r_signed"]] or pytest.fail(b)),
    Endpoint("funds.create", "POST", "/projects/{p_free}/funds", row(403, 403, 403, 201, 404, 404),
             body={"received_on": "2025-03-15", "amount": "5.00", "source": "domestic",
                   "payer": "宁夏某某有限公司"}, check=check_key("revision", 1)),
    Endpoint("funds.get", "GET", "/projects/{p_signed}/funds/{r_signed}", PARTY_READ,
             check=lambda env, a, b: len(b["revisions"]) == 1 or pytest.fail(b)),
    Endpoint("funds.patch", "PATCH", "/projects/{p_signed}/funds/{r_signed}",
             row(403, 403, 403, 200, 403, 404), body={"payer": "宁夏另一有限公司", "reason": "出资方有误"},
             etag_of="/projects/{p_signed}/funds/{r_signed}", check=check_key("revision", 2)),
    Endpoint("funds.void", "POST", "/projects/{p_signed}/funds/{r_signed}/void",
             row(403, 403, 403, 200, 403, 404), body={"reason": "重复录入"},
             etag_of="/projects/{p_signed}/funds/{r_signed}", check=check_key("voided", True)),
    Endpoint("funds.evidence.create", "POST", "/projects/{p_signed}/funds/{r_signed}/evidence",
             row(403, 403, 403, 201, 403, 404), upload=evidence_form,
             check=check_key("media_type", "image/png")),
    Endpoint("funds.evidence.get", "GET", "/projects/{p_signed}/funds/{r_signed}/evidence/{e_signed}",
             PARTY_READ),
    # agreements
    Endpoint("agreements.list", "GET", "/agreements", ALL_200, check=check_agreements),
    # Only the host opens an agreement; a region that does not host the project cannot see it.
    Endpoint("agreements.create", "POST", "/agreements", row(403, 403, 403, 201, 404, 404),
             body=AGREEMENT_BODY, check=check_created_agreement),
    Endpoint("agreements.get", "GET", "/agreements/{a_filed}", PARTY_READ, check=check_status("filed")),
    Endpoint("agreements.patch", "PATCH", "/agreements/{a_draft}", row(403, 403, 403, 200, 200, 404),
             body={"recommender_share": "25"}, etag_of="/agreements/{a_draft}",
             check=lambda env, a, b: (b["recommender_share"], b["status"]) == ("25.00", "draft")
             or pytest.fail(b)),
    Endpoint("agreements.patch.filed", "PATCH", "/agreements/{a_filed}", row(403, 403, 403, 409, 409, 404),
             body={"recommender_share": "25"}, etag_of="/agreements/{a_filed}"),
    # Workflow actions name the version they act on (If-Match with the ETag the caller read).
    Endpoint("agreements.confirm", "POST", "/agreements/{a_draft}/confirm",
             row(403, 403, 403, 409, 200, 404), etag_of="/agreements/{a_draft}",
             check=check_status("signed")),
    Endpoint("agreements.decline", "POST", "/agreements/{a_draft}/decline",
             row(403, 403, 403, 403, 200, 404), body={"reason": "本区不同意作为推荐方"},
             etag_of="/agreements/{a_draft}", check=check_status("declined")),
    Endpoint("agreements.decline.signed", "POST", "/agreements/{a_signed}/decline",
             row(403, 403, 403, 403, 409, 404), body={"reason": "本区不同意作为推荐方"},
             etag_of="/agreements/{a_signed}"),
    Endpoint("agreements.withdraw", "POST", "/agreements/{a_draft}/withdraw",
             row(403, 403, 403, 200, 403, 404), etag_of="/agreements/{a_draft}",
             check=check_status("withdrawn")),
    Endpoint("agreements.withdraw.filed", "POST", "/agreements/{a_filed}/withdraw",
             row(403, 403, 403, 409, 403, 404), etag_of="/agreements/{a_filed}"),
    Endpoint("agreements.submit", "POST", "/agreements/{a_signed}/submit",
             row(403, 403, 403, 200, 200, 404), etag_of="/agreements/{a_signed}",
             check=check_status("submitted")),
    Endpoint("agreements.submit.draft", "POST", "/agreements/{a_draft}/submit",
             row(403, 403, 403, 409, 409, 404), etag_of="/agreements/{a_draft}"),
    Endpoint("agreements.acknowledge", "POST", "/agreements/{a_submitted}/acknowledge", FILING_BODIES,
             etag_of="/agreements/{a_submitted}",
             check=lambda env, a, b: (b["status"], b["acknowledged_by"]) == ("submitted", [a])
             or pytest.fail(b)),
    Endpoint("agreements.acknowledge.draft", "POST", "/agreements/{a_draft}/acknowledge",
             row(403, 409, 409, 403, 403, 403), etag_of="/agreements/{a_draft}"),
    Endpoint("agreements.return", "POST", "/agreements/{a_submitted}/return", FILING_BODIES,
             body={"reason": "材料不全"}, etag_of="/agreements/{a_submitted}",
             check=check_status("returned")),
    Endpoint("agreements.amend", "POST", "/agreements/{a_filed}/amend", row(403, 403, 403, 201, 201, 404),
             body={"recommender_share": "40", "first_year": 2026}, etag_of="/agreements/{a_filed}",
             check=check_amended),
    Endpoint("agreements.amend.draft", "POST", "/agreements/{a_draft}/amend",
             row(403, 403, 403, 409, 409, 404), body={"recommender_share": "40"},
             etag_of="/agreements/{a_draft}"),
    # attribution, ledger, years, audit
    Endpoint("attribution", "GET", "/attribution", ALL_200, query={"year": 2025}, check=check_attribution),
    Endpoint("attribution.other_region", "GET", "/attribution", row(200, 200, 200, 200, 403, 403),
             query={"year": 2025, "region": "640181"}, check=check_attribution_other),
    Endpoint("attribution.projects", "GET", "/attribution/projects", ALL_200, query={"year": 2025},
             check=check_project_lines),
    Endpoint("attribution.csv", "GET", "/attribution", ALL_200, query={"year": 2025, "format": "csv"}),
    Endpoint("attribution.other_region.xlsx", "GET", "/attribution", row(200, 200, 200, 200, 403, 403),
             query={"year": 2025, "region": "640181", "format": "xlsx"}),
    Endpoint("attribution.projects.xlsx", "GET", "/attribution/projects", ALL_200,
             query={"year": 2025, "format": "xlsx"}),
    Endpoint("postings", "GET", "/postings", ALL_200, check=check_postings),
    Endpoint("ledger.verify", "GET", "/ledger/verify", LEDGER_ADMINS,
             check=lambda env, a, b: (b["ok"], b["postings"]) == (True, 5) or pytest.fail(b)),
    Endpoint("years.list", "GET", "/years", ALL_200,
             check=lambda env, a, b: [(y["year"], y["status"]) for y in b]
             == [(2023, "closed"), (2024, "open"), (2025, "open")] or pytest.fail(b)),
    Endpoint("years.checklist", "GET", "/years/2026/checklist", row(200, 200, 200, 403, 403, 403),
             check=check_checklist),
    # 2022: nothing open (every project started in 2024), so no digest is needed.
    Endpoint("years.close", "POST", "/years/2022/close", STATISTICS_ONLY, check=check_status("closed")),
    Endpoint("years.close.open_checklist", "POST", "/years/2026/close",
             row(403, 409, 403, 403, 403, 403), check_409=check_open_checklist),
    Endpoint("years.close.closed", "POST", "/years/2023/close", row(403, 409, 403, 403, 403, 403)),
    Endpoint("years.reopen", "POST", "/years/2023/reopen", STATISTICS_ONLY, body={"reason": "更正数据"},
             check=check_status("open")),
    Endpoint("audit", "GET", "/audit", LEDGER_ADMINS, check=check_nonempty_list),
    # printed documents (PDF)
    Endpoint("documents.filing", "GET", "/agreements/{a_filed}/filing.pdf", PARTY_READ),
    Endpoint("documents.filing.draft", "GET", "/agreements/{a_draft}/filing.pdf", PARTY_READ),
    Endpoint("documents.receipt", "GET", "/agreements/{a_filed}/receipt.pdf", PARTY_READ),
    Endpoint("documents.receipt.unfiled", "GET", "/agreements/{a_draft}/receipt.pdf",
             row(409, 409, 409, 409, 409, 404)),
    Endpoint("documents.statement", "GET", "/attribution/statement.pdf", ALL_200,
             query={"year": 2025}),
    # public documents of the API itself
    Endpoint("openapi", "GET", "/api/v1/openapi.json", PUBLIC_200, api=False,
             check=lambda env, a, b: b["openapi"].startswith("3.") or pytest.fail(b)),
    Endpoint("docs", "GET", "/api/v1/docs", PUBLIC_200, api=False),
]

CELLS = [(e, actor) for e in ENDPOINTS for actor in ACTORS]


def run_cell(env, endpoint: Endpoint, actor: str):
    ids = env.ids
    path = endpoint.path.format(**ids)
    url = path if not endpoint.api else f"/api/v1{path}"
    headers = {}
    if actor != "anon":
        headers["Authorization"] = f"Bearer {env.seed.tokens[actor]}"
    if endpoint.etag_of:
        etag = env.as_("admin").get(endpoint.etag_of.format(**ids)).headers["ETag"]
        headers["If-Match"] = etag
    before = env.state()
    if endpoint.upload is not None:
        import io
        upload = endpoint.upload(ids)
        data = upload if isinstance(upload, dict) else {"file": (io.BytesIO(upload), "import.csv")}
        response = env.client.open(url, method=endpoint.method, headers=headers, data=data,
                                   content_type="multipart/form-data")
    else:
        response = env.client.open(url, method=endpoint.method, headers=headers,
                                   json=fill(endpoint.body, ids) if endpoint.body is not None else None,
                                   query_string=endpoint.query)
    expected = endpoint.expect[actor]
    assert response.status_code == expected, (endpoint.name, actor, response.status_code,
                                              response.get_data(as_text=True)[:500])
    if endpoint.api:  # the answer is what the OpenAPI document says it is
        operation = _openapi(env).find_operation_by_path(endpoint.method, url)
        operation.validate_response(response)
    if 200 <= expected < 300:
        if endpoint.check and response.is_json:
            endpoint.check(env, actor, response.json)
        return response
    body = response.json
    assert body["code"] == expected and isinstance(body["status"], str) and body["message"], body
    if expected == 409 and endpoint.check_409:
        endpoint.check_409(env, actor, body)
    if expected == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    after = env.state()
    assert after == before, "a refused request wrote something: " + ", ".join(
        name for name in before if before[name] != after[name])
    return response


_SCHEMAS: dict = {}


def _openapi(env):
    """The app's own OpenAPI document, loaded once per backend."""
    if env.backend_name not in _SCHEMAS:
        import schemathesis
        _SCHEMAS[env.backend_name] = schemathesis.openapi.from_dict(
            env.client.get("/api/v1/openapi.json").json)
    return _SCHEMAS[env.backend_name]


def _cell_id(cell):
    endpoint, actor = cell
    return f"{endpoint.name}-{actor}-{endpoint.expect[actor]}"


@pytest.mark.parametrize("cell", CELLS, ids=[_cell_id(c) for c in CELLS])
def test_cell_sqlite(seeded_sqlite, cell):
    run_cell(seeded_sqlite, *cell)


@pytest.mark.postgres
@pytest.mark.parametrize("cell", CELLS, ids=[_cell_id(c) for c in CELLS])
def test_cell_postgres(seeded_postgres, cell):
    run_cell(seeded_postgres, *cell)


def test_every_operation_is_in_the_table(seeded_sqlite):
    """The matrix covers every operation of the OpenAPI document (new endpoints get a row)."""
    spec = seeded_sqlite.client.get("/api/v1/openapi.json").json
    documented = {(method.upper(), path.removeprefix("/api/v1"))
                  for path, ops in spec["paths"].items() for method in ops
                  if method in ("get", "post", "put", "patch", "delete")}
    covered = {(e.method, _shape(e.path)) for e in ENDPOINTS if e.api}
    assert {(m, _shape(p)) for m, p in documented} - covered == set()


def _shape(path: str) -> str:
    """/years/2026/close and /years/{year}/close → /years/{}/close."""
    return re.sub(r"/(\{[a-z_]+\}|[0-9-]+)(?=/|$)", "/{}", path)


# What each seeded actor is to every seeded agreement, as the workflow's table names who may act.
STANDINGS = {"admin": Standing(), "statistics": Standing(body=Role.STATISTICS),
             "commerce": Standing(body=Role.COMMERCE), "host": Standing(side=Side.RECEIVER),
             "recommender": Standing(side=Side.RECOMMENDER)}


def test_the_workflow_actions_refuse_exactly_whom_the_table_does_not_name():
    """Each workflow action's cells answer 403 exactly for the actors its `who` does not admit
    (ledger.domain.workflow.STEPS); PATCH is the edit."""
    seen = set()
    for e in ENDPOINTS:
        kind, name = (e.name.split(".") + [""])[:2]
        action = "edit" if name == "patch" else name
        if kind != "agreements" or action not in workflow.OFFERED:
            continue
        seen.add(action)
        who = workflow.STEP[action].who
        for actor, standing in STANDINGS.items():
            assert (e.expect[actor] == 403) is not who.admits(standing), (e.name, actor)
    assert seen == set(workflow.OFFERED)


@pytest.mark.parametrize("actor", ["admin", "host", "bystander"])
def test_unknown_objects_are_404_for_everyone(seeded_sqlite, actor):
    """A missing project/agreement looks exactly like one the caller may not see."""
    client = seeded_sqlite.as_(actor)
    for path in ("/projects/99999", "/agreements/99999", "/projects/99999/investments"):
        r = client.get(path)
        assert r.status_code == 404 and r.json["code"] == 404, (path, r.json)
    hidden = client.get(f"/projects/{seeded_sqlite.ids['p_free']}")
    if actor == "bystander":
        missing = client.get("/projects/99999")
        assert (hidden.status_code, set(hidden.json)) == (missing.status_code, set(missing.json))


def test_inactive_user_token_is_401(seeded_sqlite):
    admin = seeded_sqlite.as_("admin")
    uid = seeded_sqlite.ids["u_host"]
    etag = admin.get(f"/users/{uid}").headers["ETag"]
    assert admin.patch(f"/users/{uid}", {"active": False}, headers={"If-Match": etag}).status_code == 200
    r = seeded_sqlite.as_("host").get("/me")
    assert r.status_code == 401 and r.json["code"] == 401
