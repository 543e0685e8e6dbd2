"""CSV and XLSX exports of /attribution and /attribution/projects (docs/api.md): the same
figures as the JSON to the 0.01万元, reconciled, as of the same time; Excel-ready files."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import unquote

import pytest

from ledger.domain.periods import beijing_text
from ledger.domain.vocabulary import STATEMENT_NOTICE

from tests.io.files import read_csv_export, read_xlsx_export

FIGURES = ("in_place", "ceded", "credited", "attributed")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def beijing(as_of: str) -> str:
    """The API's UTC as-of time as a sheet prints it: '2026年1月2日 11:04:05（北京时间）'."""
    return beijing_text(datetime.fromisoformat(as_of.replace("Z", "+00:00")))


class Demo:
    """The demo province on one backend, with a logged-in client per user."""

    def __init__(self, backend):
        self.logins = {u: p for u, p, _ in backend.restore("demo")}
        self.client = backend.app.test_client()
        self.tokens: dict[str, str] = {}

    def get(self, user: str, path: str, **query):
        if user not in self.tokens:
            r = self.client.post("/api/v1/auth/token",
                                 json={"username": user, "password": self.logins[user]})
            self.tokens[user] = r.json["access_token"]
        return self.client.get(f"/api/v1{path}", query_string=query,
                               headers={"Authorization": f"Bearer {self.tokens[user]}"})

    def put(self, user: str, path: str, body):
        self.get(user, "/me")
        return self.client.put(f"/api/v1{path}", json=body,
                               headers={"Authorization": f"Bearer {self.tokens[user]}"})


@pytest.fixture
def demo(backend, app):
    return Demo(backend)


def _amount(value) -> str:
    """A cell as the JSON writes the amount: CSV text as is, an XLSX number with two decimals."""
    return value if isinstance(value, str) else f"{value:.2f}"


def _read(fmt: str, data: bytes) -> dict:
    return read_csv_export(data) if fmt == "csv" else read_xlsx_export(data)


def _as_json(fmt: str, data: bytes) -> dict:
    """An attribution export read back into the JSON's shape."""
    read = _read(fmt, data)
    assert read["header"] == ["地区代码", "地区名称", "层级", "上级地区代码", "口径",
                              "在地统计数（万元）", "划出数（万元）", "划入数（万元）", "分算后数（万元）"]
    *regions, total, check, difference = read["rows"]
    assert total[1] == "合计（全部地区）" and check[1].startswith("核对") and difference[1].startswith("差额")
    return {
        "facts": read["facts"], "title": read["title"],
        "regions": [{"code": r[0], "name": r[1], "parent_code": r[3] or None,
                     "rolled_up": r[4] == "含下级合计"}
                    | {f: _amount(v) for f, v in zip(FIGURES, r[5:9])} for r in regions],
        "totals": {f: _amount(v) for f, v in zip(FIGURES, total[5:9])},
        "reconciliation": {"in_place": _amount(check[5]), "attributed": _amount(check[8]),
                           "difference": _amount(difference[8])},
    }


