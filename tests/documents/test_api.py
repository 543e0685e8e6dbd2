"""The PDF endpoints on both backends, read back with poppler and zbarimg: what the API's JSON
says is what the PDF prints and carries."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import quote

import pytest

from ledger.fonts import CUTS
from ledger.documents.canonical import verification_code
from tests.documents.conftest import (
    ApiClient, pdf_attachments, pdf_fonts, pdf_info, pdf_text, qr_codes, squeeze,
)
from tests.factories import PASSWORD

A4 = "595.276 x 841.89 pts (A4)"
ASKED = "http://localhost"  # the test client's host: the QR links there without LEDGER_PUBLIC_URL
VERSION_FIELDS = ("version", "status", "recommender_share", "first_year", "last_year",
                  "agreed_last_year", "signed_on", "signatories", "reason", "proposed_by",
                  "acknowledged_by", "filing_number", "filed_on")
PROJECT_FIELDS = ("id", "name", "investor_name", "investor_credit_code", "investor_foreign",
                  "industry_code", "industry_name", "project_code", "planned_investment",
                  "zone_id", "host_code", "stage")


def get_pdf(client: ApiClient, path: str):
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.content_type == "application/pdf"
    assert response.data.startswith(b"%PDF-1.7")
    return response


def test_filing_form_prints_what_the_api_says(seeded, tmp_path):
    stats = seeded.as_("statistics")
    agreement_id = seeded.ids["a_filed"]
    response = get_pdf(stats, f"/agreements/{agreement_id}/filing.pdf")
    pdf = response.data
    agreement = stats.get(f"/agreements/{agreement_id}").json
    project = stats.get(f"/projects/{agreement['project_id']}").json
    recommender = stats.get(f"/regions/{agreement['recommender_code']}").json
    receiver = stats.get(f"/regions/{agreement['receiver_code']}").json

    document_id = response.headers["X-Document-Id"]
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="filing-{agreement["number"]}-v1.pdf"'
    text = squeeze(pdf_text(pdf, tmp_path))
    for expected in ("招商引资项目投资转移协议备案表", agreement["number"], recommender["name"],
                     receiver["name"], agreement["recommender_code"], agreement["receiver_code"],
                     f"推荐地{agreement['recommender_share']}%", project["planned_investment"],
                     project["name"], project["investor_credit_code"], agreement["filing_number"],
                     document_id, response.headers["X-Document-Digest"]):
        assert squeeze(expected) in text, expected

    data = json.loads(pdf_attachments(pdf, tmp_path)[f"{document_id}.json"])
    assert hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True,
                                     separators=(",", ":")).encode()).hexdigest() == \
        response.headers["X-Document-Digest"]
    [version] = agreement["versions"]
    assert {k: data["agreement"][k] for k in VERSION_FIELDS} == {k: version[k] for k in VERSION_FIELDS}
    assert (data["agreement"]["id"], data["agreement"]["number"]) == (agreement_id, agreement["number"])
    assert {k: data["project"][k] for k in PROJECT_FIELDS} == {k: project[k] for k in PROJECT_FIELDS}
    assert data["recommender"]["name"] == recommender["name"]
    assert data["receiver"]["name"] == receiver["name"]

    assert pdf_info(pdf, tmp_path)["Page size"] == A4
    fonts = pdf_fonts(pdf, tmp_path)
    assert fonts and all(f.embedded and f.subset and f.type.startswith("CID") for f in fonts)
    # only the document faces: the cuts (ledger.fonts) and the full Noto face behind them
    faces = {cut.family.replace(" ", "-") for cut in CUTS.values()} | {"Noto-Serif-CJK-SC"}
    assert {f.name.split("+", 1)[1] for f in fonts} <= faces
    code = verification_code(document_id, seeded.app.config["SECRET_KEY"].encode())
    assert f"{document_id}核验码{code}" in text  # printed beside the id
    assert qr_codes(pdf, tmp_path) == [
        f"{ASKED}/verify/{document_id}?code={code.replace('-', '')}"]


def test_receipt_prints_the_filing(seeded, tmp_path):
    commerce = seeded.as_("commerce")
    agreement = commerce.get(f"/agreements/{seeded.ids['a_filed']}").json
    response = get_pdf(commerce, f"/agreements/{seeded.ids['a_filed']}/receipt.pdf")
    text = squeeze(pdf_text(response.data, tmp_path))
    for expected in ("备案回执", agreement["filing_number"], "已备案，数据仅用于年度绩效考核",
                     "统计局", "商务厅", agreement["number"]):
        assert expected in text, expected
    assert response.headers["X-Document-Id"].startswith("HZ-")
    document_id = response.headers["X-Document-Id"]
    code = verification_code(document_id, seeded.app.config["SECRET_KEY"].encode())
    assert qr_codes(response.data, tmp_path) == [
        f"{ASKED}/verify/{document_id}?code={code.replace('-', '')}"]


def test_the_qr_code_links_to_the_server_asked_or_to_the_public_url(seeded, tmp_path, monkeypatch):
    """Without LEDGER_PUBLIC_URL a development server links to the host and port it was asked
    at (`ledger run --port 8123`), not to port 5000; with it, to the public URL whatever the
    request's Host; in production (ledger.config.ProductionConfig) never to the Host header."""
    statistics = seeded.as_("statistics")
    path = f"/agreements/{seeded.ids['a_filed']}/receipt.pdf"
    response = statistics.get(path, base_url="http://127.0.0.1:8123")
    document_id = response.headers["X-Document-Id"]
    code = verification_code(document_id, seeded.app.config["SECRET_KEY"].encode()).replace("-", "")
    for name in ("asked", "public"):
        (tmp_path / name).mkdir()
    assert qr_codes(response.data, tmp_path / "asked") == [
        f"http://127.0.0.1:8123/verify/{document_id}?code={code}"]
    monkeypatch.setitem(seeded.app.config, "PUBLIC_URL", "https://ledger.example.gov.cn")
    monkeypatch.setitem(seeded.app.config, "PUBLIC_URL_FROM_REQUEST", False)
    response = statistics.get(path, base_url="http://127.0.0.1:8123")
    assert qr_codes(response.data, tmp_path / "public") == [
        f"https://ledger.example.gov.cn/verify/{document_id}?code={code}"]


