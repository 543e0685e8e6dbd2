"""The web pages through Flask's test client, on both databases: logging in and out, CSRF,
security headers, the language switch, validation messages beside their fields (in Chinese),
404 pages for what a user may not see, and the forms calling the commands."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from ledger.context import Context
from ledger.models import AssessmentYear, Posting, User
from ledger.queries import checklist
from tests import drive
from tests.factories import ADMIN, PASSWORD, VALID_CREDIT_CODE
from tests.helpers import issue_token_for
from tests.web.support import csrf_of, field_error, login, page, post

CHINESE = re.compile(r"[\u4e00-\u9fff]")


# ------------------------------------------------------------------ logging in and out

def test_pages_need_a_login(world, client):
    for path in ("/dashboard", "/projects", "/agreements", "/attribution", "/years", "/audit"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_login_sets_a_strict_session_cookie_and_logout_revokes_it(world, client, app):
    token = csrf_of(page(client, "/login"))
    response = client.post("/login", data={"csrf_token": token, "username": "lingwu",
                                           "password": "secret-pass"})
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    cookie = next(v for k, v in response.headers.items()
                  if k == "Set-Cookie" and v.startswith(app.config["SESSION_COOKIE_NAME"]))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert "灵武市" in page(client, "/dashboard")
    post(client, "/logout", {}, form_page="/dashboard")
    assert client.get("/dashboard").status_code == 302  # the session's token is revoked


def test_the_session_cookie_is_secure_when_configured(world, client, app):
    app.config["SESSION_COOKIE_SECURE"] = True
    token = csrf_of(page(client, "/login"))
    response = client.post("/login", data={"csrf_token": token, "username": "lingwu",
                                           "password": "secret-pass"})
    cookies = [v for k, v in response.headers.items() if k == "Set-Cookie"]
    assert any("Secure" in c for c in cookies)
    assert "max-age" in response.headers.get("Strict-Transport-Security", "")


def test_a_wrong_password_is_refused_in_chinese(world, client):
    token = csrf_of(page(client, "/login"))
    response = client.post("/login", data={"csrf_token": token, "username": "lingwu",
                                           "password": "wrong-password"})
    assert response.status_code == 422
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_login_does_not_redirect_to_another_site(world, client):
    token = csrf_of(page(client, "/login?next=//evil.example/x"))
    response = client.post("/login", data={"csrf_token": token, "username": "lingwu",
                                           "password": "secret-pass", "next": "//evil.example/x"})
    assert response.headers["Location"] == "/dashboard"


# ------------------------------------------------------------------ CSRF and headers

def test_a_post_without_or_with_a_wrong_csrf_token_is_refused(world, client, session):
    login(client, "lingwu")
    data = {"name": "无令牌项目", "investor_name": "某公司", "investor_credit_code": VALID_CREDIT_CODE,
            "industry_code": "C2614", "planned_investment": "100.00",
            "zone_id": str(world.zone_lw.id)}
    for extra in ({}, {"csrf_token": "forged"}):
        response = client.post("/projects/new", data=data | extra)
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "表单已过期或并非来自本站" in html
    assert "无令牌项目" not in page(client, "/projects")
    # The same form with the page's token goes through.
    response = post(client, "/projects/new", data)
    assert response.status_code == 302


def test_html_pages_carry_a_strict_csp_and_the_security_headers(world, client):
    login(client, "lingwu")
    response = client.get("/dashboard")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script"
    assert "includeIndicatorStyles\": false" in html


def test_the_front_end_packages_are_served_by_the_app(client):
    for name in ("bootstrap.min.css", "htmx.min.js", "echarts.min.js"):
        response = client.get(f"/static/vendor/{name}")
        assert response.status_code == 200 and len(response.data) > 10_000, name
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        response.close()
    assert client.get("/static/vendor/axe.min.js").status_code == 404  # test tools stay out
    assert client.get("/static/vendor/..%2Fpackage.json").status_code == 404


# ------------------------------------------------------------------ languages

def test_the_language_switch(world, client):
    login(client, "lingwu")
    assert "工作台" in page(client, "/dashboard") and 'lang="zh-CN"' in page(client, "/dashboard")
    response = post(client, "/language", {"lang": "en", "next": "/projects"}, form_page="/dashboard")
    assert response.status_code == 302 and response.headers["Location"] == "/projects"
    assert "lang=en" in response.headers["Set-Cookie"]
    english = page(client, "/dashboard")
    assert 'lang="en"' in english and "Dashboard" in english and "工作台" not in english
    post(client, "/language", {"lang": "zh"}, form_page="/dashboard")
    assert "工作台" in page(client, "/dashboard")


# ------------------------------------------------------------------ validation beside the field

def test_a_validation_error_is_shown_in_chinese_beside_its_field(world, client, session):
    login(client, "lingwu")
    response = post(client, "/projects/new", {
        "name": "三位小数项目", "investor_name": "某公司", "investor_credit_code": VALID_CREDIT_CODE,
        "industry_code": "c2614", "planned_investment": "100.005", "zone_id": str(world.zone_lw.id)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_error(html, "planned_investment") == "最多保留两位小数（实际 3 位），系统不会自动舍入"
    assert CHINESE.search(field_error(html, "industry_code"))
    assert 'aria-describedby="planned_investment-help planned_investment-error"' in html
    assert 'value="100.005"' in html  # what was typed stays in the form
    assert "三位小数项目" not in page(client, "/projects")


def test_a_restricted_industry_suggests_zones_that_fit(world, client):
    login(client, "xingqing")  # 兴庆区 hosts the zone that restricts C26
    response = post(client, "/projects/new", {
        "name": "化工项目", "investor_name": "某公司", "investor_credit_code": VALID_CREDIT_CODE,
        "industry_code": "C2614", "planned_investment": "100.00", "zone_id": str(world.zone_xq.id)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "C26" in field_error(html, "industry_code") and CHINESE.search(field_error(html, "industry_code"))
    suggestions = html.split('id="zone-match"')[1]
    assert "灵武羊绒产业园区" in suggestions  # leads C26, restricts only C25


def test_the_zone_match_helper(world, client):
    login(client, "pingluo")
    html = page(client, "/zones/match?industry=C1711")
    assert "灵武羊绒产业园区" in html and "银川经济技术开发区" not in html.split("<main")[1]
    partial = client.get("/zones/match?industry_code=C3811", headers={"HX-Request": "true"})
    assert "银川经济技术开发区" in partial.get_data(as_text=True)
    assert "<html" not in partial.get_data(as_text=True)
    assert CHINESE.search(page(client, "/zones/match?industry=X99").split('class="text-danger')[1])


# ------------------------------------------------------------------ what a user may not see

def test_another_regions_agreement_is_a_chinese_404_page(world, client):
    p = world.project()
    a = world.agreement(p, file=False)
    login(client, "pingluo")
    for path in (f"/agreements/{a.id}", f"/agreements/{a.id}/confirm", f"/projects/{p.id}",
                 f"/projects/{p.id}/investments"):
        response = client.get(path)
        assert response.status_code == 404, path
        html = response.get_data(as_text=True)
        assert "未找到" in html and 'lang="zh-CN"' in html
    missing = client.get("/agreements/999999")
    assert missing.status_code == 404
    # the same answer for an agreement that does not exist: no hint that it does
    strip = lambda h: re.sub(r"\d+|csrf_token\" value=\"[^\"]+", "", h)  # noqa: E731
    assert strip(missing.get_data(as_text=True)) == strip(client.get(f"/agreements/{a.id}").get_data(as_text=True))


def test_a_region_may_not_act_for_another_hosts_project(world, client):
    p = world.project()  # hosted by 灵武市
    world.agreement(p)
    login(client, "xingqing")  # the recommender sees it but is not the host
    assert client.get(f"/projects/{p.id}").status_code == 200
    assert client.get(f"/projects/{p.id}/edit").status_code == 403
    response = post(client, f"/projects/{p.id}/investments?year=2025", {"amount_01": "1.00"},
                    form_page=f"/projects/{p.id}")
    assert response.status_code == 403


# ------------------------------------------------------------------ the forms call the commands

def test_the_month_grid_reports_and_revises(world, client, session):
    p = world.project()
    world.agreement(p)
    login(client, "lingwu")
    path = f"/projects/{p.id}/investments?year=2025"
    response = post(client, path, {"amount_01": "10.05", "amount_02": "10.05", "note_02": "二月"})
    assert response.status_code == 302
    html = page(client, path)
    assert html.count(">10.05<") == 2
    bad = post(client, path, {"amount_01": "1e3", "amount_02": "7.00"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert CHINESE.search(field_error(html, "amount_01"))
    assert 'value="1e3"' in html
    assert page(client, path).count(">10.05<") == 2  # nothing was saved
    post(client, path, {"amount_01": "0.00", "amount_02": "10.05"})
    html = page(client, path)
    assert "r1: 10.05" in html  # the earlier revision stays readable
    login(client, "tongji")
    table = page(client, "/attribution?year=2025")
    assert "3.01" in table and "7.04" in table


def _statement_link(html: str) -> str:
    return re.search(r'href="(/attribution/statement\.pdf\?[^"]+)"', html)[1].replace("&amp;", "&")


def test_the_statement_link_is_the_same_document_on_every_render(world, client, session):
    p = world.project()
    world.report(p, "2025-01", "10.05")
    head = session.scalars(sa.select(Posting).order_by(Posting.seq.desc())).first()
    login(client, "tongji")
    first = _statement_link(page(client, "/attribution?year=2025"))
    time.sleep(0.01)
    second = _statement_link(page(client, "/attribution?year=2025"))
    # The API's default as-of time: the newest posting's recording time (not the render time).
    assert first == second
    assert parse_qs(urlsplit(first).query)["as_of"] == [head.recorded_at.isoformat()]
    ids = {client.get(link).headers["X-Document-Id"] for link in (first, second)}
    token, _ = issue_token_for(session, session.get(User, world.statistics.id), 3600)
    api = client.get("/api/v1/attribution/statement.pdf?year=2025",
                     headers={"Authorization": f"Bearer {token}"})
    assert ids == {api.headers["X-Document-Id"]}
    # An as-of time the user chose is the one the link carries.
    chosen = _statement_link(page(client, "/attribution?year=2025&as_of=2025-06-01T08:00"))
    assert parse_qs(urlsplit(chosen).query)["as_of"] == ["2025-06-01T00:00:00+00:00"]  # 08:00 Beijing


def test_the_agreement_workflow_through_the_forms(world, client, session):
    p = world.project()
    login(client, "lingwu")
    response = post(client, f"/projects/{p.id}/agreements/new", {
        "recommender_code": "640104", "recommender_share": "30", "first_year": "2025",
        "last_year": "", "signed_on": "2025-01-10", "recommender_signatory": "张三",
        "receiver_signatory": "李四", "reason": "兴庆区经开区不含化工产业定位"})
    assert response.status_code == 302
    agreement_id = int(response.headers["Location"].rsplit("/", 1)[1])
    login(client, "xingqing")
    html = page(client, f"/agreements/{agreement_id}/confirm")
    assert "30.00%" in html
    version = re.search(r'name="row_version" type="hidden" value="(\d+)"', html)[1]
    # The host changes the share meanwhile: a confirmation of the terms seen is refused.
    drive.edit_agreement(world.ctx(world.lingwu), agreement_id, {"recommender_share": "90"})
    stale = client.post(f"/agreements/{agreement_id}/confirm",
                        data={"csrf_token": csrf_of(html), "row_version": version})
    assert stale.status_code == 422
    assert "内容已被他人修改" in stale.get_data(as_text=True)
    assert "90.00%" in stale.get_data(as_text=True)  # the page now shows the new terms
    assert post(client, f"/agreements/{agreement_id}/confirm",
                {"row_version": re.search(r'name="row_version" type="hidden" value="(\d+)"',
                                          stale.get_data(as_text=True))[1]},
                form_page=f"/agreements/{agreement_id}").status_code == 302
    for actor, action in (("xingqing", "submit"), ("tongji", "acknowledge"), ("shangwu", "acknowledge")):
        login(client, actor)
        html = page(client, f"/agreements/{agreement_id}/{action}")
        version = re.search(r'name="row_version" type="hidden" value="(\d+)"', html)[1]
        response = client.post(f"/agreements/{agreement_id}/{action}",
                               data={"csrf_token": csrf_of(html), "row_version": version})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    html = page(client, f"/agreements/{agreement_id}")
    assert "已备案" in html and "统备〔" in html


def _act(client, agreement_id: int, action: str, data: dict | None = None):
    """Post a workflow action's form with the row version its page shows."""
    html = page(client, f"/agreements/{agreement_id}/{action}")
    version = re.search(r'name="row_version" type="hidden" value="(\d+)"', html)[1]
    return client.post(f"/agreements/{agreement_id}/{action}",
                       data={"csrf_token": csrf_of(html), "row_version": version, **(data or {})})


