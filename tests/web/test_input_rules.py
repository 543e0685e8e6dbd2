"""The text rule and safe redirects through the web pages, on both databases: a text no document can
print is refused beside its field in Chinese (a form, the import page), and `next` after logging in
or switching the language leads only to a path of this site, else to the dashboard."""

from __future__ import annotations

import io
import re

import pytest
from werkzeug.datastructures import FileStorage

from tests.factories import VALID_CREDIT_CODE
from tests.io.files import HEADERS_ZH, csv_bytes, multipart
from tests.web.support import csrf_of, field_error, login, page, post

# ------------------------------------------------------------------ where `next` may lead

# What a browser would be sent to, each time another site or a header cut in two.
FOREIGN = [
    "/\t/evil.example",            # what /login?next=/%09/evil.example carries: //evil.example
    "/%09/evil.example",           # the same, still encoded (decoded on the way)
    "/\n/evil.example",
    "//evil.example",
    "/\\evil.example",
    "/%5Cevil.example",
    "/%2F/evil.example",
    "/%252F/evil.example",         # encoded twice
    "http://evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    " /projects",
    "/projects\r\nSet-Cookie: session=x",
    "/projects%0d%0aSet-Cookie:%20session=x",
    "/projects\u2028x",
    "",
]
LOCAL = ["/projects", "/projects?year=2025&stage=signed", "/agreements/3", "/"]


def _login_to(client, target: str):
    token = csrf_of(page(client, "/login"))
    return client.post("/login", data={"csrf_token": token, "username": "lingwu",
                                       "password": "secret-pass", "next": target})


@pytest.mark.parametrize("target", FOREIGN, ids=[repr(t) for t in FOREIGN])
def test_logging_in_never_leads_to_another_site(world, client, target):
    response = _login_to(client, target)
    assert (response.status_code, response.headers["Location"]) == (302, "/dashboard")


@pytest.mark.parametrize("target", LOCAL)
def test_logging_in_leads_back_to_a_path_of_this_site(world, client, target):
    response = _login_to(client, target)
    assert (response.status_code, response.headers["Location"]) == (302, target)


def test_the_login_page_carries_a_foreign_next_only_to_refuse_it(world, client):
    """The whole way a browser goes: the link, the form's hidden field, the redirect."""
    html = page(client, "/login?next=/%09/evil.example")
    hidden = re.search(r'name="next" type="hidden" value="([^"]*)"', html)[1]
    response = client.post("/login", data={"csrf_token": csrf_of(html), "username": "lingwu",
                                           "password": "secret-pass", "next": hidden})
    assert response.headers["Location"] == "/dashboard"
    html = page(client, "/login?next=/projects%0d%0aSet-Cookie:%20a=b")
    assert client.post("/login", data={"csrf_token": csrf_of(html), "next": "/x\r\nA: b",
                                       "username": "lingwu", "password": "secret-pass"}
                       ).headers["Location"] == "/dashboard"


@pytest.mark.parametrize("target", FOREIGN, ids=[repr(t) for t in FOREIGN])
def test_the_language_switch_never_leads_to_another_site(world, client, target):
    # anonymous, as the 500 of a next with a line break was
    response = post(client, "/language", {"lang": "en", "next": target}, form_page="/login")
    assert (response.status_code, response.headers["Location"]) == (302, "/dashboard")
    assert "lang=en" in response.headers["Set-Cookie"]


@pytest.mark.parametrize("target", LOCAL)
def test_the_language_switch_leads_back_to_a_path_of_this_site(world, client, target):
    response = post(client, "/language", {"lang": "en", "next": target}, form_page="/login")
    assert (response.status_code, response.headers["Location"]) == (302, target)


# ------------------------------------------------------------------ texts no document can print

def test_a_project_name_no_document_can_print_is_refused_beside_the_field(world, client, session):
    login(client, "lingwu")
    form = {"investor_name": "某公司", "investor_credit_code": VALID_CREDIT_CODE,
            "industry_code": "C2614", "planned_investment": "100.00",
            "zone_id": str(world.zone_lw.id)}
    for name, message in (
            ("新材料\u202e项目", "不能包含 U+202E（第 4 个字符）：该字符会改变前后文字的显示方向"),
            ("新材料\x07项目", "不能包含控制字符 U+0007（第 4 个字符）"),
            ("新材料\U0002A6D6项目", "不能包含 U+2A6D6（第 4 个字符）：文书无法打印该字符")):
        response = post(client, "/projects/new", form | {"name": name})
        assert response.status_code == 422
        assert field_error(response.get_data(as_text=True), "name") == message
    assert "新材料" not in page(client, "/projects")
    response = post(client, "/projects/new", form | {"name": "刘䶮𠮷新材料项目"})
    assert response.status_code == 302
    assert "刘䶮𠮷新材料项目" in page(client, "/projects")


def test_a_reason_keeps_its_lines_but_no_other_control_character(world, client, session):
    a = world.agreement(world.project(), file=False)
    login(client, "xingqing")
    for reason, message in (("并非\x1b我区推荐", "不能包含控制字符 U+001B（第 3 个字符）"),
                            ("并非\ue000我区推荐", "不能包含 U+E000（第 3 个字符）：文书无法打印该字符")):
        html = page(client, f"/agreements/{a.id}/decline")
        version = re.search(r'name="row_version" type="hidden" value="(\d+)"', html)[1]
        response = client.post(f"/agreements/{a.id}/decline", data={
            "csrf_token": csrf_of(html), "row_version": version, "reason": reason})
        assert response.status_code == 422
        assert field_error(response.get_data(as_text=True), "reason") == message
    html = page(client, f"/agreements/{a.id}/decline")
    version = re.search(r'name="row_version" type="hidden" value="(\d+)"', html)[1]
    response = client.post(f"/agreements/{a.id}/decline", data={
        "csrf_token": csrf_of(html), "row_version": version, "reason": "并非我区推荐\r\n另见函件"})
    assert response.status_code == 302
    assert "并非我区推荐\n另见函件" in page(client, f"/agreements/{a.id}")


def test_the_import_page_refuses_a_note_no_document_can_print(world, client, session):
    p = world.project()
    world.agreement(p)
    login(client, "lingwu")
    token = csrf_of(page(client, "/investments/import"))
    data = csv_bytes([[p.id, "2025-01", "1.00", "一月"], [p.id, "2025-02", "2.00", "二月\u202e"]],
                     HEADERS_ZH)
    body, content_type = multipart({"csrf_token": token,
                                    "file": FileStorage(io.BytesIO(data), "reports.csv")})
    response = client.post("/investments/import", data=body, content_type=content_type)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    rows = re.findall(r'<tr id="row-\d+">(.*?)</tr>', html, re.S)
    assert len(rows) == 1 and "2025-02" in rows[0]
    errors = re.findall(r'class="field-error[^"]*">(.*?)</div>', rows[0], re.S)
    assert [e.strip() for e in errors] == [
        "不能包含 U+202E（第 3 个字符）：该字符会改变前后文字的显示方向"]
    assert ">1.00<" not in page(client, f"/projects/{p.id}/investments?year=2025")
