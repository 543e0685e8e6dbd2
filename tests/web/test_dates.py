"""The date rules and project corrections through the web forms, on both databases: each date rule's
refusal in Chinese beside its field (registration, stage change, agreement), and the correction of a
project's dates on its edit page (a reason required for a date; a start after a reported month
refused naming the month) with the 修改记录 on the project page."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.factories import VALID_CREDIT_CODE
from tests.helpers import today
from tests.web.support import csrf_of, field_error, login, page, post

TOMORROW = lambda: (today() + timedelta(days=1)).isoformat()  # noqa: E731
PROJECT_FORM = {"name": "未来签约项目", "investor_name": "某公司", "investor_credit_code": VALID_CREDIT_CODE,
                "industry_code": "C2614", "planned_investment": "100.00"}
TERMS_FORM = {"recommender_code": "640104", "recommender_share": "30", "first_year": "2025",
              "last_year": "", "signed_on": "2025-01-10", "recommender_signatory": "张三",
              "receiver_signatory": "李四", "reason": "兴庆区经开区不含化工产业定位"}


def _future(message: str) -> bool:
    return message == f"不能晚于今天（{today().isoformat()}）"


def test_registering_a_project_signed_after_today(world, client):
    login(client, "lingwu")
    response = post(client, "/projects/new", PROJECT_FORM | {"zone_id": str(world.zone_lw.id),
                                                             "signed_on": TOMORROW()})
    assert response.status_code == 422
    assert _future(field_error(response.get_data(as_text=True), "signed_on"))
    assert "未来签约项目" not in page(client, "/projects")


def test_a_stage_after_today_or_before_the_signing(world, client):
    p = world.project(stage="signed")  # signed 2023-12-01
    login(client, "lingwu")
    for day, expected in ((TOMORROW(), f"不能晚于今天（{today().isoformat()}）"),
                          ("2023-11-30", "不能早于 2023-12-01")):
        response = post(client, f"/projects/{p.id}/stage",
                        {"stage": "under_construction", "stage_on": day,
                         "row_version": str(p.row_version)}, form_page=f"/projects/{p.id}")
        assert response.status_code == 422
        assert field_error(response.get_data(as_text=True), "stage_on") == expected
    assert "尚未" in page(client, f"/projects/{p.id}")  # still only signed


def test_an_agreement_signed_after_today_or_before_the_project(world, client):
    p = world.project()  # signed 2023-12-01
    login(client, "lingwu")
    path = f"/projects/{p.id}/agreements/new"
    response = post(client, path, TERMS_FORM | {"signed_on": TOMORROW()})
    assert response.status_code == 422
    assert _future(field_error(response.get_data(as_text=True), "signed_on"))
    response = post(client, path, TERMS_FORM | {"first_year": "2022"})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "first_year") == \
        "协议自 2022 年起分算，早于项目签约年份（2023 年）"
    assert post(client, path, TERMS_FORM).status_code == 302


def _edit_form(client, project, **changes) -> dict:
    """The edit page's fields as it shows them, with `changes`."""
    html = page(client, f"/projects/{project.id}/edit")
    fields = dict(re.findall(r'<input[^>]*?id="(\w+)"[^>]*?value="([^"]*)"', html))
    fields.update(re.findall(r'<input[^>]*?name="(\w+)"[^>]*?type="hidden" value="([^"]*)"', html))
    data = {k: fields.get(k, "") for k in (
        "name", "investor_name", "investor_credit_code", "industry_code", "project_code",
        "planned_investment", "signed_on", "started_on", "row_version")}
    return data | {"zone_id": str(project.zone_id), "csrf_token": csrf_of(html)} | changes


def test_the_edit_page_corrects_dates_with_a_reason_and_the_project_page_lists_them(world, client):
    p = world.project()  # signed 2023-12-01, under construction from 2024-01-01
    login(client, "lingwu")
    html = page(client, f"/projects/{p.id}/edit")
    assert 'id="signed_on"' in html and 'value="2023-12-01"' in html
    assert 'id="started_on"' in html and 'value="2024-01-01"' in html
    assert 'id="operating_on"' not in html  # not reached: nothing to correct

    response = client.post(f"/projects/{p.id}/edit", data=_edit_form(client, p, signed_on="2023-11-01"))
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "reason") == "修改日期须填写修改原因"

    response = client.post(f"/projects/{p.id}/edit", data=_edit_form(
        client, p, signed_on="2023-11-01", planned_investment="60000.00",
        reason="核对合同原件，签约日期有误"))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    html = page(client, f"/projects/{p.id}")
    history = html.split('id="corrections-h"')[1].split("</section>")[0]
    assert "修改记录" in html
    assert "签署日期：2023-12-01 → 2023-11-01" in history
    assert "计划投资：50000.00 万元 → 60000.00 万元" in history
    assert "核对合同原件，签约日期有误" in history and "lingwu（灵武市）" in history
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", history)  # when, Beijing time

    # Another region's user who may see the project reads the same history.
    world.agreement(p)
    login(client, "xingqing")
    assert "签署日期：2023-12-01 → 2023-11-01" in page(client, f"/projects/{p.id}")


def test_the_edit_page_refuses_a_start_after_a_reported_month(world, client):
    p = world.project()
    world.report(p, "2024-03", "5.00")
    login(client, "lingwu")
    response = client.post(f"/projects/{p.id}/edit", data=_edit_form(
        client, p, started_on="2024-04-01", reason="按开工报告更正"))
    assert response.status_code == 422
    message = field_error(response.get_data(as_text=True), "started_on")
    assert message == "2024-03 已填报完成投资，开工日期不能晚于该月"
    assert 'value="2024-01-01"' in page(client, f"/projects/{p.id}/edit")  # nothing saved