def test_the_recommender_declines_with_a_reason_and_the_host_may_open_again(world, client, session):
    p = world.project()
    a = world.agreement(p, file=False)
    login(client, "xingqing")
    detail = page(client, f"/agreements/{a.id}")
    assert f"/agreements/{a.id}/decline" in detail and f"/agreements/{a.id}/withdraw" not in detail
    blank = _act(client, a.id, "decline", {"reason": " "})
    assert blank.status_code == 422 and CHINESE.search(field_error(blank.get_data(as_text=True), "reason"))
    assert _act(client, a.id, "decline", {"reason": "该项目并非我区推荐"}).status_code == 302
    html = page(client, f"/agreements/{a.id}")  # 兴庆区 keeps the record of what it declined …
    assert "已拒绝该协议" in html and "已拒绝" in html.split("</h1>")[0] and p.name not in html
    page(client, f"/projects/{p.id}", status=404)  # … but no longer sees the project,
    assert f"/agreements/{a.id}/filing.pdf" not in html  # nor is offered a form that would name it
    login(client, "lingwu")
    html = page(client, f"/projects/{p.id}")
    assert a.number in html.split('id="agreement-h"')[1] and "已拒绝" in html
    assert f"/projects/{p.id}/agreements/new" in html
    assert "该项目并非我区推荐" in page(client, f"/agreements/{a.id}")


