"""Every problem of a form in one submit, each beside its own field, on both databases: an empty
input says 不能为空 (whatever the field's type), a rule of two fields is shown under the field it
concerns, the commands' own checks (a credit code, a restricted industry, a date after today)
come with the schema's, the month grid's rules sit in the cell of their month, and the import
page keeps the refused file for the next submit."""

from __future__ import annotations

import io
import re
from html import unescape as html_unescape
from datetime import date, timedelta

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from ledger.models import Agreement, InvestmentReport, Project
from tests import drive
from tests.io.files import HEADERS_ZH, csv_bytes, multipart
from tests.web.support import csrf_of, field_error, login, page, post

REQUIRED = "不能为空"
LATER = (date.today() + timedelta(days=40)).isoformat()  # after today, wherever the clock is

EMPTY_AGREEMENT = {"recommender_code": "", "recommender_share": "", "funds_share": "",
                   "first_year": "", "last_year": "", "signed_on": "",
                   "recommender_signatory": "", "receiver_signatory": "", "reason": ""}


def _errors(html: str) -> dict[str, str]:
    """Every message shown beside an input: its id → the message."""
    return {m[1]: m[2].strip() for m in re.finditer(r'id="([\w-]+?)-error">(.*?)</div>', html, re.S)}


def _count(session, model) -> int:
    session.rollback()
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def test_an_empty_agreement_form_says_required_beside_each_required_field(world, client, session):
    p = world.project()
    login(client, "lingwu")
    response = post(client, f"/projects/{p.id}/agreements/new", EMPTY_AGREEMENT)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert _errors(html) == {name: REQUIRED for name in (
        "recommender_code", "recommender_share", "first_year", "signed_on",
        "recommender_signatory", "receiver_signatory", "reason")}
    # each input names its message (aria-describedby) and says it is invalid
    for name in ("recommender_signatory", "receiver_signatory", "first_year"):
        tag = re.search(rf'<input[^>]*id="{name}"[^>]*>', html)[0]
        assert f"{name}-error" in tag and 'aria-invalid="true"' in tag, tag
    assert _count(session, Agreement) == 0


def test_the_agreement_forms_rules_of_two_fields_come_with_the_others(world, client, session):
    p = world.project()  # signed 2023-12-01
    login(client, "lingwu")
    response = post(client, f"/projects/{p.id}/agreements/new", EMPTY_AGREEMENT | {
        "recommender_code": "640104", "recommender_share": "0", "first_year": "2025",
        "last_year": "2024", "signed_on": LATER, "recommender_signatory": "张三"})
    assert response.status_code == 422
    errors = _errors(response.get_data(as_text=True))
    assert errors["recommender_share"] == "必须大于 0"
    assert errors["last_year"] == "不能早于起始年度"  # under the field it concerns
    assert errors["signed_on"].startswith("不能晚于今天")  # the command's rule, in the same submit
    assert errors["receiver_signatory"] == errors["reason"] == REQUIRED
    assert set(errors) == {"recommender_share", "last_year", "signed_on", "receiver_signatory",
                           "reason"}
    # a first year before the project's signing, with a wrong share: both at once
    response = post(client, f"/projects/{p.id}/agreements/new", EMPTY_AGREEMENT | {
        "recommender_code": "640181", "recommender_share": "1.234", "first_year": "2020",
        "signed_on": "2025-01-10", "recommender_signatory": "张三", "receiver_signatory": "李四",
        "reason": "理由"})
    errors = _errors(response.get_data(as_text=True))
    assert set(errors) == {"recommender_code", "recommender_share", "first_year"}
    assert "2023" in errors["first_year"]  # covers from 2020, before the project was signed in 2023
    # every field right by the schema: the command's refusals of the recommender and the date
    response = post(client, f"/projects/{p.id}/agreements/new", EMPTY_AGREEMENT | {
        "recommender_code": "640181", "recommender_share": "30", "first_year": "2025",
        "signed_on": LATER, "recommender_signatory": "张三", "receiver_signatory": "李四",
        "reason": "理由"})
    assert response.status_code == 422
    assert set(_errors(response.get_data(as_text=True))) == {"recommender_code", "signed_on"}
    assert _count(session, Agreement) == 0


