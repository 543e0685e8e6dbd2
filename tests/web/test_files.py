"""Files through the web pages, on both databases: importing a month of reports (every bad row
shown beside what it holds, nothing written), the import template, the attribution table as
CSV and XLSX for the as-of time the page showed."""

from __future__ import annotations

import io
import re
from urllib.parse import unquote

import openpyxl
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from ledger.domain import limits
from ledger.io.imports import template_csv
from ledger.models import FundsReceipt, InvestmentReport
from tests.io.files import (
    HEADERS_ZH, bound_the_reader, csv_bytes, multipart, sparse_xlsx, xlsx_bytes)
from tests.web.support import csrf_of, login, page

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def upload(client, data: bytes, name: str = "reports.csv"):
    token = csrf_of(page(client, "/investments/import"))
    body, content_type = multipart({"csrf_token": token, "file": FileStorage(io.BytesIO(data), name)})
    return client.post("/investments/import", data=body, content_type=content_type)


def report_count(session) -> int:
    session.rollback()
    return session.scalar(sa.select(sa.func.count()).select_from(InvestmentReport))


def test_the_host_imports_a_file_and_sees_the_months(world, client, session):
    p = world.project()
    world.agreement(p)
    login(client, "lingwu")
    data = xlsx_bytes([[p.id, "2025-01", 10.05, "一月"], [p.id, "2025-02", "7.00", None]], HEADERS_ZH)
    response = upload(client, data, "一月二月.xlsx")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    html = page(client, "/investments/import")
    assert "读取 2 行" in html or "2 行" in html  # the summary, in Chinese
    grid = page(client, f"/projects/{p.id}/investments?year=2025")
    assert ">10.05<" in grid and ">7.00<" in grid
    again = upload(client, data, "一月二月.xlsx")  # the same file twice adds nothing
    assert again.status_code == 302
    assert report_count(session) == 2


def test_every_bad_row_is_shown_beside_its_content_and_nothing_is_written(world, client, session):
    p = world.project()
    login(client, "lingwu")
    rows = [[p.id, "2025-01", "1.00", ""], [p.id, "2025-13", "2.00", ""],
            [p.id, "2025-03", "3.005", "三月"], [999999, "2025-04", "4.00", ""]]
    response = upload(client, csv_bytes(rows, HEADERS_ZH, bom=True))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "3 行" in html  # "3 row(s) of the file are invalid; nothing was imported", in Chinese
    assert 'id="row-2"' not in html  # rows as the spreadsheet shows them: the header is row 1
    for number, content in ((3, "2025-13"), (4, "3.005"), (5, "999999")):
        row = re.search(rf'<tr id="row-{number}">(.*?)</tr>', html, re.S)
        assert row, number
        assert f'<span class="cell-value">{content}</span>' in row[1]
        errors = re.findall(r'class="field-error[^"]*">(.*?)</div>', row[1], re.S)
        assert errors and all(CHINESE.search(e) for e in errors), (number, errors)
    assert "三月" in html  # the row's other cells are shown too
    assert report_count(session) == 0


def test_a_file_without_a_needed_column_or_without_a_file(world, client, session):
    login(client, "lingwu")
    html = upload(client, csv_bytes([["1", "2025-01"]], ["项目ID", "期间"])).get_data(as_text=True)
    assert "完成投资(万元)" in html and "<table class=\"table table-sm table-bordered" not in html
    token = csrf_of(page(client, "/investments/import"))
    empty = client.post("/investments/import", data={"csrf_token": token},
                        content_type="multipart/form-data")
    assert empty.status_code == 422 and "选择" in empty.get_data(as_text=True)
    assert report_count(session) == 0