def test_the_host_withdraws_a_chain_never_filed(world, client, session):
    p = world.project()
    a = world.agreement(p, file=False)
    login(client, "lingwu")
    detail = page(client, f"/agreements/{a.id}")
    assert f"/agreements/{a.id}/withdraw" in detail and f"/agreements/{a.id}/decline" not in detail
    assert _act(client, a.id, "withdraw").status_code == 302
    assert "已撤回" in page(client, f"/agreements/{a.id}")
    assert f"/projects/{p.id}/agreements/new" in page(client, f"/projects/{p.id}")
    filed = world.agreement(world.project(name="另一个项目"))
    assert f"/agreements/{filed.id}/withdraw" not in page(client, f"/agreements/{filed.id}")
    assert _act(client, filed.id, "withdraw").status_code == 422  # offered or not, the command decides


def test_the_action_words_are_keyed_by_the_workflow_tables_actions():
    """Each action the table names has its timeline word; each one a user takes has its button
    and its message once done — and no other action has words."""
    from ledger.domain import workflow
    from ledger.web.labels import ACTIONS
    assert set(ACTIONS) == set(workflow.ACTIONS)
    assert [a for a, words in ACTIONS.items() if words.button is not None] == \
        [a for a, words in ACTIONS.items() if words.done is not None] == \
        [a for a in workflow.ACTIONS if a in workflow.OFFERED]


