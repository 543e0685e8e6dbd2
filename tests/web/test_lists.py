"""The lists people work from, on both databases: the agreements' search and filters (status,
region, year, number, waiting for me) within what the user may see, a region's 本地项目 and
推荐的项目, both lists as XLSX read back with openpyxl, the warning when a new project repeats
an investor credit code and name, the month table's year total, and a ?year= outside the
ledger's years refused with them named."""

from __future__ import annotations

import io
import re
from datetime import datetime
from urllib.parse import unquote

import openpyxl
import pytest

from ledger.domain.periods import LOCAL_TZ
from tests.factories import VALID_CREDIT_CODE
from tests.web.support import field_error, login, page, post

NUMBER = re.compile(r'href="/agreements/\d+">(XY-\d{4}-\d{4})</a>')


@pytest.fixture
def three(world):
    """a1: 兴庆区 → 灵武市, filed, 2025 on; a2: 平罗县 → 灵武市, a draft for 2027–2028 waiting
    for 平罗县; a3: 灵武市 → 兴庆区, a draft for 2025 waiting for 灵武市."""
    p1 = world.project(name="灵武羊绒项目")
    a1 = world.agreement(p1)
    a2 = world.agreement(world.project(name="灵武再生资源项目"), recommender=world.pingluo,
                         file=False, first_year=2027, last_year=2028)
    xq = world.project(host=world.xingqing, zone=world.zone_xq, industry_code="C3811",
                       name="兴庆装备制造项目")
    a3 = world.agreement(xq, recommender=world.lingwu, file=False, first_year=2025, last_year=2025)
    return a1, a2, a3


def _numbers(client, query: str = "", status: int = 200) -> list[str]:
    html = page(client, f"/agreements{query}", status)
    return NUMBER.findall(html.split('id="agreement-list"')[1]) if status == 200 else []


def test_the_agreements_are_searched_and_filtered(world, client, three):
    a1, a2, a3 = (a.number for a in three)
    login(client, "tongji")
    assert _numbers(client) == [a3, a2, a1]
    assert _numbers(client, "?status=filed") == [a1]
    assert _numbers(client, "?status=draft") == [a3, a2]
    assert _numbers(client, "?region=640200") == [a2]          # 石嘴山市: 平罗县 under it
    assert _numbers(client, "?region=640104") == [a3, a1]
    assert _numbers(client, "?year=2027") == [a2, a1]
    assert _numbers(client, f"?number={a2[-4:]}") == [a2]
    assert _numbers(client, "?number=统备") == [a1]           # the filing number
    assert _numbers(client, "?waiting=1") == []               # nothing submitted to the bureau
    assert _numbers(client, "?status=draft&year=2025") == [a3]
    html = page(client, "/agreements?status=draft&region=640221")
    assert 'value="draft" selected' in html and 'value="640221" selected' in html
    assert 'href="/agreements/export.xlsx?status=draft&amp;region=640221"' in html
    assert "没有符合筛选条件的协议" in page(client, "/agreements?status=returned")
    login(client, "lingwu")
    assert _numbers(client, "?waiting=1") == [a3]
    assert "待我办理" in page(client, "/agreements?waiting=1")


def test_bad_filters_are_refused_beside_their_fields(world, client, three):
    login(client, "tongji")
    html = page(client, "/agreements?status=bogus&year=12&waiting=yes", 422)
    assert "必须是" in field_error(html, "f-status")
    assert "1990" in field_error(html, "f-year")
    assert field_error(html, "f-waiting")
    assert 'id="agreements-export"' not in html
    assert client.get("/agreements/export.xlsx?status=bogus").status_code == 422


def test_a_region_finds_only_the_agreements_it_is_party_to(world, client, three):
    a1, a2, a3 = (a.number for a in three)
    login(client, "pingluo")
    assert _numbers(client) == [a2]
    assert _numbers(client, f"?number={a1}") == []
    assert _numbers(client, "?region=640181") == [a2]   # 灵武市's others are not 平罗县's
    assert _numbers(client, "?status=filed") == []
    assert _numbers(client, "?year=2025") == []
    rows = _sheet_rows(client.get("/agreements/export.xlsx?region=640181"))
    assert [r[0] for r in rows] == [a2]