def test_a_file_above_the_form_limit_is_read_and_one_above_the_import_limit_is_refused(
        world, client, session, monkeypatch):
    p = world.project()
    login(client, "lingwu")
    filler = "说明" * 400  # an extra column the import ignores: the file passes 1 MiB
    rows = [[p.id, "2025-13", "1.00", "", filler] for _ in range(700)]
    data = csv_bytes(rows, [*HEADERS_ZH, "说明"])
    assert limits.REQUEST_BODY_MAX < len(data) < limits.IMPORT_FILE_MAX
    response = upload(client, data)
    assert response.status_code == 422  # read and checked, not refused for its size
    assert "显示前" in response.get_data(as_text=True) or "前 200" in response.get_data(as_text=True)
    monkeypatch.setattr(limits, "IMPORT_REQUEST_MAX", 64 * 1024)  # a small body, same path
    token = csrf_of(page(client, "/investments/import"))
    body, content_type = multipart({"csrf_token": token,
                                    "file": FileStorage(io.BytesIO(b"x" * (100 * 1024)), "a.csv")})
    huge = client.post("/investments/import", data=body, content_type=content_type)
    assert huge.status_code == 413 and CHINESE.search(huge.get_data(as_text=True))
    assert report_count(session) == 0


def test_the_import_page_is_for_regions_and_the_statistics_bureau(world, client):
    login(client, "shangwu")
    assert client.get("/investments/import").status_code == 403
    assert "/investments/import" not in page(client, "/dashboard")
    login(client, "tongji")
    assert 'href="/investments/import"' in page(client, "/dashboard")


def test_the_import_template_downloads(world, client):
    login(client, "lingwu")
    for fmt, mimetype in (("csv", "text/csv"), ("xlsx", "application/vnd.openxmlformats")):
        response = client.get(f"/investments/import/template.{fmt}")
        assert response.status_code == 200 and response.mimetype.startswith(mimetype)
        disposition = unquote(response.headers["Content-Disposition"])
        assert f"完成投资导入模板.{fmt}" in disposition
    # the file is the template itself (its headers: tests/io/test_tables.py)
    assert client.get("/investments/import/template.csv").data == template_csv()
    assert client.get("/investments/import/template.pdf").status_code == 404


FUNDS_ZH = ["项目ID", "到账日期", "到位资金(万元)", "资金来源", "出资方", "备注"]


def upload_funds(client, data: bytes, name: str = "funds.csv"):
    token = csrf_of(page(client, "/funds/import"))
    body, content_type = multipart({"csrf_token": token, "file": FileStorage(io.BytesIO(data), name)})
    return client.post("/funds/import", data=body, content_type=content_type)


def receipt_count(session) -> int:
    session.rollback()
    return session.scalar(sa.select(sa.func.count()).select_from(FundsReceipt))


def test_the_import_page_offers_both_kinds_each_with_its_template(world, client):
    login(client, "lingwu")
    for path, other, template in (("/investments/import", "/funds/import", "/investments"),
                                  ("/funds/import", "/investments/import", "/funds")):
        html = page(client, path)
        current = re.search(r'<a class="nav-link active" href="([^"]+)" aria-current="page">', html)
        assert current and current[1] == path
        assert f'href="{other}"' in html
        assert all(f'href="{template}/import/template.{fmt}"' in html for fmt in ("xlsx", "csv"))
    funds = page(client, "/funds/import")
    assert "到位资金" in funds and "资金来源" in funds and "出资方" in funds and "期间" not in funds


def test_the_host_imports_receipts_and_a_bad_row_is_shown_beside_its_content(world, client,
                                                                              session):
    p = world.project()
    login(client, "lingwu")
    bad = upload_funds(client, csv_bytes([[p.id, "2025-03-15", "1.00", "境外", "某公司", "首笔"],
                                          [p.id, "2025-03-16", "1.005", "国内", "某公司", ""]],
                                         FUNDS_ZH, bom=True))
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    row = re.search(r'<tr id="row-3">(.*?)</tr>', html, re.S)
    assert row and '<span class="cell-value">国内</span>' in row[1]
    errors = re.findall(r'class="field-error[^"]*">(.*?)</div>', row[1], re.S)
    assert len(errors) == 2 and all(CHINESE.search(e) for e in errors)
    assert 'id="row-2"' not in html and receipt_count(session) == 0
    good = upload_funds(client, xlsx_bytes([[p.id, "2025-03-15", 1, "境外", "某公司", "首笔"],
                                            [p.id, "2025-03-15", 1, "境外", "某公司", None]],
                                           FUNDS_ZH), "到位资金.xlsx")
    assert good.status_code == 302 and good.headers["Location"].endswith("/funds/import")
    assert "2 行" in page(client, "/funds/import")
    assert receipt_count(session) == 2  # two receipts on one day are two receipts