def test_only_the_tables_offered_actions_have_a_page(world, client, session):
    a = world.agreement(world.project(), file=False)
    login(client, "lingwu")
    for action in ("create", "supersede", "file"):
        assert client.get(f"/agreements/{a.id}/{action}").status_code == 404, action
    assert "修改条款" in page(client, f"/agreements/{a.id}/edit")


def test_after_a_return_both_parties_are_shown_it_waiting_with_the_edit_button(world, client, session):
    """docs/domain.md: after a return a party edits it — either one, so both see it on their
    to-do."""
    a = world.agreement(world.project(), file=False)
    drive.confirm(world.ctx(world.xingqing), a.id)
    drive.submit(world.ctx(world.xingqing), a.id)
    drive.return_(world.ctx(world.commerce), a.id, "签字页缺失")
    for username in ("lingwu", "xingqing"):
        login(client, username)
        assert a.number in page(client, "/dashboard").split('id="waiting-h"')[1].split("</section>")[0]
        assert "待我办理" in page(client, "/agreements").split(a.number)[1].split("</tr>")[0]
        assert f"/agreements/{a.id}/edit" in page(client, f"/agreements/{a.id}")
    response = _act(client, a.id, "edit", {  # 兴庆区, the recommender, edits it
        "recommender_share": "30", "first_year": "2025", "last_year": "", "signed_on": "2025-01-10",
        "recommender_signatory": "张三", "receiver_signatory": "李四", "reason": "补齐签字页"})
    assert response.status_code == 302
    assert a.number not in page(client, "/dashboard").split('id="waiting-h"')[1].split("</section>")[0]
    login(client, "lingwu")
    assert f"/agreements/{a.id}/confirm" in page(client, f"/agreements/{a.id}")