def test_a_missing_credit_code_is_shown_with_the_empty_fields(world, client, session):
    login(client, "lingwu")
    before = _count(session, Project)
    response = post(client, "/projects/new", {
        "name": "", "investor_name": "", "investor_credit_code": "", "industry_code": "",
        "project_code": "", "planned_investment": "", "zone_id": "", "signed_on": ""})
    assert response.status_code == 422
    errors = _errors(response.get_data(as_text=True))
    assert {k: v for k, v in errors.items() if k != "investor_credit_code"} == {
        name: REQUIRED for name in ("name", "investor_name", "industry_code",
                                    "planned_investment", "zone_id")}
    assert errors["investor_credit_code"] == "境内投资方必须填写"  # unless the investor is foreign
    # a restricted industry (the zone's rule) with a wrong amount and a date after today
    response = post(client, "/projects/new", {
        "name": "限制产业项目", "investor_name": "某公司", "investor_credit_code": "",
        "investor_foreign": "y", "industry_code": "C2511", "project_code": "",
        "planned_investment": "1.005", "zone_id": str(world.zone_lw.id), "signed_on": LATER})
    html = response.get_data(as_text=True)
    errors = _errors(html)
    assert set(errors) == {"industry_code", "planned_investment", "signed_on"}
    assert "C25" in errors["industry_code"] and "zone-match" in html
    assert _count(session, Project) == before


def test_a_correction_emptied_says_required_and_keeps_the_project(world, client, session):
    p = world.project()
    login(client, "lingwu")
    html = page(client, f"/projects/{p.id}/edit")
    version = re.search(r'name="row_version" type="hidden" value="(\d+)"', html)[1]
    response = client.post(f"/projects/{p.id}/edit", data={
        "csrf_token": csrf_of(html), "row_version": version, "name": "", "investor_name": "某公司",
        "investor_credit_code": "", "industry_code": "C2614", "project_code": "",
        "planned_investment": "", "zone_id": str(world.zone_lw.id), "signed_on": "2023-12-01",
        "started_on": "2023-11-01", "reason": ""})
    assert response.status_code == 422
    errors = _errors(response.get_data(as_text=True))
    assert errors["name"] == errors["planned_investment"] == REQUIRED
    assert errors["investor_credit_code"] == "境内投资方必须填写"
    assert errors["started_on"].startswith("不能早于")  # construction before the signing
    assert errors["reason"] == "修改日期须填写修改原因"  # a date changes: why
    # every field right by the schema: the command's own problems, all at once
    response = client.post(f"/projects/{p.id}/edit", data={
        "csrf_token": csrf_of(html), "row_version": version, "name": "新名称",
        "investor_name": "某公司", "investor_credit_code": "", "industry_code": "C2614",
        "project_code": "", "planned_investment": "10.00", "zone_id": str(world.zone_lw.id),
        "signed_on": "2023-12-01", "started_on": "2023-12-05", "reason": ""})
    assert response.status_code == 422
    assert _errors(response.get_data(as_text=True)) == {
        "investor_credit_code": "境内投资方必须填写", "reason": "修改日期须填写修改原因"}
    session.rollback()
    assert session.get(Project, p.id).name == p.name


def test_an_agreement_edited_empty_says_required_beside_each_field(world, client, session):
    p = world.project()
    a = world.agreement(p, file=False)
    login(client, "lingwu")
    html = page(client, f"/agreements/{a.id}/edit")
    version = re.search(r'name="row_version" type="hidden" value="(\d+)"', html)[1]
    response = client.post(f"/agreements/{a.id}/edit", data={
        "csrf_token": csrf_of(html), "row_version": version} | EMPTY_AGREEMENT
        | {"first_year": "2022", "last_year": "2021", "receiver_signatory": "李四"})
    assert response.status_code == 422
    errors = _errors(response.get_data(as_text=True))
    assert errors == {"recommender_share": REQUIRED, "signed_on": REQUIRED,
                      "recommender_signatory": REQUIRED, "reason": REQUIRED,
                      "last_year": "不能早于起始年度",
                      "first_year": errors["first_year"]}
    assert "2023" in errors["first_year"]  # before the project was signed
    session.rollback()
    assert session.get(Agreement, a.id).newest.recommender_share == 3000