def _json_regions(body) -> list[dict]:
    return [{k: r[k] for k in ("code", "name", "parent_code", "rolled_up", *FIGURES)}
            for r in body["regions"]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_attribution_export_equals_the_json(demo, fmt):
    body = demo.get("tongji", "/attribution", year=2025).json
    as_of = body["as_of"]
    r = demo.get("tongji", "/attribution", year=2025, as_of=as_of, format=fmt)
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    exported = _as_json(fmt, r.data)
    assert exported["regions"] == _json_regions(body)
    assert exported["totals"] == body["totals"]
    assert exported["reconciliation"] == body["reconciliation"]
    assert body["reconciliation"]["difference"] == "0.00"
    assert exported["title"] == "2025年度招商引资投资分算汇总表"
    assert exported["facts"]["考核年度"] == "2025"
    assert exported["facts"]["数据截至"] == beijing(as_of)
    assert exported["facts"]["说明"] == STATEMENT_NOTICE  # in Chinese only: no English in a sheet
    # it reconciles: the rows that are not roll-ups sum to the totals, Σ attributed = Σ in place
    own = [row for row in exported["regions"] if not row["rolled_up"]]
    for figure in FIGURES:
        assert sum(int(row[figure].replace(".", "")) for row in own) == \
            int(exported["totals"][figure].replace(".", ""))
    assert exported["totals"]["attributed"] == exported["totals"]["in_place"] != "0.00"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_as_of_export_equals_the_as_of_json(demo, fmt):
    before = demo.get("tongji", "/attribution", year=2026).json
    as_of = before["as_of"]
    project = next(p for p in demo.get("lingwu", "/projects").json if p["stage"] != "signed")
    r = demo.put("lingwu", f"/projects/{project['id']}/investments/2026-01",
                 {"amount": "98765.43"})
    assert r.status_code == 200, r.json
    now = demo.get("tongji", "/attribution", year=2026).json
    assert now["totals"] != before["totals"]  # something changed after as_of
    then_json = demo.get("tongji", "/attribution", year=2026, as_of=as_of).json
    assert then_json["totals"] == before["totals"]
    then_file = _as_json(fmt, demo.get("tongji", "/attribution", year=2026, as_of=as_of,
                                       format=fmt).data)
    assert then_file["regions"] == _json_regions(then_json)
    assert then_file["totals"] == then_json["totals"]
    assert then_file["facts"]["数据截至"] == beijing(as_of)
    current = _as_json(fmt, demo.get("tongji", "/attribution", year=2026, format=fmt).data)
    assert current["totals"] == now["totals"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_project_lines_export_equals_the_json(demo, fmt):
    body = demo.get("tongji", "/attribution/projects", year=2025).json
    assert len(body["projects"]) >= 3
    r = demo.get("tongji", "/attribution/projects", year=2025, as_of=body["as_of"], format=fmt)
    read = _read(fmt, r.data)
    *lines, total, check = read["rows"]
    exported = [{"project_id": int(row[0]), "project_name": row[1], "host_code": row[2],
                 "recommender_code": row[3] or None, "agreement_number": row[4] or None,
                 "version": int(row[5]) if row[5] not in (None, "") else None,
                 "recommender_share": _amount(row[6]) if row[6] not in (None, "") else None,
                 "amount": _amount(row[7]), "recommender_part": _amount(row[8]),
                 "host_part": _amount(row[9])} for row in lines]
    assert exported == body["projects"]
    assert [_amount(v) for v in total[7:10]] == [
        _sum(body["projects"], k) for k in ("amount", "recommender_part", "host_part")]
    assert _amount(check[9]) == "0.00"
    assert read["facts"]["说明"] == STATEMENT_NOTICE


def _sum(lines, key) -> str:
    cents = sum(int(line[key].replace(".", "")) for line in lines)
    return f"{cents // 100}.{cents % 100:02d}"


def test_csv_is_utf8_with_bom_and_chinese_headers(demo):
    r = demo.get("tongji", "/attribution", year=2025, format="csv")
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.data.startswith(b"\xef\xbb\xbf" + "2025年度招商引资投资分算汇总表".encode())
    assert "地区代码,地区名称,层级" in r.data.decode("utf-8-sig")
    assert b"\r\n" in r.data


@pytest.mark.parametrize("path,indicator,name", [
    ("/attribution", "completed_investment", "2025年度招商引资投资分算汇总表"),
    ("/attribution", "funds_in_place", "2025年度招商引资实际到位资金分算汇总表"),
    ("/attribution/projects", "completed_investment", "2025年度招商引资项目分算明细表"),
])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_download_has_a_chinese_filename_in_beijing_time(demo, path, indicator, name, fmt):
    r = demo.get("tongji", path, year=2025, as_of="2026-01-02T03:04:05Z", format=fmt,
                 indicator=indicator)
    disposition = r.headers["Content-Disposition"]
    match = re.fullmatch(r'attachment; filename="([!-~]+)"; filename\*=UTF-8\'\'([A-Za-z0-9%._-]+)',
                         disposition)
    assert match, disposition
    assert match[1].endswith(f"-asof-20260102T110405+0800.{fmt}")
    if fmt == "xlsx":  # every line, completed investment's first: named after it
        name = name.replace("实际到位资金", "投资")
    assert unquote(match[2]) == f"{name}-截至2026年1月2日11时04分05秒.{fmt}"
    assert re.search(r"[A-Za-z]", unquote(match[2]).removesuffix(f".{fmt}")) is None
    assert r.mimetype == ("text/csv" if fmt == "csv" else XLSX)


def test_the_xlsx_is_laid_out_for_a_person(demo):
    body = demo.get("tongji", "/attribution", year=2025).json
    read = read_xlsx_export(demo.get("tongji", "/attribution", year=2025, format="xlsx").data)
    sheet = read["sheet"]
    header_row = read["header_row"]
    assert sheet.freeze_panes == f"A{header_row + 1}"  # title, facts and header stay in view
    assert sheet.cell(row=header_row, column=1).font.bold
    first = header_row + 1
    for offset, region in enumerate(body["regions"]):
        row = first + offset
        assert sheet.cell(row=row, column=1).value == region["code"]
        assert sheet.cell(row=row, column=6).number_format == "#,##0.00"
        assert sheet.cell(row=row, column=6).data_type == "n"
        assert bool(sheet.cell(row=row, column=2).font.bold) == region["rolled_up"]
        depth = {"province": 0, "prefecture": 1}.get(region["level"], 1 if region["level"] == "committee" else 2)
        assert sheet.row_dimensions[row].outline_level == depth
    prefectures = [r for r in body["regions"] if r["level"] == "prefecture"]
    assert prefectures and all(r["rolled_up"] for r in prefectures)  # the subtotals
    total_row = first + len(body["regions"])
    assert sheet.cell(row=total_row, column=2).value == "合计（全部地区）"
    assert sheet.cell(row=total_row, column=2).font.bold
    assert read["facts"]["说明"] == STATEMENT_NOTICE


def test_a_region_exports_only_its_own_rows_and_the_totals(demo):
    body = demo.get("lingwu", "/attribution", year=2025).json
    exported = _as_json("csv", demo.get("lingwu", "/attribution", year=2025,
                                        as_of=body["as_of"], format="csv").data)
    assert [r["code"] for r in exported["regions"]] == ["640181"] == [r["code"] for r in body["regions"]]
    assert exported["totals"] == body["totals"]
    other = demo.get("lingwu", "/attribution", year=2025, region="640105", format="csv")
    assert other.status_code == 403 and other.json["error"] == "forbidden.attribution_region"


def test_bad_queries_are_refused_like_the_json(demo):
    r = demo.get("tongji", "/attribution", year=2025, format="pdf")
    assert r.status_code == 422 and r.json["errors"]["query"]["format"]
    r = demo.get("tongji", "/attribution", year=2025, format="csv", as_of="2999-01-01T00:00:00Z")
    assert r.status_code == 422 and r.json["error_codes"]["query"]["as_of"] == ["as_of.future"]


def test_the_openapi_document_describes_the_formats(client):
    spec = client.get("/api/v1/openapi.json").json
    for path in ("/api/v1/attribution", "/api/v1/attribution/projects"):
        operation = spec["paths"][path]["get"]
        fmt = next(p for p in operation["parameters"] if p["name"] == "format")
        assert fmt["schema"]["enum"] == ["json", "csv", "xlsx"]
        assert set(operation["responses"]["200"]["content"]) == {"application/json", "text/csv", XLSX}
        assert "Content-Disposition" in operation["responses"]["200"]["headers"]
    for kind in ("investments", "funds"):
        upload = spec["paths"][f"/api/v1/{kind}/import"]["post"]
        assert upload["requestBody"]["content"]["multipart/form-data"]["schema"]["required"] == ["file"]
        assert "errors.file" in upload["description"]
        template = spec["paths"][f"/api/v1/{kind}/import/template"]["get"]
        assert set(template["responses"]["200"]["content"]) == {XLSX, "text/csv"}
    column_doc = spec["paths"]["/api/v1/funds/import"]["post"]["requestBody"]["content"][
        "multipart/form-data"]["schema"]["properties"]["file"]["description"]
    assert "`received_on` (到账日期)" in column_doc and "`period`" not in column_doc