def test_a_return_needs_a_reason(world, client, session):
    p = world.project()
    a = world.agreement(p, file=False)
    drive.confirm(world.ctx(world.xingqing), a.id)
    drive.submit(world.ctx(world.xingqing), a.id)
    login(client, "tongji")
    html = page(client, f"/agreements/{a.id}/return")
    version = re.search(r'name="row_version" type="hidden" value="(\d+)"', html)[1]
    response = client.post(f"/agreements/{a.id}/return",
                           data={"csrf_token": csrf_of(html), "row_version": version, "reason": "  "})
    assert response.status_code == 422
    assert CHINESE.search(field_error(response.get_data(as_text=True), "reason"))


def test_years_close_and_reopen_with_a_reason(world, client, session):
    p = world.project(stage_on="2025-12-01")
    world.report(p, "2025-12", "5.00")  # nothing open: no confirmation needed
    login(client, "tongji")
    assert "本年度没有未完成事项" in page(client, "/years").split('id="checklist-2025"')[1]
    assert post(client, "/years/2025/close", {}, form_page="/years").status_code == 302
    assert "已关闭" in page(client, "/years").split('id="year-2025"')[1].split("</tr>")[0]
    bad = post(client, "/years/2025/reopen", {"reason": ""}, form_page="/years")
    assert bad.status_code == 422 and CHINESE.search(field_error(bad.get_data(as_text=True), "reason"))
    assert post(client, "/years/2025/reopen", {"reason": "更正数据"}, form_page="/years").status_code == 302
    login(client, "lingwu")
    assert client.post("/years/2025/close", data={"csrf_token": csrf_of(page(client, "/years"))}).status_code == 403


def _year_row(html: str, year: int) -> str:
    return html.split(f'id="year-{year}"')[1].split("</tr>")[0]


def _shown_digest(html: str, year: int) -> str:
    return re.search(r'name="checklist_digest" value="([0-9a-f]{64})"', _year_row(html, year))[1]


def test_the_years_page_shows_the_checklist_and_closing_confirms_it(world, client, session):
    started = world.project(stage_on="2025-10-08")
    world.report(started, "2025-10", "5.00")
    draft = world.agreement(world.project(stage="signed"), file=False)
    login(client, "tongji")
    html = page(client, "/years")
    listed = html.split('id="checklist-2025"')[1].split("</section>")[0]
    assert "2025 年度关闭前核对清单" in listed
    assert draft.number in listed and "草稿" in listed  # the version not filed, its status
    assert started.name in listed and "2025-11、2025-12" in listed  # the months not reported
    shown = _shown_digest(html, 2025)
    assert shown == checklist.checklist(world.ctx(world.statistics), 2025).digest
    assert "确认清单中 2 项未完成事项并关闭 2025 年度" in _year_row(html, 2025)
    # A close that did not see the list (no digest) is refused: 409, the list shown again.
    refused = post(client, "/years/2025/close", {}, form_page="/years")
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert "2025 考核年度仍有 2 项未完成事项" in text and "已关闭" not in _year_row(text, 2025)
    # The list changed since it was shown (November was reported): refused, the new list and
    # its digest on the page.
    world.report(started, "2025-11", "5.00")
    stale = client.post("/years/2025/close", data={"csrf_token": csrf_of(html),
                                                   "checklist_digest": shown})
    assert stale.status_code == 409
    text = stale.get_data(as_text=True)
    fresh = _shown_digest(text, 2025)
    assert fresh != shown and "2025-11、2025-12" not in text and "2025-12" in text
    assert session.get(AssessmentYear, 2025) is None  # still open
    # The digest of the list as it stands closes the year.
    closed = client.post("/years/2025/close", data={"csrf_token": csrf_of(text),
                                                    "checklist_digest": fresh})
    assert closed.status_code == 302
    assert "已关闭" in _year_row(page(client, "/years"), 2025)


