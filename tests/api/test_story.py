"""The whole story through HTTP (issue: JSON API): from an empty database to filed agreements,
reports, attribution, amendment, closing a year and as-of queries."""

from __future__ import annotations

import re

from ledger.db import utcnow
from tests.factories import VALID_CREDIT_CODE
from tests.worked_example import STEPS

PASSWORD = "county-pass-1"


def _ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.json)
    return response.json


def _act(client, aid, action, body=None):
    """A workflow action on the terms the client has just read (If-Match with their ETag)."""
    etag = client.get(f"/agreements/{aid}").headers["ETag"]
    return client.post(f"/agreements/{aid}/{action}", json=body, headers={"If-Match": etag})


def _figures(body, code):
    return next({k: r[k] for k in ("in_place", "ceded", "credited", "attributed")}
                for r in body["regions"] if r["code"] == code)


def test_whole_story(admin, anon):
    # Administrator: regions, zones, users.
    for code, name, level, parent in [
        ("640000", "宁夏回族自治区", "province", None),
        ("640100", "银川市", "prefecture", "640000"),
        ("640104", "兴庆区", "county", "640100"),
        ("640181", "灵武市", "county", "640100"),
    ]:
        _ok(admin.post("/regions", {"code": code, "name": name, "level": level,
                                    "parent_code": parent}), 201)
    zone = _ok(admin.post("/zones", {
        "name": "灵武羊绒产业园区", "level": "provincial", "kind": "industrial",
        "region_code": "640181", "blocks": ["羊绒园"], "leading_industries": ["C17", "C26"],
        "restricted_industries": ["C25"]}), 201)
    for username, role, region in [("tongji", "statistics", None), ("shangwu", "commerce", None),
                                   ("lingwu", "region", "640181"), ("xingqing", "region", "640104")]:
        _ok(admin.post("/users", {"username": username, "password": PASSWORD, "role": role,
                                  "region_code": region}), 201)
    tongji, shangwu = anon.login("tongji", PASSWORD), anon.login("shangwu", PASSWORD)
    lingwu, xingqing = anon.login("lingwu", PASSWORD), anon.login("xingqing", PASSWORD)
    assert _ok(lingwu.get("/me"))["region_code"] == "640181"

    # The host county registers the project; it lands.
    project = _ok(lingwu.post("/projects", {
        "name": "年产5万吨精细化工项目", "investor_name": "宁夏某化工有限公司",
        "investor_credit_code": VALID_CREDIT_CODE, "industry_code": "C2614",
        "planned_investment": "50000.00", "zone_id": zone["id"], "signed_on": "2024-12-01"}), 201)
    etag = lingwu.get(f"/projects/{project['id']}").headers["ETag"]
    project = _ok(lingwu.patch(f"/projects/{project['id']}",
                               {"stage": "under_construction", "stage_on": "2025-01-05"},
                               headers={"If-Match": etag}))
    assert project["stage"] == "under_construction" and project["host_code"] == "640181"

    # The host county opens the agreement naming the recommending county, which confirms.
    agreement = _ok(lingwu.post("/agreements", {
        "project_id": project["id"], "recommender_code": "640104", "recommender_share": "30",
        "first_year": 2025, "last_year": None, "signed_on": "2025-01-10",
        "signatories": {"recommender": "张三", "receiver": "李四"},
        "reason": "兴庆区开发区不含化工产业定位"}), 201)
    aid = agreement["id"]
    assert agreement["status"] == "draft" and agreement["number"].startswith("XY-")
    assert _ok(_act(xingqing, aid, "confirm"))["status"] == "signed"
    assert _ok(_act(lingwu, aid, "submit"))["status"] == "submitted"
    assert _ok(_act(tongji, aid, "acknowledge"))["status"] == "submitted"
    filed = _ok(_act(shangwu, aid, "acknowledge"))
    assert filed["status"] == "filed" and sorted(filed["acknowledged_by"]) == ["commerce", "statistics"]
    assert re.fullmatch(r"统备〔\d{4}〕1号", filed["filing_number"])
    assert [e["action"] for e in filed["events"]] == ["create", "confirm", "submit", "acknowledge", "acknowledge"]

    # Monthly reports by the host: docs/attribution.md's worked example (tests/worked_example.py).
    put = lambda period, amount: _ok(lingwu.put(  # noqa: E731
        f"/projects/{project['id']}/investments/{period}", {"amount": amount, "note": ""}))
    def step(period, amount, expected):
        answer = put(period, amount)
        assert [(p["period"], p["role"], p["amount"]) for p in answer["postings"]] == list(expected)
        return answer

    jan, feb, revision, again = STEPS
    step(*jan)
    step(*feb)
    before_revision = utcnow()
    assert step(*revision)["report"]["revision"] == 2
    step(*again)

    body = _ok(tongji.get("/attribution?year=2025"))
    assert _figures(body, "640104") == {"in_place": "0.00", "ceded": "0.00", "credited": "3.01", "attributed": "3.01"}
    assert _figures(body, "640181") == {"in_place": "10.05", "ceded": "3.01", "credited": "0.00", "attributed": "7.04"}
    assert _figures(body, "640100") == {"in_place": "10.05", "ceded": "3.01", "credited": "3.01", "attributed": "10.05"}
    assert body["reconciliation"] == {"in_place": "10.05", "attributed": "10.05", "difference": "0.00"}
    assert body["totals"]["attributed"] == "10.05"

    # as_of before the revision returns the old totals, and keeps doing so.
    old = _ok(tongji.get("/attribution", query_string={"year": 2025, "as_of": before_revision.isoformat()}))
    assert _figures(old, "640104")["credited"] == "6.03"
    assert _figures(old, "640181")["in_place"] == "20.10"

    # A region sees its own rows and the province totals only.
    own = _ok(xingqing.get("/attribution?year=2025"))
    assert [r["code"] for r in own["regions"]] == ["640104"]
    assert own["totals"]["in_place"] == "10.05"

    # An amendment from 2026 changes the split from its first year onward only.
    put("2025-03", "100.00")
    amended = _ok(_act(lingwu, aid, "amend", {"recommender_share": "50", "first_year": 2026}), 201)
    assert amended["version"] == 2 and amended["status"] == "draft"
    _ok(_act(xingqing, aid, "confirm"))
    _ok(_act(xingqing, aid, "submit"))
    _ok(_act(tongji, aid, "acknowledge"))
    v2 = _ok(_act(shangwu, aid, "acknowledge"))
    assert [(v["version"], v["status"], v["last_year"]) for v in v2["versions"]] == [
        (1, "superseded", 2025), (2, "filed", None)]
    assert re.fullmatch(r"统备〔\d{4}〕2号", v2["filing_number"])
    put("2026-01", "10.00")
    y26 = _ok(tongji.get("/attribution?year=2026"))
    assert _figures(y26, "640104")["credited"] == "5.00"
    y25 = _ok(tongji.get("/attribution?year=2025"))
    assert _figures(y25, "640104")["credited"] == "33.01"  # split(110.05, 30%) = 33.015 → 33.01

    # Before closing 2025, its checklist shows what is still open: April to December were not
    # reported. A close that does not name the list's digest is refused with the list; one
    # that names it confirms exactly that list.
    shown = _ok(tongji.get("/years/2025/checklist"))
    assert shown["agreements"] == [] and shown["open_items"] == 1
    assert shown["unreported"] == [{"project_id": project["id"], "project_name": project["name"],
                                    "host_code": "640181",
                                    "months": [f"2025-{m:02d}" for m in range(4, 13)]}]
    refused = tongji.post("/years/2025/close")
    assert (refused.status_code, refused.json["error"]) == (409, "year.checklist_open")
    assert refused.json["checklist"] == {k: v for k, v in shown.items() if k != "open_items"}
    assert _ok(tongji.get("/years/2025/checklist"))["digest"] == shown["digest"]  # unchanged
    # Closing 2025 makes every later write to it 409, and nothing changes.
    _ok(tongji.post("/years/2025/close", {"checklist_digest": shown["digest"]}))
    postings_before = _ok(tongji.get("/postings", query_string={"page_size": 200}))
    r = lingwu.put(f"/projects/{project['id']}/investments/2025-04", json={"amount": "1.00"})
    assert r.status_code == 409 and r.json["code"] == 409
    r = _act(lingwu, aid, "amend", {"recommender_share": "10", "first_year": 2025})
    assert r.status_code == 201  # a draft changes nothing yet …
    _ok(_act(xingqing, aid, "confirm"))
    _ok(_act(xingqing, aid, "submit"))
    _ok(_act(tongji, aid, "acknowledge"))
    r = _act(shangwu, aid, "acknowledge")  # … filing it would change closed 2025
    assert r.status_code == 409, r.json
    assert _ok(tongji.get("/postings", query_string={"page_size": 200})) == postings_before
    assert _ok(tongji.get("/attribution?year=2025"))["regions"] == y25["regions"]
    assert _ok(tongji.get("/ledger/verify"))["ok"] is True
    years = _ok(tongji.get("/years"))
    assert {y["year"]: y["status"] for y in years} == {2025: "closed", 2026: "open"}


def test_as_of_must_not_be_in_the_future(admin):
    future = "2999-01-01T00:00:00Z"
    r = admin.get("/attribution", query_string={"year": 2025, "as_of": future})
    assert r.status_code == 422
    assert r.json["errors"] == {"query": {"as_of": ["must not be in the future"]}}
    r = admin.get("/attribution/projects", query_string={"year": 2025, "as_of": future})
    assert r.status_code == 422 and "as_of" in r.json["errors"]["query"]