def _sheet(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return [tuple(r) for r in openpyxl.load_workbook(io.BytesIO(response.data)).active
            .iter_rows(values_only=True)]


def _sheet_rows(response, first: str = "协议编号") -> list[tuple]:
    cells = _sheet(response)
    header = next(r for r in cells if r and r[0] == first)
    return cells[cells.index(header) + 1:]


def _filename(response) -> str:
    disposition = response.headers["Content-Disposition"]
    return unquote(disposition.split("filename*=UTF-8''")[1])


def test_the_agreement_list_exports_as_filtered(world, client, three):
    a1, a2, a3 = three
    login(client, "lingwu")
    response = client.get("/agreements/export.xlsx?status=draft")
    today = datetime.now(LOCAL_TZ).strftime("%Y-%m-%d")
    assert _filename(response) == f"协议列表_{today}.xlsx"
    cells = _sheet(response)
    assert cells[0][0] == "投资转移协议列表"
    facts = {r[0]: r[1] for r in cells[1:4]}
    assert facts["导出时间（北京时间）"].startswith(today)
    assert facts["筛选条件"] == "状态：草稿" and facts["条数"] == "2"
    rows = _sheet_rows(response)
    assert [r[0] for r in rows] == [a3.number, a2.number]
    by_number = {r[0]: r for r in rows}
    assert by_number[a3.number][1:8] == (1, a3.project_id, "兴庆装备制造项目", "640181", "灵武市",
                                         "640104", "兴庆区")
    assert by_number[a3.number][8:13] == (30, 30, 2025, 2025, "草稿（待对方确认）")
    assert by_number[a3.number][16] == "是" and by_number[a2.number][16] == "否"
    everything = _sheet_rows(client.get("/agreements/export.xlsx"))
    filed = next(r for r in everything if r[0] == a1.number)
    assert filed[12] == "已备案" and filed[13] == a1.newest.filing_number
    assert filed[14] == a1.newest.filed_on.isoformat()
    client.set_cookie("lang", "en")  # an English page still gets the Chinese file
    english = client.get("/agreements/export.xlsx?status=draft&waiting=1")
    assert _filename(english) == f"协议列表_{today}.xlsx"
    assert {r[0]: r[1] for r in _sheet(english)[1:4]}["筛选条件"] == "状态：草稿；待我办理：是"


def test_a_recommender_whose_chain_ended_gets_no_project_name(world, client):
    from tests import drive
    a = world.agreement(world.project(name="灵武羊绒项目"), recommender=world.pingluo, file=False)
    drive.decline(world.ctx(world.pingluo), a.id, "不同意")
    login(client, "pingluo")
    (row,) = _sheet_rows(client.get("/agreements/export.xlsx"))
    assert row[0] == a.number and row[2] == a.project_id and row[3] is None
    assert "灵武羊绒项目" not in page(client, "/agreements")


def test_a_regions_projects_hosted_and_recommended(world, client, three):
    login(client, "lingwu")
    dashboard = page(client, "/dashboard")
    hosted = dashboard.split('id="hosted-projects"')[1].split("</table>")[0]
    recommended = dashboard.split('id="recommended-projects"')[1].split("</table>")[0]
    assert "灵武羊绒项目" in hosted and "兴庆装备制造项目" not in hosted
    assert "兴庆装备制造项目" in recommended and "灵武羊绒项目" not in recommended
    assert "本地项目" in dashboard and "推荐的项目" in dashboard
    html = page(client, "/projects?side=hosted")
    assert "灵武羊绒项目" in html and "兴庆装备制造项目" not in html.split("<tbody>")[1]
    assert 'aria-current="page">本地项目' in html
    html = page(client, "/projects?side=recommended&stage=under_construction")
    assert "兴庆装备制造项目" in html and "灵武羊绒项目" not in html.split("<tbody>")[1]
    assert 'name="side" value="recommended"' in html  # the filters keep the list
    assert page(client, "/projects?side=bogus", 422)
    login(client, "tongji")
    assert "project-sides" not in page(client, "/projects")


def test_the_project_list_exports_as_filtered(world, client, three):
    a1, a2, a3 = three
    login(client, "lingwu")
    response = client.get("/projects/export.xlsx?side=hosted")
    assert _filename(response).startswith("项目列表_") and _filename(response).endswith(".xlsx")
    cells = _sheet(response)
    assert cells[0][0] == "招商引资项目列表"
    assert {r[0]: r[1] for r in cells[1:4]}["筛选条件"] == "列表：本地项目"
    rows = _sheet_rows(response, "项目ID")
    assert [r[1] for r in rows] == ["灵武再生资源项目", "灵武羊绒项目"]
    wool = rows[1]
    assert wool[2:9] == ("宁夏某某有限公司", VALID_CREDIT_CODE, "否", "C2614",
                         wool[6], None, 50000)
    assert wool[6] and wool[9] == "灵武羊绒产业园区" and wool[10:13] == ("640181", "灵武市", "开工建设")
    assert wool[13] == "2023-12-01" and wool[14] == "2024-01-01"
    assert wool[17:19] == (a1.number, "兴庆区")
    everything = _sheet_rows(client.get("/projects/export.xlsx"), "项目ID")
    assert [r[1] for r in everything] == ["兴庆装备制造项目", "灵武再生资源项目", "灵武羊绒项目"]
    login(client, "pingluo")
    rows = _sheet_rows(client.get("/projects/export.xlsx"), "项目ID")
    assert [r[1] for r in rows] == ["灵武再生资源项目"]   # what 平罗县 sees, nothing more


def _new_project(client, world, name: str, **extra):
    return post(client, "/projects/new", {
        "name": name, "investor_name": "宁夏某某有限公司", "investor_credit_code": VALID_CREDIT_CODE,
        "industry_code": "C2614", "planned_investment": "100.00",
        "zone_id": str(world.zone_lw.id), **extra})


def test_a_repeated_credit_code_and_name_asks_for_a_confirmation(world, client):
    first = world.project(name="羊绒深加工项目")
    login(client, "lingwu")
    response = _new_project(client, world, "羊绒深加工项目")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    warning = html.split('id="duplicate-warning"')[1].split("<button")[0]
    assert f'href="/projects/{first.id}"' in warning and "羊绒深加工项目" in warning
    assert 'name="confirm_duplicate"' in warning
    assert page(client, "/projects").count("羊绒深加工项目") == 1       # nothing saved
    assert _new_project(client, world, "羊绒深加工二期项目").status_code == 302  # another name
    confirmed = _new_project(client, world, "羊绒深加工项目", confirm_duplicate="1")
    assert confirmed.status_code == 302
    assert page(client, "/projects").count("羊绒深加工项目") == 2


def test_another_regions_repeat_is_told_without_its_details(world, client):
    first = world.project(name="羊绒深加工项目", investor_name="宁夏甲公司")
    login(client, "xingqing")
    response = post(client, "/projects/new", {
        "name": "羊绒深加工项目", "investor_name": "宁夏某某有限公司",
        "investor_credit_code": VALID_CREDIT_CODE, "industry_code": "C3811",
        "planned_investment": "100.00", "zone_id": str(world.zone_xq.id)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    warning = html.split('id="duplicate-warning"')[1].split("<button")[0]
    assert "另有地区登记了统一社会信用代码和名称相同的项目" in warning
    assert f"/projects/{first.id}" not in html and "宁夏甲公司" not in html and "灵武市" not in warning


def test_the_month_table_has_the_years_total(world, client):
    p = world.project()
    world.report(p, "2025-01", "1.10")
    world.report(p, "2025-02", "2.00")
    world.report(p, "2025-02", "2.25")   # a revision: the newest counts
    world.report(p, "2024-12", "9.00")   # another year
    login(client, "tongji")             # any reader of the project
    for path in (f"/projects/{p.id}?year=2025", f"/projects/{p.id}/investments?year=2025"):
        html = page(client, path)
        assert re.search(r'id="grid-total">3\.35<', html), path
        assert "全年合计" in html
    assert re.search(r'id="grid-total">—<', page(client, f"/projects/{p.id}?year=2023"))


def test_a_year_outside_the_ledgers_is_refused_with_its_years(world, client):
    p = world.project()                  # signed 2023-12-01
    world.report(p, "2025-01", "1.00")
    this_year = datetime.now(LOCAL_TZ).year
    login(client, "lingwu")
    ledger = f"台账中没有 1999 年度：台账的年度为 2025—{this_year} 年"
    project = f"台账中没有 1999 年度：台账的年度为 2023—{this_year} 年"
    for path, said in ((f"/projects/{p.id}?year=1999", project),
                       (f"/projects/{p.id}/investments?year=1999", project),
                       ("/zones/shares?year=1999", ledger), ("/attribution?year=1999", ledger),
                       ("/attribution/regions.xlsx?year=1999", ledger)):
        html = page(client, path, 400)
        assert said in html, path
    assert "abc" in page(client, "/zones/shares?year=abc", 400)
    assert page(client, f"/projects/{p.id}?year=2023")     # the project's own year
    page(client, "/zones/shares?year=2023", 400)            # not the ledger's
    for path in ("/zones/shares?year=2025", "/attribution?year=2025", f"/projects/{p.id}",
                 f"/projects/{p.id}?year={this_year}"):
        page(client, path)
    # a project the user may not see is not found, whatever the year
    login(client, "pingluo")
    page(client, f"/projects/{p.id}?year=1999", 404)