def test_the_parties_dashboards_list_the_filings_a_closed_year_holds_up(world, client):
    draft = world.agreement(world.project(stage="signed"), file=False)
    expected = f"{draft.number}</a> 涉及已关闭的2025年度，备案未完成"
    login(client, "lingwu")
    assert expected not in page(client, "/dashboard")
    world.close(2025)
    for party in ("lingwu", "xingqing"):  # the receiving and the recommending region
        login(client, party)
        todo = page(client, "/dashboard").split('class="list-unstyled closed-year-todos"')[1]
        assert expected in todo.split("</ul>")[0]
    login(client, "pingluo")
    assert draft.number not in page(client, "/dashboard")


@pytest.mark.parametrize("username", ["lingwu", "xingqing", "tongji", "shangwu", "admin"])
def test_every_page_renders_for_every_role(world, client, username):
    if username == "admin":
        world.user("admin", "admin")
    p = world.project()
    a = world.agreement(p)
    world.report(p, "2025-01", "10.05")
    login(client, username)
    paths = ["/dashboard", "/projects", "/agreements", "/attribution?year=2025",
             "/attribution?year=2025&as_of=2025-01-01T00:00", "/years", "/zones/shares?year=2025",
             "/zones/match", f"/projects/{p.id}", f"/projects/{p.id}/investments?year=2025",
             f"/agreements/{a.id}"]
    if username in ("tongji", "admin"):
        paths.append("/audit?entity=agreement")
    for path in paths:
        html = page(client, path)
        assert CHINESE.search(html.split("<main")[1]), path


def test_login_attempts_are_limited(world, client, app):
    from ledger import throttle
    throttle.reset(app)
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    token = csrf_of(page(client, "/login"))
    statuses = [client.post("/login", data={"csrf_token": token, "username": "lingwu",
                                            "password": "wrong-password"}).status_code
                for _ in range(4)]
    assert statuses == [422, 422, 422, 429]
    refused = client.post("/login", data={"csrf_token": token, "username": "lingwu",
                                          "password": "secret-pass"})
    assert refused.status_code == 429 and "尝试次数过多" in refused.get_data(as_text=True)
    throttle.reset(app)


@pytest.mark.parametrize("given,status", [("2025", 200), (" 2025 ", 200), ("", 200),
                                           ("2024", 400), ("2101", 400), ("２０２５", 400),
                                           ("-2025", 400), ("20250", 400)])
def test_a_pages_year_is_one_of_the_ledgers_else_refused(world, client, given, status):
    """One ?year= rule for the project, zone and attribution pages (helpers.year_arg): a year of
    the ledger (queries.years.ledger_years), none for the default, anything else a 400 that
    names the ledger's years."""
    world.report(world.project(signed_on="2024-12-01", stage_on="2025-01-01"), "2025-01", "1.00")
    login(client, "tongji")
    for path in ("/zones/shares", "/attribution"):
        html = page(client, f"{path}?year={given}", status)
        assert ("台账的年度为 2025—" in html) is (status == 400)


@pytest.mark.parametrize("username,registers,keeps_years", [
    ("lingwu", True, False), ("tongji", False, True), ("shangwu", False, False)])
def test_the_pages_offer_what_the_policy_permits(world, client, username, registers, keeps_years):
    """The project form and the years' actions follow policy.may_register_projects and
    may_keep_years (the views hold no role checks of their own)."""
    login(client, username)
    assert ("登记项目" in page(client, "/projects")) is registers
    assert client.get("/projects/new").status_code == (200 if registers else 403)
    years = page(client, "/years")
    assert ('<th scope="col" class="d-print-none">操作</th>' in years) is keeps_years


def test_the_policys_questions_and_its_refusals_agree():
    from ledger import policy
    from ledger.domain.enums import Role
    from ledger.domain.errors import Forbidden

    pairs = [(policy.may_register_projects, policy.require_registrar, {Role.REGION}),
             (policy.may_administer, policy.require_user_admin, {Role.ADMIN}),
             (policy.may_keep_years, policy.require_year_keeper, {Role.STATISTICS}),
             (policy.may_read_checklists, policy.require_checklist_reader,
              {Role.ADMIN, Role.STATISTICS, Role.COMMERCE})]
    for may, require, roles in pairs:
        for role in Role:
            actor = policy.Actor(1, "u", role, "640181" if role == Role.REGION else None)
            assert may(actor) is (role in roles), (may.__name__, role)
            if role in roles:
                require(actor)
            else:
                with pytest.raises(Forbidden):
                    require(actor)
    for role in Role:  # the host: the host region itself, no other region, no official
        actor = policy.Actor(1, "u", role, "640181" if role == Role.REGION else None)
        assert policy.is_host(actor, "640181") is (role == Role.REGION)
        assert not policy.is_host(actor, "640104")
        with pytest.raises(Forbidden):
            policy.require_host(actor, "640104")


