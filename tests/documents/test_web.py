"""The documents from the web pages and the public verification page /verify/<id>: downloads
need a login and follow the policy (404 for another region's agreement) and are registered; the
verification page needs none, is Chinese, rate limited, says 一致 for an unchanged ledger and
不一致 naming each changed field after a change made through the commands."""

from __future__ import annotations

import re
from datetime import timedelta, timezone

import sqlalchemy as sa

from ledger.documents.canonical import verification_code
from ledger.models import AuditEntry, IssuedDocument
from ledger import throttle
from tests import drive
from tests.documents.conftest import pdf_text, squeeze
from tests.helpers import tamper
from tests.web.support import login, page

DOCUMENT_ID = re.compile(r"^(BA|HZ|TJ)(-[A-Z2-7]{5}){4}$")


def download(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:1000]
    assert response.content_type == "application/pdf"
    assert DOCUMENT_ID.match(response.headers["X-Document-Id"])
    return response


def no_inline_code(html: str) -> None:
    """The page passes the strict CSP: no inline scripts, styles or event handlers."""
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)


# ------------------------------------------------------------------ downloads

def test_downloads_need_a_login(world, client):
    p = world.project()
    a = world.agreement(p)
    for path in (f"/agreements/{a.id}/filing.pdf", f"/agreements/{a.id}/receipt.pdf",
                 "/attribution/statement.pdf?year=2025"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_a_region_gets_404_for_another_regions_agreement(world, client, session):
    p = world.project()  # hosted by 灵武市, recommended by 兴庆区
    a = world.agreement(p)
    login(client, "pingluo")
    for path in (f"/agreements/{a.id}/filing.pdf", f"/agreements/{a.id}/receipt.pdf",
                 "/agreements/999999/filing.pdf"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "未找到" in response.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(IssuedDocument)) == 0


def test_the_parties_download_the_filing_form_and_receipt_and_each_download_is_recorded(
        world, client, session, tmp_path):
    p = world.project()
    a = world.agreement(p)
    draft = world.agreement(world.project(), file=False)
    login(client, "lingwu")
    html = page(client, f"/agreements/{a.id}")
    assert f'href="/agreements/{a.id}/filing.pdf"' in html
    assert f'href="/agreements/{a.id}/receipt.pdf?version=1"' in html
    draft_html = page(client, f"/agreements/{draft.id}")
    assert f"/agreements/{draft.id}/filing.pdf" in draft_html and "receipt.pdf" not in draft_html

    filing = download(client, f"/agreements/{a.id}/filing.pdf")
    text = squeeze(pdf_text(filing.data, tmp_path))
    assert "招商引资项目投资转移协议备案表" in text and a.number in text
    receipt = download(client, f"/agreements/{a.id}/receipt.pdf?version=1")
    assert "备案回执" in squeeze(pdf_text(receipt.data, tmp_path))
    assert client.get(f"/agreements/{draft.id}/receipt.pdf").status_code == 409
    assert client.get(f"/agreements/{a.id}/filing.pdf?version=x").status_code == 422
    again = download(client, f"/agreements/{a.id}/filing.pdf")
    assert again.data == filing.data

    ids = {filing.headers["X-Document-Id"], receipt.headers["X-Document-Id"]}
    assert set(session.scalars(sa.select(IssuedDocument.document_id))) == ids
    audited = session.execute(sa.select(AuditEntry.entity_id, AuditEntry.actor_username)
                              .where(AuditEntry.action == "document.download")).all()
    assert sorted(audited) == sorted([(filing.headers["X-Document-Id"], "lingwu")] * 2
                                     + [(receipt.headers["X-Document-Id"], "lingwu")])


def test_the_statement_downloads_for_a_year_and_as_of(world, client, tmp_path):
    p = world.project()
    world.agreement(p)
    world.report(p, "2025-01", "100.00")
    login(client, "tongji")
    response = download(client, "/attribution/statement.pdf?year=2025&as_of=")
    assert "2025年度招商引资投资分算汇总表" in squeeze(pdf_text(response.data, tmp_path))
    assert client.get("/attribution/statement.pdf").status_code == 422  # the year is required


# ------------------------------------------------------------------ verification

def result_of(html: str) -> str:
    return html.split('id="verify-result"')[1].split("</div>")[0]


def table_rows(html: str, table_id: str) -> list[str]:
    table = html.split(f'id="{table_id}"')[1].split("</table>")[0]
    return [squeeze(re.sub(r"<[^>]+>", " ", row)) for row in table.split("<tr>")[2:]]


def test_verification_stays_consistent_after_a_rename_and_lists_it_as_a_later_change(
        world, client, app):
    p = world.project()
    a = world.agreement(p)
    login(client, "lingwu")
    document_id = download(client, f"/agreements/{a.id}/filing.pdf").headers["X-Document-Id"]

    public = app.test_client()  # no login, with the code the document prints
    code = verification_code(document_id, app.config["SECRET_KEY"].encode())
    response = public.get(f"/verify/{document_id}?code={code}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    no_inline_code(html)
    assert 'lang="zh-CN"' in html and "Content-Security-Policy" in response.headers
    result = result_of(html)
    assert "一致" in result and "不一致" not in result
    assert 'id="verify-later"' not in html  # nothing changed since
    for expected in (document_id, a.number, "灵武市（640181）", "兴庆区（640104）",
                     "推荐地 30.00%，接受地 70.00%", "完成投资分算比例", "到位资金分算比例", "已备案"):
        assert expected in html, expected

    old_name = p.name
    drive.update_project(world.ctx(world.lingwu), p.id,
                         {"name": f"{old_name}（一期）", "planned_investment": "8888.00"})
    html = public.get(f"/verify/{document_id}?code={code}").get_data(as_text=True)
    result = result_of(html)
    assert "一致" in result and "不一致" not in result  # the form printed the facts of its time
    assert 'id="verify-changes"' not in html
    later = table_rows(html, "verify-later")
    assert "此后的变更" in html
    assert len(later) == 2, later  # nothing else the form prints changed
    when = re.compile(r"^\d{4}-\d{2}-\d{2}\d{2}:\d{2}")
    assert all(when.match(row) for row in later), later
    assert later[0][15:] == f"项目名称{old_name}{old_name}（一期）"
    assert later[1][15:] == "计划总投资50000.00万元8888.00万元"
    assert old_name in html.split('id="verify-facts"')[1]  # the facts as first issued


def test_verification_says_inconsistent_when_the_history_of_its_time_was_changed(
        world, client, app, session):
    p = world.project()
    a = world.agreement(p)
    login(client, "lingwu")
    document_id = download(client, f"/agreements/{a.id}/filing.pdf").headers["X-Document-Id"]
    # The journal's record of the project as of the form's time, rewritten behind the
    # application's back (the name the form printed is no longer what the ledger says).
    assert tamper(app, "UPDATE audit_log SET after = replace(after, :old, :new) "
                       "WHERE action LIKE 'project.%' AND entity_id = :id",
                  old=p.name, new="篡改后的项目", id=str(p.id)) >= 1
    public = app.test_client()
    html = public.get(f"/verify/{document_id}").get_data(as_text=True)
    assert "不一致" in result_of(html) and 'id="verify-changes"' not in html  # no code: no facts
    code = verification_code(document_id, app.config["SECRET_KEY"].encode())
    html = public.get(f"/verify/{document_id}?code={code}").get_data(as_text=True)
    assert "不一致" in result_of(html)
    assert table_rows(html, "verify-changes") == [f"项目名称{p.name}篡改后的项目"]
    assert 'id="verify-later"' not in html


def test_a_statement_as_of_a_time_stays_consistent_after_later_revisions(world, client, app):
    p = world.project()
    world.agreement(p)
    world.report(p, "2025-01", "100.00")
    login(client, "tongji")
    document_id = download(client, "/attribution/statement.pdf?year=2025").headers["X-Document-Id"]
    region = app.test_client()
    login(region, "lingwu")
    own = download(region, "/attribution/statement.pdf?year=2025").headers["X-Document-Id"]
    assert own != document_id  # the region's statement: its own rows and the totals
    world.report(p, "2025-01", "150.00")  # a later revision: the as-of figures do not move
    public = app.test_client()

    def verify(issued: str) -> str:
        code = verification_code(issued, app.config["SECRET_KEY"].encode())
        return public.get(f"/verify/{issued}?code={code}").get_data(as_text=True)

    for issued in (document_id, own):
        html = verify(issued)
        result = html.split('id="verify-result"')[1].split("</div>")[0]
        assert "一致" in result and "不一致" not in result, issued
        assert "100.00 万元" in html and "2025年" in html
    assert "灵武市（640181）及全区合计" in verify(own)


def test_a_document_id_typed_in_lower_case_is_found(world, client, app):
    p = world.project()
    a = world.agreement(p)
    login(client, "lingwu")
    document_id = download(client, f"/agreements/{a.id}/filing.pdf").headers["X-Document-Id"]
    code = verification_code(document_id, app.config["SECRET_KEY"].encode())
    public = app.test_client()
    for typed in (document_id.lower(), document_id.swapcase()):
        response = public.get(f"/verify/{typed}?code={code.lower()}")
        assert response.status_code == 200, typed
        html = response.get_data(as_text=True)
        assert "一致" in result_of(html) and document_id in html
        assert "（北京时间））" not in html  # no time in brackets inside brackets


def test_an_unknown_document_is_a_chinese_404_page(client):
    for document_id in ("BA-AAAAA-BBBBB-CCCCC-DDDDD", "nonsense", "ba-aaaaa-bbbbb-ccccc-ddddd"):
        response = client.get(f"/verify/{document_id}", headers={"Cookie": "lang=en"})
        assert response.status_code == 404
        html = response.get_data(as_text=True)
        assert "未找到该文件" in html and 'lang="zh-CN"' in html
        no_inline_code(html)


def test_the_verification_page_is_rate_limited(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "VERIFY_RATE_LIMIT", "3 per minute")
    throttle.reset(app)
    try:
        codes = [client.get("/verify/BA-AAAAA-BBBBB-CCCCC-DDDDD").status_code for _ in range(4)]
    finally:
        throttle.reset(app)
    assert codes == [404, 404, 404, 429]


def test_document_downloads_from_the_web_pages_are_throttled_per_user(world, client, app,
                                                                       monkeypatch, session):
    p = world.project()
    a = world.agreement(p)
    monkeypatch.setitem(app.config, "DOCUMENT_RATE_LIMIT", "1 per minute")
    throttle.reset(app)
    try:
        login(client, "lingwu")
        download(client, f"/agreements/{a.id}/filing.pdf")
        refused = client.get(f"/agreements/{a.id}/receipt.pdf")
        assert refused.status_code == 429
        assert "Retry-After" not in refused.headers or int(refused.headers["Retry-After"]) > 0
        text = refused.get_data(as_text=True)
        assert "每个用户" in text and "份文件" in text, text
        assert session.scalar(sa.select(sa.func.count()).select_from(IssuedDocument)) == 1
    finally:
        throttle.reset(app)


# ------------------------------------------------------------------ who sees what

def _result(html: str) -> str:
    return html.split('id="verify-result"')[1].split("</div>")[0]


def _code(app, document_id: str) -> str:
    return verification_code(document_id, app.config["SECRET_KEY"].encode())


def test_without_the_code_the_page_shows_only_kind_id_as_of_digest_and_the_result(
        world, client, app, session):
    """The attributed figures are for the assessment only (桂统函〔2025〕
    29号: 不得对外公开发布和使用); the public page must not publish them."""
    p = world.project()
    a = world.agreement(p)
    login(client, "lingwu")
    filing = download(client, f"/agreements/{a.id}/filing.pdf")
    document_id = filing.headers["X-Document-Id"]
    digest = filing.headers["X-Document-Digest"]
    as_of = session.scalar(sa.select(IssuedDocument.as_of))
    secret = (p.name, p.investor_name, a.number, "灵武市", "兴庆区", "640181", "640104",
              "30.00%", "70.00%", "万元", "已备案")

    public = app.test_client()
    response = public.get(f"/verify/{document_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    no_inline_code(html)
    assert "一致" in _result(html) and "不一致" not in _result(html)
    facts = html.split('id="verify-facts"')[1].split("</table>")[0]
    rows = [squeeze(re.sub(r"<[^>]+>", " ", row)) for row in facts.split("<tr>")[1:]]
    local = as_of.astimezone(timezone(timedelta(hours=8)))
    assert rows == ["文件类型招商引资项目投资转移协议备案表", f"文件编号{document_id}",
                    f"数据截止时间{local:%Y年%-m月%-d日%H:%M:%S}（北京时间）",
                    f"数据摘要（SHA-256）{digest}"], rows
    for word in secret:
        assert word not in html, word
    assert 'name="code"' in html  # the form to enter the code

    drive.update_project(world.ctx(world.lingwu), p.id,
                         {"name": "年产五万吨新材料项目", "planned_investment": "8888.00"})
    changed = public.get(f"/verify/{document_id}").get_data(as_text=True)
    assert "一致" in _result(changed) and "不一致" not in _result(changed)  # facts of its time
    assert 'id="verify-later"' not in changed  # the later changes only with the code
    for word in secret + ("年产五万吨新材料项目", "8888.00"):
        assert word not in changed, word

    wrong = public.get(f"/verify/{document_id}?code=AAAA-BBBB-CCCC-DDDD").get_data(as_text=True)
    assert 'id="verify-wrong-code"' in wrong and p.name not in wrong
    code = _code(app, document_id)
    full = public.get(f"/verify/{document_id}?code={code.replace('-', '').lower()}")
    html = full.get_data(as_text=True)
    assert 'id="verify-wrong-code"' not in html
    for expected in (p.name, a.number, "灵武市（640181）", "推荐地 30.00%，接受地 70.00%",
                     "年产五万吨新材料项目"):
        assert expected in html, expected


def test_a_user_who_may_read_the_subject_sees_the_full_page_without_the_code(world, client, app):
    p = world.project()  # hosted by 灵武市, recommended by 兴庆区
    a = world.agreement(p)
    world.report(p, "2025-01", "100.00")
    login(client, "lingwu")
    filing = download(client, f"/agreements/{a.id}/filing.pdf").headers["X-Document-Id"]
    own = download(client, "/attribution/statement.pdf?year=2025").headers["X-Document-Id"]
    province_client = app.test_client()
    login(province_client, "tongji")
    province = download(province_client,
                        "/attribution/statement.pdf?year=2025").headers["X-Document-Id"]

    def sees(username: str | None, document_id: str) -> bool:
        visitor = app.test_client()
        if username:
            login(visitor, username)
        html = visitor.get(f"/verify/{document_id}").get_data(as_text=True)
        assert "一致" in _result(html)
        return "文件签发时的内容" in html

    assert [sees(u, filing) for u in (None, "lingwu", "xingqing", "pingluo", "tongji")] == [
        False, True, True, False, True]
    assert [sees(u, own) for u in (None, "lingwu", "xingqing", "tongji")] == [
        False, True, False, True]
    assert [sees(u, province) for u in (None, "lingwu", "tongji")] == [False, False, True]


def test_wrong_codes_count_against_the_address(world, client, app, monkeypatch):
    p = world.project()
    a = world.agreement(p)
    login(client, "lingwu")
    document_id = download(client, f"/agreements/{a.id}/filing.pdf").headers["X-Document-Id"]
    monkeypatch.setitem(app.config, "VERIFY_CODE_RATE_LIMIT", "2 per minute")
    throttle.reset(app)
    public = app.test_client()
    try:
        first = public.get(f"/verify/{document_id}?code=AAAA-BBBB-CCCC-DDDD")
        unknown = public.get("/verify/BA-AAAAA-BBBBB-CCCCC-DDDDD?code=AAAA-BBBB-CCCC-DDDD")
        right = public.get(f"/verify/{document_id}?code={_code(app, document_id)}")
        plain = public.get(f"/verify/{document_id}")
        other_address = app.test_client().get(
            f"/verify/{document_id}?code={_code(app, document_id)}",
            environ_base={"REMOTE_ADDR": "10.9.9.9"})
    finally:
        throttle.reset(app)
    assert (first.status_code, unknown.status_code) == (200, 404)
    assert right.status_code == 429  # even with the right code, until the window ends
    assert plain.status_code == 200 and "文件签发时的内容" not in plain.get_data(as_text=True)
    assert other_address.status_code == 200
    assert "文件签发时的内容" in other_address.get_data(as_text=True)
