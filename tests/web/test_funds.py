"""Funds in place on the project page through Flask's test client, on both databases: the host
records, corrects, voids and adds evidence through the forms (each a redirect after the POST),
refusals are shown in Chinese beside their fields, void receipts stay readable and marked, a
receipt without evidence says 待补充凭证, evidence images are served inline with nosniff, and
every other reader of the project sees the section without its forms."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa

from ledger.domain.vocabulary import EVIDENCE_MISSING
from ledger.models import FundsEvidence, FundsReceipt, FundsRevision
from tests.web.support import csrf_of, field_error, login, page, post

CHINESE = re.compile(r"[\u4e00-\u9fff]")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RECEIPT = {"received_on": "2025-01-15", "amount": "10.05", "source": "domestic",
           "payer": "宁夏某某有限公司", "note": "首笔"}


def _record(client, project_id: int, **values):
    return post(client, f"/projects/{project_id}/funds", RECEIPT | values,
                form_page=f"/projects/{project_id}")


def _receipt(session, project_id: int) -> FundsReceipt:
    session.expire_all()
    return session.scalars(sa.select(FundsReceipt).where(FundsReceipt.project_id == project_id)
                           .order_by(FundsReceipt.id.desc())).first()


def _row(html: str, receipt_id: int) -> str:
    found = re.search(rf'<tr id="receipt-{receipt_id}".*?</tr>', html, re.S)
    assert found, "the receipt has no row"
    return found[0]


def _upload(client, project_id: int, receipt_id: int, name: str, content: bytes, kind="bank_slip"):
    token = csrf_of(page(client, f"/projects/{project_id}"))
    return client.post(f"/projects/{project_id}/funds/{receipt_id}/evidence",
                       data={"csrf_token": token, f"f{receipt_id}-kind": kind,
                             f"f{receipt_id}-file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_the_host_records_a_receipt_and_every_reader_sees_it(world, client, session):
    p = world.project()
    world.agreement(p)
    login(client, "lingwu")
    html = page(client, f"/projects/{p.id}")
    assert "到位资金" in html and 'action="/projects/%d/funds"' % p.id in html
    response = _record(client, p.id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/projects/{p.id}#funds-h")
    receipt = _receipt(session, p.id)
    assert receipt.amount == 1005 and receipt.revision == 1
    html = page(client, f"/projects/{p.id}")
    row = _row(html, receipt.id)
    assert "2025-01-15" in row and "10.05" in row and "境内区外资金" in row
    assert "宁夏某某有限公司" in row and EVIDENCE_MISSING in row
    for username in ("tongji", "shangwu", "xingqing"):  # the bureau, commerce, the recommender
        login(client, username)
        html = page(client, f"/projects/{p.id}")
        assert "10.05" in _row(html, receipt.id) and EVIDENCE_MISSING in html
        assert f'action="/projects/{p.id}/funds' not in html  # read-only: no form
        assert post(client, f"/projects/{p.id}/funds", RECEIPT,
                    form_page=f"/projects/{p.id}").status_code == 403
    login(client, "pingluo")  # a bystander does not see the project at all
    assert client.get(f"/projects/{p.id}").status_code == 404


def test_a_refused_receipt_is_shown_again_with_the_messages_in_chinese(world, client, session):
    p = world.project()
    login(client, "lingwu")
    response = _record(client, p.id, amount="1e3", payer="")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert CHINESE.search(field_error(html, "amount")) and CHINESE.search(field_error(html, "payer"))
    assert 'value="1e3"' in html
    before_signing = _record(client, p.id, received_on="2023-01-05")
    assert before_signing.status_code == 422
    assert CHINESE.search(field_error(before_signing.get_data(as_text=True), "received_on"))
    assert _receipt(session, p.id) is None  # nothing was written


def test_a_correction_needs_a_reason_and_keeps_the_earlier_revision(world, client, session):
    p = world.project()
    login(client, "lingwu")
    _record(client, p.id)
    receipt = _receipt(session, p.id)
    path = f"/projects/{p.id}/funds/{receipt.id}/correct"
    fields = {f"f{receipt.id}-{k}": v for k, v in (RECEIPT | {"amount": "12.00"}).items()}
    no_reason = post(client, path, fields | {f"f{receipt.id}-row_version": "1"},
                     form_page=f"/projects/{p.id}")
    assert no_reason.status_code == 422
    assert CHINESE.search(field_error(no_reason.get_data(as_text=True), f"f{receipt.id}-reason"))
    stale = post(client, path, fields | {f"f{receipt.id}-row_version": "7",
                                         f"f{receipt.id}-reason": "金额录错"},
                 form_page=f"/projects/{p.id}")
    assert stale.status_code == 422 and "id=\"form-errors\"" in stale.get_data(as_text=True)
    done = post(client, path, fields | {f"f{receipt.id}-row_version": "1",
                                        f"f{receipt.id}-reason": "金额录错"},
                form_page=f"/projects/{p.id}")
    assert done.status_code == 302
    assert _receipt(session, p.id).amount == 1200
    html = page(client, f"/projects/{p.id}")
    assert "金额录错" in html and "10.05" in html and "12.00" in html  # both revisions readable
    assert session.scalar(sa.select(sa.func.count()).select_from(FundsRevision)
                          .where(FundsRevision.receipt_id == receipt.id)) == 2


def test_a_void_receipt_is_struck_and_marked_and_has_no_forms(world, client, session):
    p = world.project()
    login(client, "lingwu")
    _record(client, p.id)
    receipt = _receipt(session, p.id)
    path = f"/projects/{p.id}/funds/{receipt.id}/void"
    no_reason = post(client, path, {f"f{receipt.id}-row_version": "1"}, form_page=f"/projects/{p.id}")
    assert no_reason.status_code == 422
    assert CHINESE.search(field_error(no_reason.get_data(as_text=True), f"f{receipt.id}-reason"))
    done = post(client, path, {f"f{receipt.id}-row_version": "1", f"f{receipt.id}-reason": "重复录入"},
                form_page=f"/projects/{p.id}")
    assert done.status_code == 302
    html = page(client, f"/projects/{p.id}")
    row = _row(html, receipt.id)
    assert 'class="receipt voided"' in row and "已作废" in row and "<s>10.05</s>" in row
    assert EVIDENCE_MISSING not in row  # a void receipt needs no evidence
    assert "重复录入" in html
    assert f"/funds/{receipt.id}/correct" not in html


def test_evidence_is_uploaded_shown_as_a_thumbnail_and_served_with_nosniff(world, client, session):
    p = world.project()
    world.agreement(p)
    login(client, "lingwu")
    _record(client, p.id)
    receipt = _receipt(session, p.id)
    response = _upload(client, p.id, receipt.id, "进账单.png", PNG)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    file = session.scalars(sa.select(FundsEvidence)).one()
    assert file.kind == "bank_slip" and file.media_type == "image/png"
    html = page(client, f"/projects/{p.id}")
    row = _row(html, receipt.id)
    url = f"/projects/{p.id}/funds/{receipt.id}/evidence/{file.id}"
    assert f'<img class="evidence-thumb" src="{url}"' in row and "银行进账单" in row
    assert EVIDENCE_MISSING not in row
    login(client, "tongji")  # a reader sees the image the same way
    image = client.get(url)
    assert image.status_code == 200 and image.data == PNG
    assert image.headers["Content-Type"] == "image/png"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert image.headers["Content-Disposition"].startswith("inline;")
    assert "sandbox" in image.headers["Content-Security-Policy"]
    assert client.get(url + "?download=1").headers["Content-Disposition"].startswith("attachment;")
    login(client, "pingluo")
    assert client.get(url).status_code == 404


def test_a_pdf_is_a_download_and_a_file_that_is_not_what_it_says_is_refused(world, client, session):
    p = world.project()
    login(client, "lingwu")
    _record(client, p.id)
    receipt = _receipt(session, p.id)
    assert _upload(client, p.id, receipt.id, "验资报告.pdf", PDF, "capital_verification").status_code == 302
    file = session.scalars(sa.select(FundsEvidence)).one()
    url = f"/projects/{p.id}/funds/{receipt.id}/evidence/{file.id}"
    html = page(client, f"/projects/{p.id}")
    assert f'<a href="{url}?download=1" download>验资报告.pdf</a>' in html
    assert f'src="{url}"' not in html  # no thumbnail of a PDF
    assert client.get(url).headers["Content-Disposition"].startswith("attachment;")
    fake = _upload(client, p.id, receipt.id, "发票.png", b"<html><script>alert(1)</script>")
    assert fake.status_code == 422
    assert CHINESE.search(field_error(fake.get_data(as_text=True), f"f{receipt.id}-file"))
    none = _upload(client, p.id, receipt.id, "", b"")
    assert none.status_code == 422
    assert CHINESE.search(field_error(none.get_data(as_text=True), f"f{receipt.id}-file"))
    assert session.scalar(sa.select(sa.func.count()).select_from(FundsEvidence)) == 1


# ------------------------------------------------------------------ the year's checklist

def test_a_receipt_without_evidence_is_on_the_years_checklist_and_in_its_digest(world, client, session):
    p = world.project(stage="signed")  # nothing else of 2025 is open: no months are due
    ctx = world.ctx(world.statistics)
    from ledger.queries import checklist
    empty = checklist.checklist(ctx, 2025)
    assert empty.open_items == 0
    login(client, "lingwu")
    _record(client, p.id, received_on="2025-05-20", amount="88.00")
    receipt = _receipt(session, p.id)
    listed = checklist.checklist(ctx, 2025)
    assert listed.open_items == 1 and listed.digest != empty.digest
    assert [(m.receipt_id, m.received_on, m.amount) for m in listed.missing_evidence] == \
        [(receipt.id, "2025-05-20", "88.00")]
    assert checklist.checklist(ctx, 2026).missing_evidence == []  # another year's list
    login(client, "tongji")
    html = page(client, "/years")
    section = html.split('id="checklist-2025"')[1].split("</section>")[0]
    assert p.name in section and "88.00" in section and EVIDENCE_MISSING in section
    assert f'name="checklist_digest" value="{listed.digest}"' in html
    login(client, "lingwu")
    assert _upload(client, p.id, receipt.id, "进账单.png", PNG).status_code == 302
    after = checklist.checklist(ctx, 2025)
    assert after.open_items == 0 and after.digest == empty.digest