def test_the_funds_form_says_every_problem_at_once(world, client, session):
    p = world.project()
    login(client, "lingwu")
    response = post(client, f"/projects/{p.id}/funds", {
        "received_on": "", "amount": "0", "source": "", "payer": "", "note": ""},
        form_page=f"/projects/{p.id}")
    assert response.status_code == 422
    errors = _errors(response.get_data(as_text=True))
    assert errors["received_on"] == errors["source"] == errors["payer"] == REQUIRED
    assert errors["amount"].startswith("必须大于 0")  # the rule of the amount, with the others


def test_the_month_grid_shows_each_months_problem_in_its_cell(world, client, session):
    p = world.project(stage_on="2025-03-01")  # construction started in March 2025
    login(client, "lingwu")
    path = f"/projects/{p.id}/investments?year=2025"
    response = post(client, path, {"amount_01": "5.00", "amount_02": "1e3", "amount_04": "2.00",
                                   "note_04": "四月\x07"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    january, february = field_error(html, "amount_01"), field_error(html, "amount_02")
    assert january.startswith("2025-01：") and "2025-03" in january  # before the start, named
    assert html_unescape(february) == "2025-02：不能使用科学计数法（应写作\"1000\"，而非\"1e3\"）"
    assert field_error(html, "note_04").startswith("2025-04：")
    assert field_error(html, "amount_04") == ""
    for cell in ("amount_01", "amount_02", "note_04"):
        tag = re.search(rf'<input[^>]*id="{cell}"[^>]*>', html)[0]
        assert f'aria-describedby="{cell}-error"' in tag, tag
    alert = re.search(r'id="form-errors">(.*?)</div>', html, re.S)[1]
    assert "2025-01" in alert and "2025-02" in alert and "2025-04" in alert
    assert _count(session, InvestmentReport) == 0


def _import(client, data: bytes | None, name: str = "", kept: str | None = None):
    token = csrf_of(page(client, "/investments/import"))
    fields = {"csrf_token": token}
    if data is not None:
        fields["file"] = FileStorage(io.BytesIO(data), name)
    if kept is not None:
        fields["kept"] = kept
    body, content_type = multipart(fields)
    return client.post("/investments/import", data=body, content_type=content_type)


def _kept_token(html: str) -> str:
    return re.search(r'name="kept" value="([0-9a-f]+)"', html)[1]


def test_the_import_page_keeps_the_refused_file(world, client, session):
    p = world.project(stage="signed")  # not landed: no month can be reported yet
    login(client, "lingwu")
    refused = _import(client, csv_bytes([[p.id, "2025-04", "3.00", ""]], HEADERS_ZH), "四月.csv")
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "已选择文件：四月.csv（可重新选择）" in html
    token = _kept_token(html)
    again = _import(client, None, kept=token)  # no new file: the kept one, refused again
    assert again.status_code == 422 and 'id="row-2"' in again.get_data(as_text=True)
    assert _import(client, None).status_code == 422  # without naming it: choose a file
    drive.change_stage(world.ctx(world.lingwu), p.id, "under_construction", "2025-01-02")
    done = _import(client, None, kept=token)
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    assert _count(session, InvestmentReport) == 1
    assert "已选择文件" not in page(client, "/investments/import")  # forgotten once imported
    assert _import(client, None, kept=token).status_code == 422
    # another user never gets the file: the session names it, and the user
    refused = _import(client, csv_bytes([[p.id, "2099-01", "3.00", ""]], HEADERS_ZH), "x.csv")
    token = _kept_token(refused.get_data(as_text=True))
    login(client, "xingqing")
    assert "已选择文件" not in page(client, "/investments/import")
    assert _import(client, None, kept=token).status_code == 422
