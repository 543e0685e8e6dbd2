"""`ledger export` and `ledger import` (the README's command table) on both databases."""

from __future__ import annotations

import json
import re

import pytest

from ledger.domain import limits
from tests.api.test_exports import Demo
from tests.io.files import HEADERS_ZH, bound_the_reader, csv_bytes, read_xlsx_export, sparse_xlsx


@pytest.fixture
def demo(backend, app):
    return Demo(backend)


def test_export_json_and_csv_equal_the_api(demo, runner, tmp_path):
    as_of = demo.get("tongji", "/attribution", year=2025).json["as_of"]
    api_json = demo.get("tongji", "/attribution", year=2025, as_of=as_of).json
    result = runner.invoke(args=["export", "--year", "2025", "--as-of", as_of, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == api_json
    api_csv = demo.get("tongji", "/attribution", year=2025, as_of=as_of, format="csv").data
    out = tmp_path / "a.csv"
    result = runner.invoke(args=["export", "--year", "2025", "--as-of", as_of, "--format", "csv",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == api_csv  # the same bytes: the same read model at the same time
    lines = demo.get("tongji", "/attribution/projects", year=2025, as_of=as_of).json
    result = runner.invoke(args=["export", "--year", "2025", "--as-of", as_of, "--format", "json",
                                 "--projects"])
    assert json.loads(result.stdout) == lines


def test_export_xlsx_to_a_file(demo, runner, tmp_path):
    out = tmp_path / "a.xlsx"
    result = runner.invoke(args=["export", "--year", "2025", "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    read = read_xlsx_export(out.read_bytes())
    assert read["title"] == "2025年度招商引资投资分算汇总表"
    assert read["rows"][-3][1] == "合计（全部地区）"


@pytest.mark.parametrize("args,says", [
    (["--year", "1800", "--format", "csv"], "year"),
    (["--year", "2025", "--format", "csv", "--as-of", "2999-01-01T00:00:00Z"], "as_of"),
    (["--year", "2025", "--format", "csv", "--as-of", "yesterday"], "as_of"),
])
def test_export_refuses_bad_input(app, runner, args, says):
    result = runner.invoke(args=["export", *args])
    assert result.exit_code == 1 and f"error: {says}:" in result.output


def test_import_with_a_progress_bar(demo, runner, tmp_path):
    project = next(p for p in demo.get("lingwu", "/projects").json if p["stage"] != "signed")
    path = tmp_path / "reports.csv"
    path.write_bytes(csv_bytes([[project["id"], "2025-11", "12.34", "十一月"],
                                [project["id"], "2025-12", "0.07", ""]], HEADERS_ZH,
                               encoding="gb18030"))
    result = runner.invoke(args=["import", str(path), "--user", "lingwu"])
    assert result.exit_code == 0, result.output
    assert "importing" in result.stderr
    assert re.fullmatch(r"imported 2 rows: (\d) created, (\d) revised, 0 unchanged; \d+ postings",
                        result.stdout.strip())
    again = runner.invoke(args=["import", str(path), "--user", "lingwu"])
    assert "2 unchanged; 0 postings" in again.stdout
    reports = demo.get("lingwu", f"/projects/{project['id']}/investments", year=2025).json
    newest = {}
    for r in reports:  # oldest revision first
        newest[r["period"]] = (r["amount"], r["note"])
    assert (newest["2025-11"], newest["2025-12"]) == (("12.34", "十一月"), ("0.07", ""))


def test_import_lists_every_bad_row_and_writes_nothing(demo, runner, tmp_path, backend):
    from tests.helpers import db_state
    project = next(p for p in demo.get("lingwu", "/projects").json if p["stage"] != "signed")
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([[project["id"], "2025-11", "12.345", ""],
                                [project["id"], "2025-13", "1", ""], [1, "2025-01", "1", ""]]))
    with backend.engine.connect() as conn:
        before = db_state(conn)
    result = runner.invoke(args=["import", str(path), "--user", "lingwu"])
    assert result.exit_code == 1
    assert "error: 3 row(s) of the file are invalid; nothing was imported" in result.stderr
    # numbered as the spreadsheet shows them: the header is row 1
    assert "row 2: amount: must have at most two decimal places (got 3)" in result.stderr
    assert "row 3: period: must be a month YYYY-MM" in result.stderr
    assert "row 4: project_id: project 1 not found" in result.stderr  # 宁东's project
    with backend.engine.connect() as conn:
        assert db_state(conn) == before


@pytest.mark.parametrize("user,says", [("nobody", "no active user nobody"),
                                       ("shangwu", "your role may not import")])
def test_import_needs_an_importing_user(demo, runner, tmp_path, user, says):
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes([[1, "2025-01", "1", ""]]))
    result = runner.invoke(args=["import", str(path), "--user", user])
    assert result.exit_code == 1 and says in result.stderr


def test_import_of_an_unreadable_file(demo, runner, tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"PK\x03\x04 not a workbook")
    result = runner.invoke(args=["import", str(path), "--user", "lingwu"])
    assert result.exit_code == 1
    assert "file: the XLSX workbook cannot be read" in result.stderr


def test_import_refuses_a_shifted_row_naming_its_spreadsheet_row(demo, runner, tmp_path, backend):
    """A shifted row: `1,234.00` unquoted under five headers; the header is line 1, a blank line
    follows, so the shifted row is row 3."""
    from tests.helpers import db_state
    project = next(p for p in demo.get("lingwu", "/projects").json if p["stage"] != "signed")
    path = tmp_path / "shifted.csv"
    path.write_bytes(("project_id,project_code,period,amount,note\r\n\r\n"
                      f"{project['id']},,2025-06,1,234.00,千分位\r\n").encode("gb18030"))
    with backend.engine.connect() as conn:
        before = db_state(conn)
    result = runner.invoke(args=["import", str(path), "--user", "lingwu"])
    assert result.exit_code == 1
    assert ("  row 3: the row has values right of the header's last column (column F)"
            in result.stderr)
    with backend.engine.connect() as conn:
        assert db_state(conn) == before


def test_import_refuses_a_row_numbered_two_billion_at_once(demo, runner, tmp_path, monkeypatch):
    path = tmp_path / "sparse.xlsx"
    path.write_bytes(sparse_xlsx([1, "2025-03", 1, None]))
    read = bound_the_reader(monkeypatch)
    result = runner.invoke(args=["import", str(path), "--user", "lingwu"])
    assert result.exit_code == 1
    assert (f"file: the file goes on more than {limits.IMPORT_ROWS} rows below its header"
            in result.stderr)
    assert read == [1, 2_000_000_000]


FUNDS_ZH = ["项目ID", "到账日期", "到位资金(万元)", "资金来源", "出资方", "备注"]


def test_import_funds_with_a_progress_bar(demo, runner, tmp_path):
    project = next(p for p in demo.get("lingwu", "/projects").json if p["stage"] != "cancelled")
    before = len(demo.get("lingwu", f"/projects/{project['id']}/funds").json)
    path = tmp_path / "funds.csv"
    path.write_bytes(csv_bytes([[project["id"], "2025-11-03", "12.34", "境外", "香港某公司", "首笔"],
                                [project["id"], "2025-11-03", "0.07", "domestic", "某公司", ""]],
                               FUNDS_ZH, encoding="gb18030"))
    result = runner.invoke(args=["import", "--funds", str(path), "--user", "lingwu"])
    assert result.exit_code == 0, result.output
    assert "importing" in result.stderr
    assert re.fullmatch(r"imported 2 rows: 2 receipts recorded; [1-9]\d* postings",
                        result.stdout.strip())
    got = demo.get("lingwu", f"/projects/{project['id']}/funds").json
    assert len(got) == before + 2
    assert {(r["amount"], r["source"], r["payer"]) for r in got} >= {
        ("12.34", "foreign", "香港某公司"), ("0.07", "domestic", "某公司")}


def test_import_funds_lists_every_bad_row_and_writes_nothing(demo, runner, tmp_path, backend):
    from tests.helpers import db_state
    project = next(p for p in demo.get("lingwu", "/projects").json if p["stage"] != "cancelled")
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([[project["id"], "2025-11-03", "0", "境外", "某公司", ""],
                                [project["id"], "2025-11-31", "1", "境外", "某公司", ""],
                                [project["id"], "2025-11-03", "1", "国内", "某公司", ""]], FUNDS_ZH))
    with backend.engine.connect() as conn:
        before = db_state(conn)
    result = runner.invoke(args=["import", "--funds", str(path), "--user", "lingwu"])
    assert result.exit_code == 1
    assert "error: 3 row(s) of the file are invalid; nothing was imported" in result.stderr
    assert "  row 2: amount: must be more than 0" in result.stderr
    assert "  row 3: received_on: " in result.stderr
    assert "  row 4: source: " in result.stderr
    with backend.engine.connect() as conn:
        assert db_state(conn) == before
    # a report file is not a funds file: its columns are named
    reports = tmp_path / "reports.csv"
    reports.write_bytes(csv_bytes([[project["id"], "2025-11", "1", ""]], HEADERS_ZH))
    result = runner.invoke(args=["import", "--funds", str(reports), "--user", "lingwu"])
    assert result.exit_code == 1 and "header: received_on:" in result.stderr
