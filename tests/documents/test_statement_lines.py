"""The annual statement on both accounting lines, on both backends: the PDF prints 完成投资 and
招商引资实际到位资金, each with its own reconciliation, its canonical data (layout 2) holds the
funds line exactly as GET /attribution?indicator=funds_in_place gives it, and a statement
issued in layout 1 (the completed line alone, before the funds line existed) is printed again
and verified in that layout: the same digest, 一致."""

from __future__ import annotations

import json
from urllib.parse import quote

from ledger.documents.canonical import verification_code
from ledger.documents.document import statement_document
from ledger.models import IssuedDocument
from tests.documents.conftest import pdf_attachments, pdf_text, squeeze
from tests.documents.test_web import result_of
from tests.helpers import tamper


def _funds(seeded) -> None:
    host, p = seeded.as_("host"), seeded.ids["p_filed"]
    for received_on, amount, source in (("2025-04-01", "10.05", "domestic"),
                                        ("2025-05-01", "20.00", "foreign")):
        r = host.post(f"/projects/{p}/funds", {"received_on": received_on, "amount": amount,
                                               "source": source, "payer": "宁夏某某有限公司"})
        assert r.status_code == 201, r.json


def _statement(seeded, query: str = ""):
    r = seeded.as_("statistics").get(f"/attribution/statement.pdf?year=2025{query}")
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return r


def test_the_statement_prints_both_lines_each_reconciled(seeded, tmp_path):
    _funds(seeded)
    response = _statement(seeded)
    data = json.loads(pdf_attachments(response.data, tmp_path)[
        f"{response.headers['X-Document-Id']}.json"])
    assert data["canonical_version"] == 2
    stats = seeded.as_("statistics")
    at = {"year": 2025, "as_of": data["as_of"]}
    completed = stats.get("/attribution", query_string=at).json
    funds = stats.get("/attribution", query_string=at | {"indicator": "funds_in_place"}).json
    for key in ("regions", "totals", "reconciliation"):
        assert data[key] == completed[key], key
        assert data["funds_in_place"][key] == funds[key], key
    assert funds["totals"]["in_place"] == funds["totals"]["attributed"] == "30.05"
    assert funds["totals"]["sources"] == {"domestic": "10.05", "foreign": "20.00"}

    text = squeeze(pdf_text(response.data, tmp_path))
    c, f = completed["reconciliation"], funds["reconciliation"]
    for expected in ("一、完成投资", "二、招商引资实际到位资金",
                     f"完成投资核对：Σ分算后数{c['attributed']}=Σ在地统计数{c['in_place']}，差额0.00",
                     f"招商引资实际到位资金核对：Σ分算后数{f['attributed']}=Σ在地统计数"
                     f"{f['in_place']}，差额0.00",
                     "其中在地统计数按资金来源：境内区外资金10.05，境外资金20.00"):
        assert expected in text, expected


def test_a_statement_issued_in_layout_1_prints_and_verifies_as_issued(seeded, tmp_path):
    _funds(seeded)
    issued = _statement(seeded)
    document_id = issued.headers["X-Document-Id"]
    with seeded.app.app_context():  # as if issued before the funds line: layout 1 registered
        from ledger import current, documents
        from ledger.queries.documents import register, statement_facts
        session = current.session()
        row = session.get(IssuedDocument, document_id)
        ctx = current.context(register.verifier(register.registered(session, document_id)))
        old = statement_document(statement_facts(ctx, 2025, row.as_of), documents.issuer(ctx),
                                 version=1)
        assert old.document_id == document_id and old.digest != row.digest
        assert "funds_in_place" not in old.data
        as_of = old.data["as_of"]
        session.rollback()
        key = seeded.app.config["SECRET_KEY"].encode()
    # the register is append-only: this rewrites history as a migration of old data would
    assert tamper(seeded.app, "UPDATE document_register SET canonical = :canonical, "
                  "digest = :digest WHERE document_id = :id", canonical=old.canonical.decode(),
                  digest=old.digest, id=document_id) == 1

    again = _statement(seeded, f"&as_of={quote(as_of)}")
    assert again.headers["X-Document-Id"] == document_id
    assert again.headers["X-Document-Digest"] == old.digest
    data = json.loads(pdf_attachments(again.data, tmp_path)[f"{document_id}.json"])
    assert data["canonical_version"] == 1 and "funds_in_place" not in data
    assert "招商引资实际到位资金" not in squeeze(pdf_text(again.data, tmp_path))

    html = seeded.app.test_client().get(
        f"/verify/{document_id}?code={verification_code(document_id, key)}").get_data(as_text=True)
    assert "一致" in result_of(html) and "不一致" not in result_of(html)
    # a statement of a later as-of time (a new posting: a new ledger head) has both lines
    r = seeded.as_("host").post(f"/projects/{seeded.ids['p_filed']}/funds", {
        "received_on": "2025-06-01", "amount": "1.00", "source": "domestic", "payer": "某公司"})
    assert r.status_code == 201, r.json
    later = _statement(seeded)
    assert later.headers["X-Document-Id"] != document_id
    data = json.loads(pdf_attachments(later.data, tmp_path)[
        f"{later.headers['X-Document-Id']}.json"])
    assert data["canonical_version"] == 2 and data["funds_in_place"]["totals"]["in_place"] == "31.05"