def test_the_funds_import_page_is_for_regions_and_the_statistics_bureau(world, client):
    login(client, "shangwu")
    assert client.get("/funds/import").status_code == 403
    assert client.get("/funds/import/template.xlsx").status_code == 200
    login(client, "tongji")
    assert client.get("/funds/import").status_code == 200


def test_the_funds_import_template_downloads(world, client):
    login(client, "lingwu")
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/funds/import/template.{fmt}")
        assert response.status_code == 200
        assert f"到位资金导入模板.{fmt}" in unquote(response.headers["Content-Disposition"])
    text = client.get("/funds/import/template.csv").data.decode("utf-8-sig")
    assert text.splitlines()[0] == "项目ID,项目代码,到账日期,到位资金(万元),资金来源,出资方,备注"
    assert client.get("/funds/import/template.pdf").status_code == 404


def test_the_attribution_table_downloads_as_shown(world, client, session):
    p = world.project()
    world.agreement(p)
    world.report(p, "2025-01", "10.05")
    login(client, "tongji")
    html = page(client, "/attribution?year=2025")
    links = re.findall(r'href="(/attribution/(?:regions|projects)\.(?:csv|xlsx)\?[^"]+)"', html)
    assert len(links) == 4
    world.report(p, "2025-02", "100.00")  # after the page was shown: not in its files
    csv_link = next(link for link in links if "/regions.csv" in link).replace("&amp;", "&")
    text = client.get(csv_link).data.decode("utf-8-sig")
    assert "7.04" in text and "3.01" in text and "100.00" not in text
    xlsx_link = next(link for link in links if "/projects.xlsx" in link).replace("&amp;", "&")
    book = openpyxl.load_workbook(io.BytesIO(client.get(xlsx_link).data))
    values = [c for row in book.active.iter_rows(values_only=True) for c in row if c is not None]
    assert any(str(v) == "10.05" for v in values)
    assert client.get("/attribution/regions.csv?year=12").status_code == 400  # outside the ledger
    assert client.get("/attribution/regions.txt?year=2025").status_code == 404
    assert client.get("/attribution/users.csv?year=2025").status_code == 404


def test_a_shifted_row_is_shown_with_its_spreadsheet_number_and_nothing_is_written(world, client,
                                                                                   session):
    """The GB18030 row with an unquoted thousands separator, under a blank line; the
    header is row 1, so the row is 3, and the page says which column overflows."""
    p = world.project()
    login(client, "lingwu")
    data = (f"项目ID,项目代码,期间,完成投资(万元),备注\r\n\r\n{p.id},,2025-06,1,234.00,千分位\r\n"
            ).encode("gb18030")
    response = upload(client, data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="row-2"' not in html
    row = re.search(r'<tr id="row-3">(.*?)</tr>', html, re.S)
    assert row and re.search(r'<th scope="row">3</th>', row[1])
    errors = re.findall(r'class="field-error[^"]*">(.*?)</div>', row[1], re.S)
    assert len(errors) == 1 and "F" in errors[0] and CHINESE.search(errors[0]), errors
    assert "表头" in errors[0]
    assert report_count(session) == 0


def test_a_row_numbered_two_billion_is_refused_on_the_page(world, client, session, monkeypatch):
    p = world.project()
    login(client, "lingwu")
    read = bound_the_reader(monkeypatch)
    response = upload(client, sparse_xlsx([p.id, "2025-03", 1, None]), "r.xlsx")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    alert = re.search(r'<div class="alert alert-danger"[^>]*>(.*?)</div>', html, re.S)
    assert alert and str(limits.IMPORT_ROWS) in alert[1] and CHINESE.search(alert[1]), alert
    assert read == [1, 2_000_000_000] and report_count(session) == 0
