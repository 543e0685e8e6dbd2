"""A year's checklist through HTTP: GET /years/{year}/checklist, and a close that must name the
digest of the list it confirms (the seed: tests/api/_seed.py)."""

from __future__ import annotations

import hashlib
import json


def test_checklist_lists_the_unfiled_versions_and_the_months_not_reported(seeded):
    i = seeded.ids
    body = seeded.as_("commerce").get("/years/2025/checklist").json
    assert [(a["number"][:3], a["agreement_id"], a["version"], a["status"], a["project_id"],
             a["recommender_code"], a["receiver_code"], a["first_year"], a["last_year"])
            for a in body["agreements"]] == [
        ("XY-", i["a_draft"], 1, "draft", i["p_draft"], "640104", "640181", 2025, None),
        ("XY-", i["a_signed"], 1, "signed", i["p_signed"], "640104", "640181", 2025, None),
        ("XY-", i["a_submitted"], 1, "submitted", i["p_submitted"], "640104", "640181", 2025, None)]
    # p_filed reported January and February of 2025; the other landed projects nothing; the
    # project still at its signing stage is not landed.
    assert [(p["project_id"], p["host_code"], p["months"]) for p in body["unreported"]] == [
        (i["p_filed"], "640181", [f"2025-{m:02d}" for m in range(3, 13)])] + [
        (i[k], "640181", [f"2025-{m:02d}" for m in range(1, 13)])
        for k in ("p_draft", "p_signed", "p_submitted", "p_free")]
    assert (body["year"], body["through"], body["open_items"]) == (2025, "2025-12", 8)
    assert body["missing_evidence"] == []  # no receipt of funds in place in the seed
    listed = {k: body[k] for k in ("year", "through", "agreements", "unreported",
                                   "missing_evidence")}
    canonical = json.dumps(listed, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert body["digest"] == hashlib.sha256(canonical.encode()).hexdigest()


def test_a_stale_digest_is_refused_with_the_new_list_and_the_current_one_closes(seeded):
    stats, host = seeded.as_("statistics"), seeded.as_("host")
    shown = stats.get("/years/2025/checklist").json
    # Since the list was shown, the host reported a month: the list (and its digest) changed.
    assert host.put(f"/projects/{seeded.ids['p_free']}/investments/2025-01",
                    {"amount": "1.00", "note": ""}).status_code == 200
    before = seeded.state()
    stale = stats.post("/years/2025/close", {"checklist_digest": shown["digest"]})
    assert (stale.status_code, stale.json["error"]) == (409, "year.checklist_open")
    now = stale.json["checklist"]
    assert now["digest"] != shown["digest"]
    free = next(p for p in now["unreported"] if p["project_id"] == seeded.ids["p_free"])
    assert free["months"] == [f"2025-{m:02d}" for m in range(2, 13)]
    assert stale.json["message"] == ("assessment year 2025 still has 8 open items: confirm the "
                                     "checklist shown (its digest) to close it anyway")
    assert seeded.state() == before  # nothing written
    assert stats.get("/years/2025/checklist").json["digest"] == now["digest"]
    closed = stats.post("/years/2025/close", {"checklist_digest": now["digest"]})
    assert (closed.status_code, closed.json["status"]) == (200, "closed")
    entry = stats.get("/audit", query_string={"entity": "year"}).json[0]
    assert (entry["action"], entry["after"]) == (
        "year.close", {"status": "closed", "checklist_digest": now["digest"], "open_items": 8})


def test_a_digest_must_look_like_one(seeded):
    r = seeded.as_("statistics").post("/years/2025/close", {"checklist_digest": "abc"})
    assert r.status_code == 422
    assert r.json["error_codes"] == {"json": {"checklist_digest": ["digest.shape"]}}


def test_a_region_may_not_read_a_checklist(seeded):
    r = seeded.as_("host").get("/years/2025/checklist")
    assert (r.status_code, r.json["error"]) == (403, "forbidden.checklist")


def test_a_receipt_without_evidence_is_listed_until_its_evidence_comes(seeded):
    import io

    from werkzeug.datastructures import FileStorage

    from tests.io.files import multipart

    stats, host, p = seeded.as_("statistics"), seeded.as_("host"), seeded.ids["p_free"]
    before = stats.get("/years/2025/checklist").json
    r = host.post(f"/projects/{p}/funds", {"received_on": "2025-06-30", "amount": "12.34",
                                           "source": "foreign", "payer": "某某控股"})
    assert r.status_code == 201, r.json
    listed = stats.get("/years/2025/checklist").json
    assert [(m["receipt_id"], m["project_id"], m["received_on"], m["amount"])
            for m in listed["missing_evidence"]] == [(r.json["id"], p, "2025-06-30", "12.34")]
    assert listed["open_items"] == before["open_items"] + 1
    assert listed["digest"] != before["digest"]
    body, content_type = multipart({"kind": "bank_slip", "file": FileStorage(
        io.BytesIO(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
        "进账单.pdf")})
    assert host.post(f"/projects/{p}/funds/{r.json['id']}/evidence", json=None, data=body,
                     content_type=content_type).status_code == 201
    assert stats.get("/years/2025/checklist").json["digest"] == before["digest"]