@pytest.mark.parametrize("name", ["a_draft", "a_signed", "a_submitted"])
def test_no_receipt_before_filing(seeded, name):
    response = seeded.as_("statistics").get(f"/agreements/{seeded.ids[name]}/receipt.pdf")
    assert response.status_code == 409
    assert response.json["error"] == "document.not_filed"


def test_an_unfiled_filing_form_is_still_printable(seeded, tmp_path):
    response = get_pdf(seeded.as_("recommender"), f"/agreements/{seeded.ids['a_submitted']}/filing.pdf")
    text = squeeze(pdf_text(response.data, tmp_path))
    assert "已报送备案" in text and "（备案后填写）" in text


def test_statement_amounts_equal_the_attribution_json(seeded, tmp_path):
    admin = seeded.as_("admin")
    response = get_pdf(admin, "/attribution/statement.pdf?year=2025")
    pdf = response.data
    data = json.loads(pdf_attachments(pdf, tmp_path)[f"{response.headers['X-Document-Id']}.json"])
    api = admin.get(f"/attribution?year=2025&as_of={quote(data['as_of'])}").json
    for key in ("year", "as_of", "note", "regions", "totals", "reconciliation"):
        assert data[key] == api[key], key
    text = pdf_text(pdf, tmp_path, layout=True)
    flat = squeeze(text)
    assert "2025年度招商引资投资分算汇总表" in flat
    for row in api["regions"]:
        if any(row[k] != "0.00" for k in ("in_place", "ceded", "credited", "attributed")):
            assert " ".join([row["in_place"], row["ceded"], row["credited"], row["attributed"]]) \
                in " ".join(text.split()), row
    assert squeeze(f"Σ分算后数{api['reconciliation']['attributed']}=Σ在地统计数"
                   f"{api['reconciliation']['in_place']}，差额0.00") in flat
    head = data["ledger_head"]
    assert f"第{head['seq']}笔，哈希{head['hash'][:16]}" in flat
    assert "仅用于年度绩效考核" in flat and "银川市小计" in flat
    assert pdf_info(pdf, tmp_path)["Page size"] == A4


def test_a_region_statement_has_its_own_rows(seeded, tmp_path):
    response = get_pdf(seeded.as_("recommender"), "/attribution/statement.pdf?year=2025")
    data = json.loads(pdf_attachments(response.data, tmp_path)[
        f"{response.headers['X-Document-Id']}.json"])
    assert data["scope"] == "640104"
    assert [r["code"] for r in data["regions"]] == ["640104"]
    assert response.headers["Content-Disposition"].endswith('statement-2025-640104.pdf"')


def test_the_same_request_gives_the_same_document(seeded):
    stats = seeded.as_("statistics")
    for path in (f"/agreements/{seeded.ids['a_filed']}/filing.pdf",
                 f"/agreements/{seeded.ids['a_filed']}/receipt.pdf",
                 "/attribution/statement.pdf?year=2025"):
        first, second = stats.get(path), stats.get(path)
        assert first.headers["X-Document-Id"] == second.headers["X-Document-Id"]
        assert first.data == second.data, path
    # another reader gets the same document: the id does not depend on who asks
    other = seeded.as_("commerce").get(f"/agreements/{seeded.ids['a_filed']}/filing.pdf")
    assert other.data == stats.get(f"/agreements/{seeded.ids['a_filed']}/filing.pdf").data