# ------------------------------------------------------------------ the province's own word

def _totals_pages(client) -> list[str]:
    return [page(client, "/dashboard"), page(client, "/attribution")]


def test_the_totals_say_the_provinces_own_word_for_a_province(app, client, session):
    ctx = Context(session, ADMIN)
    drive.create_region(ctx, {"code": "530000", "name": "某某省", "level": "province"})
    drive.create_user(ctx, {"username": "tongji", "password": PASSWORD, "role": "statistics"})
    login(client, "tongji")
    dashboard, attribution = _totals_pages(client)
    assert re.search(r"\d{4} 年全省合计", dashboard) and "全省合计</th>" in dashboard
    assert "全省合计</th>" in attribution
    assert "全区" not in dashboard + attribution
    post(client, "/language", {"lang": "en"}, form_page="/dashboard")
    dashboard, attribution = _totals_pages(client)
    assert re.search(r"Province totals for \d{4}", dashboard)
    assert "Province total</th>" in dashboard and "Province total</th>" in attribution
    assert "全省" not in dashboard + attribution


def test_the_totals_say_the_demo_autonomous_regions_own_word(backend, app):
    logins = {user: password for user, password, _ in backend.restore("demo")}
    for user in ("tongji", "lingwu"):  # a filing body's province figures, a region's own
        client = app.test_client()
        login(client, user, logins[user])
        dashboard, attribution = _totals_pages(client)
        assert "全区合计</th>" in dashboard and "全区合计</th>" in attribution
        assert "全省" not in dashboard + attribution


def test_the_agreement_forms_set_a_share_of_funds_in_place(world, client, session):
    from ledger.models import AgreementVersion
    p = world.project()
    login(client, "lingwu")
    terms = {"recommender_code": "640104", "recommender_share": "30", "first_year": "2025",
             "last_year": "", "signed_on": "2025-01-10", "recommender_signatory": "张三",
             "receiver_signatory": "李四", "reason": "兴庆区经开区不含化工产业定位"}
    bad = post(client, f"/projects/{p.id}/agreements/new", terms | {"funds_share": "0"})
    assert bad.status_code == 422
    assert CHINESE.search(field_error(bad.get_data(as_text=True), "funds_share"))
    assert not CHINESE.search(field_error(bad.get_data(as_text=True), "recommender_share"))
    response = post(client, f"/projects/{p.id}/agreements/new", terms | {"funds_share": "45.5"})
    assert response.status_code == 302
    agreement_id = int(response.headers["Location"].rsplit("/", 1)[1])
    newest = lambda: session.scalars(sa.select(AgreementVersion).where(  # noqa: E731
        AgreementVersion.agreement_id == agreement_id).order_by(AgreementVersion.version.desc())).first()
    assert (newest().recommender_share, newest().funds_share) == (3000, 4550)
    html = page(client, f"/agreements/{agreement_id}")
    assert "完成投资分成比例" in html and "到位资金分成比例" in html
    assert 'class="col-sm-8 share">30.00%' in html and 'class="col-sm-8 funds-share">45.50%' in html
    assert "45.50%" in page(client, f"/projects/{p.id}")
    # The edit form shows the share agreed apart; cleared, the funds line takes the other share.
    edit = page(client, f"/agreements/{agreement_id}/edit")
    assert 'id="funds_share" inputmode="decimal" name="funds_share" type="text" value="45.50"' in edit
    session.expire_all()
    response = _act(client, agreement_id, "edit", terms | {"recommender_share": "35", "funds_share": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    session.expire_all()
    assert (newest().recommender_share, newest().funds_share) == (3500, 3500)
    edit = page(client, f"/agreements/{agreement_id}/edit")
    assert 'name="funds_share" type="text" value=""' in edit
