"""The date rules and project corrections through HTTP, on SQLite and PostgreSQL: no date after
today, stages in order, no agreement year before the project's signing (each a coded 422 naming the
field); and the host's correction of a project (PATCH with If-Match and a reason), re-checked
against the reports and agreements that exist, journaled before → after, with `ledger verify` still
passing.

The seed (tests/api/_seed.py): every project signed 2023-12-01 and (but p_unlanded) under
construction from 2024-01-01; p_filed has reports for 2025-01 and 2025-02 and a filed agreement
from 2025; p_draft an agreement from 2025; p_free nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api._seed import AGREEMENT_BODY, PROJECT_BODY, fill
from tests.helpers import today
from tests.io.files import HEADERS_ZH, csv_bytes


def _tomorrow() -> str:
    return (today() + timedelta(days=1)).isoformat()


def _codes(r, field: str) -> list[str]:
    assert r.status_code in (409, 422), (r.status_code, r.json)
    return r.json["error_codes"]["json"][field]


def _patch(client, project_id: int, body: dict, etag: str | None = None):
    etag = etag or client.get(f"/projects/{project_id}").headers["ETag"]
    return client.patch(f"/projects/{project_id}", body, headers={"If-Match": etag})


def _act(client, aid: int, action: str, body=None):
    etag = client.get(f"/agreements/{aid}").headers["ETag"]
    return client.post(f"/agreements/{aid}/{action}", json=body, headers={"If-Match": etag})


def _entries(seeded, project_id: int) -> list[dict]:
    """The journal's corrections of a project, newest first (as the statistics bureau reads the
    audit log)."""
    rows = seeded.as_("statistics").get("/audit", query_string={"entity": "project"}).json
    return [r for r in rows if r["entity_id"] == str(project_id) and r["action"] == "project.correct"]


# ------------------------------------------------------------------ no date after today

def test_a_project_signed_after_today_is_refused(seeded):
    before = seeded.state()
    r = seeded.as_("host").post("/projects", fill({**PROJECT_BODY, "signed_on": _tomorrow()}, seeded.ids))
    assert r.status_code == 422
    assert _codes(r, "signed_on") == ["date.future"]
    assert r.json["errors"]["json"]["signed_on"] == [f"must not be after today ({today().isoformat()})"]
    assert seeded.state() == before


@pytest.mark.parametrize("project, stage", [("p_unlanded", "under_construction"),
                                            ("p_free", "in_operation"), ("p_free", "cancelled")])
def test_a_stage_reached_after_today_is_refused(seeded, project, stage):
    host, pid = seeded.as_("host"), seeded.ids[project]
    before = seeded.state()
    r = _patch(host, pid, {"stage": stage, "stage_on": _tomorrow()})
    assert r.status_code == 422 and _codes(r, "stage_on") == ["date.future"]
    assert seeded.state() == before
    r = _patch(host, pid, {"stage": stage, "stage_on": today().isoformat()})
    assert r.status_code == 200 and r.json["stage"] == stage, r.json


def test_an_agreement_signed_after_today_is_refused(seeded):
    before = seeded.state()
    r = seeded.as_("host").post("/agreements", fill({**AGREEMENT_BODY, "signed_on": _tomorrow()},
                                                    seeded.ids))
    assert r.status_code == 422 and _codes(r, "signed_on") == ["date.future"]
    assert seeded.state() == before


def test_an_amendment_signed_after_today_is_refused(seeded):
    host, aid = seeded.as_("host"), seeded.ids["a_filed"]
    before = seeded.state()
    r = _act(host, aid, "amend", {"recommender_share": "40", "signed_on": _tomorrow()})
    assert r.status_code == 422 and _codes(r, "signed_on") == ["date.future"]
    assert seeded.state() == before


def test_a_report_for_a_future_month_is_refused_by_put_and_by_the_import(seeded):
    host, pid = seeded.as_("host"), seeded.ids["p_filed"]
    month = today().replace(day=28) + timedelta(days=4)  # in the next month
    period = f"{month.year:04d}-{month.month:02d}"
    before = seeded.state()
    r = host.put(f"/projects/{pid}/investments/{period}", {"amount": "1.00"})
    assert r.status_code == 422 and r.json["error"] == "period.future", r.json
    from tests.api.test_imports import upload
    r = upload(seeded, "host", csv_bytes([[pid, period, "1.00", ""]], HEADERS_ZH))
    assert r.status_code == 422 and r.json["error"] == "import.invalid_rows"
    assert list(r.json["error_codes"]["file"].values()) == [{"period": ["period.future"]}]
    assert seeded.state() == before


# ------------------------------------------------------------------ stages in order

def test_a_stage_before_the_previous_one_is_refused(seeded):
    host = seeded.as_("host")
    r = _patch(host, seeded.ids["p_unlanded"], {"stage": "under_construction", "stage_on": "2023-11-30"})
    assert _codes(r, "stage_on") == ["stage.date_before"]
    assert r.json["errors"]["json"]["stage_on"] == ["must not be before 2023-12-01"]
    r = _patch(host, seeded.ids["p_free"], {"stage": "in_operation", "stage_on": "2023-12-31"})
    assert _codes(r, "stage_on") == ["stage.date_before"]


# ------------------------------------------------------------------ agreements after the signing

def test_an_agreement_covering_a_year_before_the_signing_is_refused(seeded):
    before = seeded.state()
    r = seeded.as_("host").post("/agreements", fill({**AGREEMENT_BODY, "first_year": 2022}, seeded.ids))
    assert r.status_code == 422 and _codes(r, "first_year") == ["agreement.before_project"]
    assert r.json["errors"]["json"]["first_year"] == [
        "the agreement covers from 2022, before the project was signed in 2023"]
    assert seeded.state() == before
    r = seeded.as_("host").post("/agreements", fill({**AGREEMENT_BODY, "first_year": 2023}, seeded.ids))
    assert r.status_code == 201, r.json


@pytest.mark.parametrize("action, agreement", [("edit", "a_draft"), ("amend", "a_filed")])
def test_an_edit_or_amendment_before_the_signing_is_refused(seeded, action, agreement):
    host, aid = seeded.as_("host"), seeded.ids[agreement]
    before = seeded.state()
    if action == "edit":
        etag = host.get(f"/agreements/{aid}").headers["ETag"]
        r = host.patch(f"/agreements/{aid}", {"first_year": 2020}, headers={"If-Match": etag})
    else:
        r = _act(host, aid, action, {"first_year": 2020})
    assert r.status_code == 422 and _codes(r, "first_year") == ["agreement.before_project"]
    assert seeded.state() == before


# ------------------------------------------------------------------ corrections

def test_the_host_corrects_the_signing_date_with_a_reason(seeded):
    host, pid = seeded.as_("host"), seeded.ids["p_free"]
    etag = host.get(f"/projects/{pid}").headers["ETag"]
    r = host.patch(f"/projects/{pid}", {"signed_on": "2023-11-01"})
    assert r.status_code == 428
    before = seeded.state()
    r = _patch(host, pid, {"signed_on": "2023-11-01"}, etag)
    assert r.status_code == 422 and _codes(r, "reason") == ["project.reason_required"]
    assert seeded.state() == before
    r = _patch(host, pid, {"signed_on": "2023-11-01", "reason": "合同原件核对，签约日期录入有误"}, etag)
    assert r.status_code == 200, r.json
    assert r.json["signed_on"] == "2023-11-01" and r.headers["ETag"] != etag
    # The same If-Match again is stale.
    assert _patch(host, pid, {"name": "改名"}, etag).status_code == 412
    [entry] = _entries(seeded, pid)
    assert entry["before"]["signed_on"] == "2023-12-01" and entry["after"]["signed_on"] == "2023-11-01"
    assert entry["after"]["reason"] == "合同原件核对，签约日期录入有误"
    assert entry["actor_username"] == seeded.seed.usernames["host"]
    result = seeded.app.test_cli_runner().invoke(args=["verify"])
    assert result.exit_code == 0 and result.output.startswith("ok:"), result.output


def test_each_stage_date_and_the_facts_are_corrected(seeded):
    host, pid = seeded.as_("host"), seeded.ids["p_free"]
    assert _patch(host, pid, {"stage": "in_operation", "stage_on": "2024-06-01"}).status_code == 200
    r = _patch(host, pid, {"started_on": "2024-02-01", "operating_on": "2024-07-01",
                           "name": "更正后的项目名称", "investor_name": "宁夏更正有限公司",
                           "investor_credit_code": "91640000710600058B",
                           "project_code": "2023-640181-26-03-000001",
                           "planned_investment": "60000.00", "reason": "依据开工报告更正"})
    assert r.status_code == 200, r.json
    got = r.json
    assert (got["started_on"], got["operating_on"], got["name"], got["investor_name"],
            got["project_code"], got["planned_investment"]) == (
        "2024-02-01", "2024-07-01", "更正后的项目名称", "宁夏更正有限公司",
        "2023-640181-26-03-000001", "60000.00")
    [entry] = _entries(seeded, pid)
    changed = {k for k in entry["after"] if k != "reason" and entry["before"][k] != entry["after"][k]}
    assert changed == {"started_on", "operating_on", "name", "investor_name", "project_code",
                       "planned_investment"}
    # The facts alone need no reason.
    r = _patch(host, pid, {"name": "再次更正的名称"})
    assert r.status_code == 200 and r.json["name"] == "再次更正的名称"
    newest = _entries(seeded, pid)[0]
    assert "reason" not in newest["after"] and newest["after"]["name"] == "再次更正的名称"
    assert seeded.app.test_cli_runner().invoke(args=["verify"]).exit_code == 0


def test_a_cancellation_date_is_corrected(seeded):
    host, pid = seeded.as_("host"), seeded.ids["p_unlanded"]
    assert _patch(host, pid, {"stage": "cancelled", "stage_on": "2024-05-01"}).status_code == 200
    r = _patch(host, pid, {"cancelled_on": "2023-11-30", "reason": "x"})
    assert _codes(r, "cancelled_on") == ["stage.date_before"]
    r = _patch(host, pid, {"cancelled_on": "2024-04-01", "reason": "依据撤销文件更正"})
    assert r.status_code == 200 and r.json["cancelled_on"] == "2024-04-01"


def test_a_start_may_not_move_after_a_reported_month(seeded):
    host, pid = seeded.as_("host"), seeded.ids["p_filed"]
    before = seeded.state()
    r = _patch(host, pid, {"started_on": "2025-02-01", "reason": "按开工报告更正"})
    assert r.status_code == 409 and _codes(r, "started_on") == ["project.start_after_report"]
    assert "2025-01" in r.json["message"] and "2025-01" in r.json["errors"]["json"]["started_on"][0]
    assert seeded.state() == before
    r = _patch(host, pid, {"started_on": "2025-01-20", "reason": "按开工报告更正"})  # the same month
    assert r.status_code == 200 and r.json["started_on"] == "2025-01-20"


def test_the_signing_may_not_move_after_the_start(seeded):
    r = _patch(seeded.as_("host"), seeded.ids["p_free"], {"signed_on": "2024-02-01", "reason": "x"})
    assert r.status_code == 422 and _codes(r, "signed_on") == ["stage.date_after"]
    assert r.json["errors"]["json"]["signed_on"] == [
        "must not be after 2024-01-01, the date of a later stage"]


def test_the_signing_may_not_move_after_an_agreements_first_year(seeded):
    host, pid = seeded.as_("host"), seeded.ids["p_draft"]  # its agreement covers from 2025
    before = seeded.state()
    r = _patch(host, pid, {"signed_on": "2026-01-02", "started_on": "2026-01-03", "reason": "x"})
    assert r.status_code == 409 and _codes(r, "signed_on") == ["agreement.before_project"]
    assert seeded.state() == before
    r = _patch(host, pid, {"signed_on": "2025-01-02", "started_on": "2025-01-03", "reason": "更正"})
    assert r.status_code == 200, r.json


def test_no_corrected_date_after_today(seeded):
    r = _patch(seeded.as_("host"), seeded.ids["p_unlanded"], {"signed_on": _tomorrow(), "reason": "x"})
    assert r.status_code == 422 and _codes(r, "signed_on") == ["date.future"]


def test_a_stage_not_reached_has_no_date_to_correct(seeded):
    r = _patch(seeded.as_("host"), seeded.ids["p_unlanded"], {"started_on": "2024-01-01", "reason": "x"})
    assert r.status_code == 409 and _codes(r, "started_on") == ["project.stage_not_reached"]


def test_only_the_host_corrects(seeded):
    pid = seeded.ids["p_filed"]
    r = _patch(seeded.as_("recommender"), pid, {"signed_on": "2023-11-01", "reason": "x"})
    assert r.status_code == 403


def test_a_correction_that_changes_nothing_writes_nothing(seeded):
    host, pid = seeded.as_("host"), seeded.ids["p_free"]
    before = seeded.state()
    etag = host.get(f"/projects/{pid}").headers["ETag"]
    r = _patch(host, pid, {"signed_on": "2023-12-01"}, etag)
    assert r.status_code == 200 and r.headers["ETag"] == etag
    assert seeded.state() == before