@pytest.mark.parametrize("kind", ["filing", "receipt"])
def test_a_region_gets_404_for_agreements_it_cannot_see(seeded, kind):
    bystander = seeded.as_("bystander")
    hidden = bystander.get(f"/agreements/{seeded.ids['a_filed']}/{kind}.pdf")
    missing = bystander.get(f"/agreements/2147483000/{kind}.pdf")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json["error"] == missing.json["error"] == "resource.not_found"
    assert hidden.json["message"].replace(str(seeded.ids["a_filed"]), "N") == \
        missing.json["message"].replace("2147483000", "N")
    for party in ("host", "recommender"):
        assert seeded.as_(party).get(f"/agreements/{seeded.ids['a_filed']}/{kind}.pdf") \
            .status_code == 200


def test_bad_queries_are_refused(seeded):
    stats = seeded.as_("statistics")
    a = seeded.ids["a_filed"]
    future = stats.get(f"/agreements/{a}/filing.pdf?as_of=2999-01-01T00:00:00Z")
    assert future.status_code == 422
    assert future.json["error_codes"]["query"]["as_of"] == ["as_of.future"]
    assert stats.get(f"/agreements/{a}/filing.pdf?version=2").status_code == 404
    assert stats.get(f"/agreements/{a}/filing.pdf?version=0").status_code == 422
    assert stats.get("/attribution/statement.pdf").status_code == 422
    assert stats.get("/attribution/statement.pdf?year=1800").status_code == 422
    assert seeded.as_("anon").get(f"/agreements/{a}/filing.pdf").status_code == 401


def test_as_of_selects_the_agreement_as_it_stood(seeded, tmp_path):
    stats = seeded.as_("statistics")
    a = seeded.ids["a_filed"]
    events = stats.get(f"/agreements/{a}").json["events"]
    submitted = next(e["at"] for e in events if e["action"] == "submit")
    response = get_pdf(stats, f"/agreements/{a}/filing.pdf?as_of={quote(submitted)}")
    text = squeeze(pdf_text(response.data, tmp_path))
    assert "已报送备案" in text and "统备" not in text
    assert response.headers["X-Document-Id"] != \
        stats.get(f"/agreements/{a}/filing.pdf").headers["X-Document-Id"]


def test_a_project_name_with_markup_appears_literally(world, client, tmp_path):
    name = '<img src="file:///etc/passwd">工程'
    project = world.project(name=name)
    agreement = world.agreement(project)
    token = ApiClient(client).login("xingqing", PASSWORD)
    response = get_pdf(token, f"/agreements/{agreement.id}/filing.pdf")
    assert name in pdf_text(response.data, tmp_path)
    assert b"root:x:0:0" not in response.data


def test_the_openapi_document_lists_the_pdfs(seeded):
    spec = seeded.as_("anon").get("/openapi.json").json
    for path in ("/api/v1/agreements/{agreement_id}/filing.pdf",
                 "/api/v1/agreements/{agreement_id}/receipt.pdf",
                 "/api/v1/attribution/statement.pdf"):
        ok = spec["paths"][path]["get"]["responses"]["200"]
        assert "application/pdf" in ok["content"], path
        assert "X-Document-Id" in ok["headers"], path


def test_document_downloads_are_throttled_per_user(seeded, monkeypatch):
    """Each download journals an entry (and a new as-of time a register
    row): past DOCUMENT_RATE_LIMIT a user is refused, 429 with Retry-After, nothing written;
    another user is not."""
    from ledger import throttle

    monkeypatch.setitem(seeded.app.config, "DOCUMENT_RATE_LIMIT", "2 per minute")
    throttle.reset(seeded.app)
    try:
        stats = seeded.as_("statistics")
        path = f"/agreements/{seeded.ids['a_filed']}/filing.pdf"
        assert [stats.get(path).status_code for _ in range(2)] == [200, 200]
        before = seeded.state()
        refused = stats.get("/attribution/statement.pdf?year=2025")
        assert refused.status_code == 429
        assert refused.json["error"] == "document.too_many_downloads"
        assert refused.json["message"].startswith(
            "at most 2 documents can be downloaded in 60 seconds by one user; try again in ")
        assert 1 <= int(refused.headers["Retry-After"]) <= 61
        assert seeded.state() == before
        assert seeded.as_("commerce").get(path).status_code == 200
    finally:
        throttle.reset(seeded.app)
