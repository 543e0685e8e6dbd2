"""Funds in place through HTTP, on SQLite and PostgreSQL: receipts recorded by the host, split
by the agreement's share of that line exactly as reports are (the worked example of
docs/attribution.md), corrected and voided as new revisions with a reason, evidence kept with
its SHA-256 and refused when it is not what it says; `ledger verify` passes after each.

The seed (tests/api/_seed.py): p_filed has a filed agreement from 2025, 兴庆区 recommending 30 %;
p_free no agreement; 2023 is closed."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from werkzeug.datastructures import FileStorage

from tests.helpers import today, verify
from tests.io.files import multipart

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _receipt(client, project_id, received_on="2025-01-15", amount="10.05", **extra):
    body = {"received_on": received_on, "amount": amount, "source": "domestic",
            "payer": "宁夏某某有限公司"} | extra
    return client.post(f"/projects/{project_id}/funds", body)


def _evidence(client, project_id, receipt_id, name, content, kind="other"):
    body, content_type = multipart({"kind": kind, "file": FileStorage(io.BytesIO(content), name)})
    return client.post(f"/projects/{project_id}/funds/{receipt_id}/evidence", json=None,
                       data=body, content_type=content_type)


def _parts(postings) -> dict[tuple[str, str], str]:
    return {(p["period"], p["role"]): p["amount"] for p in postings}


def _ok(seeded):
    with seeded.app.app_context():
        from ledger import current
        result = verify(current.session())
    assert result.ok, result.problems


def test_the_worked_example_holds_for_funds(seeded):
    host, p = seeded.as_("host"), seeded.ids["p_filed"]
    jan = _receipt(host, p, "2025-01-15")
    assert jan.status_code == 201, jan.json
    assert jan.headers["ETag"] == '"1"'
    assert {x["indicator"] for x in jan.json["postings"]} == {"funds_in_place"}
    assert _parts(jan.json["postings"]) == {("2025-01", "recommender"): "3.01",
                                            ("2025-01", "receiver"): "7.04"}
    feb = _receipt(host, p, "2025-02-03")
    assert _parts(feb.json["postings"]) == {("2025-02", "recommender"): "3.02",
                                            ("2025-02", "receiver"): "7.03"}
    void = host.post(f"/projects/{p}/funds/{jan.json['id']}/void", {"reason": "重复录入"},
                     headers={"If-Match": '"1"'})
    assert void.status_code == 200, void.json
    assert void.json["voided"] is True and void.json["revision"] == 2
    assert _parts(void.json["postings"]) == {
        ("2025-01", "recommender"): "-3.01", ("2025-01", "receiver"): "-7.04",
        ("2025-02", "recommender"): "-0.01", ("2025-02", "receiver"): "0.01"}
    totals = seeded.as_("statistics").get("/postings", query_string={"project": p}).json
    funds = [x for x in totals if x["indicator"] == "funds_in_place"]
    assert sum(int(x["amount"].replace(".", "")) for x in funds if x["role"] == "recommender") == 301
    _ok(seeded)


def test_a_correction_is_a_new_revision_with_its_reason_and_moves_the_year(seeded):
    host, p = seeded.as_("host"), seeded.ids["p_filed"]
    r = _receipt(host, p, "2025-03-01", "100.00")
    fid = r.json["id"]
    no_reason = host.patch(f"/projects/{p}/funds/{fid}", {"amount": "90.00"},
                           headers={"If-Match": '"1"'})
    assert no_reason.status_code == 422 and "reason" in no_reason.json["errors"]["json"]
    stale = host.patch(f"/projects/{p}/funds/{fid}", {"amount": "90.00", "reason": "更正"},
                       headers={"If-Match": '"7"'})
    assert stale.status_code == 412
    fixed = host.patch(f"/projects/{p}/funds/{fid}",
                       {"received_on": "2024-12-30", "amount": "90.00", "reason": "银行回单日期有误"},
                       headers={"If-Match": '"1"'})
    assert fixed.status_code == 200, fixed.json
    assert fixed.headers["ETag"] == '"2"'
    # 2025 loses the receipt (filed 30 %); 2024 gains it, outside the agreement: all to the host
    assert _parts(fixed.json["postings"]) == {
        ("2024-12", "host"): "90.00",
        ("2025-03", "recommender"): "-30.00", ("2025-03", "receiver"): "-70.00"}
    detail = seeded.as_("recommender").get(f"/projects/{p}/funds/{fid}").json
    assert [(v["revision"], v["amount"], v["reason"]) for v in detail["revisions"]] == [
        (1, "100.00", None), (2, "90.00", "银行回单日期有误")]
    _ok(seeded)


@pytest.mark.parametrize("body, field, code", [
    ({"received_on": "{tomorrow}"}, "received_on", "date.future"),
    ({"received_on": "2023-11-30"}, "received_on", "funds.before_signing"),
    ({"received_on": "2023-12-15"}, "received_on", "year.closed"),
    ({"amount": "0.00"}, "amount", "funds.amount_zero"),
    ({"amount": "1.005"}, "amount", "amount.too_many_decimals"),
    ({"source": "abroad"}, "source", "field.one_of"),
])
def test_a_bad_receipt_is_refused_with_its_code_and_changes_nothing(seeded, body, field, code):
    host, p = seeded.as_("host"), seeded.ids["p_free"]
    if body.get("received_on") == "{tomorrow}":
        body = body | {"received_on": (today() + timedelta(days=1)).isoformat()}
    before = seeded.state()
    r = _receipt(host, p, **body)
    assert r.status_code in (409, 422), r.json
    assert code in r.json["error_codes"]["json"][field]
    assert seeded.state() == before


def test_chinese_source_words_and_who_may_record(seeded):
    p = seeded.ids["p_free"]
    r = _receipt(seeded.as_("host"), p, source="境外")
    assert r.status_code == 201 and r.json["source"] == "foreign"
    assert _receipt(seeded.as_("statistics"), p).status_code == 403
    assert _receipt(seeded.as_("bystander"), p).status_code == 404
    assert seeded.as_("bystander").get(f"/projects/{p}/funds").status_code == 404
    assert seeded.as_("commerce").get(f"/projects/{p}/funds").status_code == 200


def test_evidence_is_kept_with_its_digest_and_served_as_an_attachment(seeded):
    host, p = seeded.as_("host"), seeded.ids["p_filed"]
    fid = _receipt(host, p).json["id"]
    listed = host.get(f"/projects/{p}/funds").json
    assert listed[0]["evidence_missing"] is True
    up = _evidence(host, p, fid, "回单.png", PNG, kind="银行进账单")
    assert up.status_code == 201, up.json
    assert up.json["kind"] == "bank_slip" and up.json["media_type"] == "image/png"
    assert up.json["sha256"] == hashlib.sha256(PNG).hexdigest()
    got = seeded.as_("recommender").get(f"/projects/{p}/funds/{fid}/evidence/{up.json['id']}")
    assert got.status_code == 200 and got.data == PNG
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert seeded.as_("bystander").get(
        f"/projects/{p}/funds/{fid}/evidence/{up.json['id']}").status_code == 404
    assert host.get(f"/projects/{p}/funds").json[0]["evidence_missing"] is False
    _ok(seeded)


@pytest.mark.parametrize("name, content, code, status", [
    ("回单.png", PDF, "evidence.name_mismatch", 422),
    ("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 - 4), "evidence.too_large", 413),
    ("a.zip", b"PK\x03\x04" + b"\x00" * 30, "evidence.type", 422),
    ("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "evidence.type", 422),
    ("empty.pdf", b"", "evidence.empty", 422),
])
def test_hostile_evidence_is_refused_with_its_code_and_nothing_written(seeded, name, content,
                                                                      code, status):
    host, p = seeded.as_("host"), seeded.ids["p_filed"]
    fid = _receipt(host, p).json["id"]
    before = seeded.state()
    r = _evidence(host, p, fid, name, content)
    assert r.status_code == status, r.json
    assert code in str(r.json["error_codes"]), r.json
    assert seeded.state() == before


def test_an_agreement_with_a_share_per_line(seeded):
    """terms: funds split 50 %, completed investment 30 %; the answer names both lines."""
    host, recommender = seeded.as_("host"), seeded.as_("recommender")
    from tests.api._seed import AGREEMENT_BODY, fill
    body = fill(AGREEMENT_BODY, seeded.ids) | {
        "first_year": 2025, "signed_on": "2025-01-10",
        "terms": [{"indicator": "funds_in_place", "recommender_share": "50"}]}
    a = host.post("/agreements", body)
    assert a.status_code == 201, a.json
    assert a.json["terms"] == [
        {"indicator": "completed_investment", "recommender_share": "30.00"},
        {"indicator": "funds_in_place", "recommender_share": "50.00"}]
    aid = a.json["id"]
    for who, action in ((recommender, "confirm"), (recommender, "submit"),
                        (seeded.as_("statistics"), "acknowledge"),
                        (seeded.as_("commerce"), "acknowledge")):
        etag = who.get(f"/agreements/{aid}").headers["ETag"]
        assert who.post(f"/agreements/{aid}/{action}", headers={"If-Match": etag}).status_code == 200
    r = _receipt(host, seeded.ids["p_free"], "2025-05-05", "10.05")
    assert _parts(r.json["postings"]) == {("2025-05", "recommender"): "5.02",
                                          ("2025-05", "receiver"): "5.03"}
    dup = host.post("/agreements", fill(AGREEMENT_BODY, seeded.ids) | {"terms": [
        {"indicator": "funds_in_place", "recommender_share": "50"},
        {"indicator": "funds_in_place", "recommender_share": "40"}]})
    assert dup.status_code == 422
    _ok(seeded)


def test_a_signing_date_corrected_after_funds_received_is_refused(seeded):
    host, p = seeded.as_("host"), seeded.ids["p_unlanded"]  # signed, not yet started
    assert _receipt(host, p, "2024-03-01").status_code == 201
    etag = host.get(f"/projects/{p}").headers["ETag"]
    r = host.patch(f"/projects/{p}", {"signed_on": "2024-03-02", "reason": "合同日期有误"},
                   headers={"If-Match": etag})
    assert r.status_code == 409
    assert r.json["error_codes"]["json"]["signed_on"] == ["project.signed_after_funds"]
