"""POST /investments/import and its template over HTTP (docs/api.md): multipart upload, the 422
body naming each bad row, size limits, hostile files — never a 5xx, nothing written."""

from __future__ import annotations

import io
import zipfile

import pytest
from werkzeug.datastructures import FileStorage

from ledger.domain import limits
from tests.io.files import (
    HEADERS_ZH, bound_the_reader, csv_bytes, multipart, sparse_xlsx, xlsx_bytes)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(env, actor: str, data: bytes, name: str = "reports.csv", headers=None):
    body, content_type = multipart({"file": FileStorage(io.BytesIO(data), name)})
    return env.as_(actor).post("/investments/import", headers=headers, data=body,
                               content_type=content_type)


def reports(env, actor="host", year=2025):
    return env.as_(actor).get(f"/projects/{env.ids['p_filed']}/investments", query_string={"year": year}).json


def test_a_good_file(seeded):
    p = seeded.ids["p_filed"]
    r = upload(seeded, "host", csv_bytes([[p, "2025-01", "10.05", ""], [p, "2025-03", "7.00", "三月"],
                                          [p, "2025-02", "11.00", "更正"]], HEADERS_ZH))
    assert r.status_code == 200, r.json
    assert r.json == {"rows": 3, "created": 1, "revised": 1, "unchanged": 1, "postings": 4}
    assert [(x["period"], x["revision"], x["amount"]) for x in reports(seeded)] == [
        ("2025-01", 1, "10.05"), ("2025-02", 1, "10.05"), ("2025-02", 2, "11.00"),
        ("2025-03", 1, "7.00")]
    totals = seeded.as_("statistics").get("/attribution?year=2025").json
    assert totals["totals"]["in_place"] == "28.05" and totals["reconciliation"]["difference"] == "0.00"


def test_bad_rows_are_each_named_and_nothing_is_written(seeded):
    p, unlanded = seeded.ids["p_filed"], seeded.ids["p_unlanded"]
    before = seeded.state()
    r = upload(seeded, "host", csv_bytes([[p, "2025-03", "1.00", ""],
                                          [p, "2025-04", "1.005", ""],
                                          [unlanded, "2025-04", "1.00", ""],
                                          [99999, "2025-13", "abc", ""]]))
    assert r.status_code == 422
    body = r.json
    assert (body["code"], body["status"], body["error"]) == (422, "Unprocessable Entity",
                                                             "import.invalid_rows")
    assert body["message"] == "3 row(s) of the file are invalid; nothing was imported"
    assert body["error_codes"] == {"file": {  # the header is row 1, the first data row 2
        "3": {"amount": ["amount.too_many_decimals"]},
        "4": {"project_id": ["report.not_landed"]},
        "5": {"period": ["period.shape"], "amount": ["amount.not_a_number"]},
    }}
    assert body["errors"]["file"]["3"]["amount"] == [
        "must have at most two decimal places (got 3); it is not rounded"]
    assert seeded.state() == before


def test_another_regions_project_reads_like_a_missing_one(seeded):
    hidden, before = seeded.ids["p_free"], seeded.state()
    r = upload(seeded, "bystander", csv_bytes([[hidden, "2025-03", "1.00", ""],
                                               [99999, "2025-03", "1.00", ""]]))
    assert r.status_code == 422
    file_errors = r.json["errors"]["file"]
    assert file_errors["2"]["project_id"] == [f"project {hidden} not found"]
    assert file_errors["3"]["project_id"] == ["project 99999 not found"]
    assert seeded.state() == before


@pytest.mark.parametrize("actor,status", [("admin", 403), ("commerce", 403), ("anon", 401)])
def test_who_may_not_import(seeded, actor, status):
    r = upload(seeded, actor, csv_bytes([[seeded.ids["p_filed"], "2025-03", "1.00", ""]]))
    assert r.status_code == status and r.json["code"] == status


def test_the_statistics_bureau_may_import(seeded):
    r = upload(seeded, "statistics", csv_bytes([[seeded.ids["p_filed"], "2025-03", "1.00", ""]]))
    assert r.status_code == 200 and r.json["created"] == 1


@pytest.mark.parametrize("data,code", [
    (b"", "import.empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "import.not_a_table"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "import.xls"),
    ("项目ID,期间\r\n".encode("utf-16"), "import.bad_encoding"),
    (b"PK\x03\x04garbage", "import.bad_xlsx"),
    (csv_bytes([]), "import.no_rows"),
])
def test_unreadable_files_are_coded_422(seeded, data, code):
    before = seeded.state()
    r = upload(seeded, "host", data)
    assert r.status_code == 422, r.json
    assert r.json["error"] == code and r.json["error_codes"] == {"file": {"_schema": [code]}}
    assert seeded.state() == before


def test_a_missing_column_is_named(seeded):
    r = upload(seeded, "host", csv_bytes([["1", "2025-01"]], ["项目ID", "期间"]))
    assert r.status_code == 422
    assert r.json["error_codes"] == {"file": {"header": {"amount": ["import.missing_column"]}}}


def test_no_file_field(seeded):
    body, content_type = multipart({"other": "x"})
    r = seeded.as_("host").post("/investments/import", data=body, content_type=content_type)
    assert r.status_code == 422 and r.json["error_codes"] == {"file": {"_schema": ["import.no_file"]}}
    r = seeded.as_("host").post("/investments/import", json={"file": "x"})
    assert r.status_code == 422 and r.json["error"] == "import.no_file"


def test_a_zip_bomb_disguised_as_xlsx(seeded):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(limits.XLSX_UNCOMPRESSED_MAX // 2**20 + 1):
                member.write(b"\0" * 2**20)
    r = upload(seeded, "host", out.getvalue(), "reports.xlsx")
    assert r.status_code == 422 and r.json["error"] == "import.xlsx_bomb"


def test_the_file_limit_is_larger_than_the_json_limit(seeded):
    """A JSON request above 1 MiB is refused (413); an import file of 2 MiB is read."""
    big_json = {"name": "x" * (limits.REQUEST_BODY_MAX + 10)}
    r = seeded.as_("host").post("/projects", json=big_json)
    assert r.status_code == 413 and r.json["code"] == 413
    p = seeded.ids["p_filed"]
    padding = ["备" * 40_000] * 20  # columns the import does not read
    data = csv_bytes([[p, "2025-03", "1.00", "", *padding]],
                     ["project_id", "period", "amount", "note", *(f"附注{i}" for i in range(20))])
    assert len(data) > 2 * limits.REQUEST_BODY_MAX
    r = upload(seeded, "host", data)
    assert r.status_code == 200, r.json
    assert r.json["created"] == 1


def test_a_file_above_the_import_limit_is_413(seeded, monkeypatch):
    monkeypatch.setattr(limits, "IMPORT_REQUEST_MAX", 64 * 1024)
    before = seeded.state()
    r = upload(seeded, "host", b"x" * (100 * 1024))
    assert r.status_code == 413
    assert r.json["error"] == "import.too_large" and r.json["code"] == 413
    assert r.json["error_codes"] == {"file": {"_schema": ["import.too_large"]}}
    assert seeded.state() == before


def test_an_idempotent_upload_replays(seeded):
    data = csv_bytes([[seeded.ids["p_filed"], "2025-03", "1.00", ""]])
    first = upload(seeded, "host", data, headers={"Idempotency-Key": "import-1"})
    again = upload(seeded, "host", data, headers={"Idempotency-Key": "import-1"})
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotency-Replayed"] == "true" and again.json == first.json
    other = upload(seeded, "host", csv_bytes([[seeded.ids["p_filed"], "2025-04", "1.00", ""]]),
                   headers={"Idempotency-Key": "import-1"})
    assert other.status_code == 422


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_template_downloads_and_imports_back(seeded, fmt):
    r = seeded.as_("host").get("/investments/import/template", query_string={"format": fmt})
    assert r.status_code == 200
    assert r.mimetype == (XLSX if fmt == "xlsx" else "text/csv")
    assert "filename*=UTF-8''%E5%AE%8C%E6%88%90%E6%8A%95%E8%B5%84" in r.headers["Content-Disposition"]
    p = seeded.ids["p_filed"]
    if fmt == "csv":
        data = r.data + f"{p},,2025-03,12.34,模板\r\n".encode()
    else:
        import openpyxl
        book = openpyxl.load_workbook(io.BytesIO(r.data))
        book.worksheets[0].append([p, None, "2025-03", 12.34, "模板"])
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
    done = upload(seeded, "host", data, f"template.{fmt}")
    assert done.status_code == 200, done.json
    assert done.json["created"] == 1
    assert reports(seeded)[-1]["amount"] == "12.34"


def test_xlsx_upload(seeded):
    p = seeded.ids["p_filed"]
    r = upload(seeded, "host", xlsx_bytes([[p, "2025-03", 1234.56, "三月"]], HEADERS_ZH), "r.xlsx")
    assert r.status_code == 200 and r.json["created"] == 1
    assert reports(seeded)[-1]["amount"] == "1234.56"


# ------------------------------------------------------------------ rows as they stand

def test_a_thousands_separator_that_shifts_a_row_is_refused_and_nothing_is_written(seeded):
    """A GB18030 file with a shifted row: `1,234.00` unquoted made six cells under five headers;
    the row was written as 1.00 with the note 234.00. It is refused, naming column F."""
    p = seeded.ids["p_filed"]
    before = seeded.state()
    data = f"project_id,project_code,period,amount,note\r\n{p},,2025-06,1,234.00,千分位\r\n".encode(
        "gb18030")
    r = upload(seeded, "host", data)
    assert r.status_code == 422, r.json
    assert r.json["error"] == "import.invalid_rows"
    assert r.json["error_codes"] == {"file": {"2": {"_schema": ["import.extra_cells"]}}}
    assert r.json["errors"]["file"]["2"]["_schema"][0].startswith(
        "the row has values right of the header's last column (column F)")
    assert seeded.state() == before
    # the same row without the separator fits the header, and is read as written
    fixed = data.replace(b",1,234.00,", b",1234.00,")
    assert upload(seeded, "host", fixed).status_code == 200
    assert [(x["period"], x["amount"], x["note"]) for x in reports(seeded)
            if x["period"] == "2025-06"] == [("2025-06", "1234.00", "千分位")]


def test_an_xlsx_with_a_value_right_of_the_header_is_refused(seeded):
    p, before = seeded.ids["p_filed"], seeded.state()
    data = xlsx_bytes([[p, "2025-03", 1.0, None], [p, "2025-04", 1, "四月", None, None, 234]],
                      HEADERS_ZH)
    r = upload(seeded, "host", data, "r.xlsx")
    assert r.status_code == 422
    assert r.json["error_codes"] == {"file": {"3": {"_schema": ["import.extra_cells"]}}}
    assert "(column G)" in r.json["errors"]["file"]["3"]["_schema"][0]
    assert seeded.state() == before


def test_rows_are_numbered_as_the_spreadsheet_shows_them(seeded):
    """The header is row 1; a blank line in the middle still takes a number."""
    p = seeded.ids["p_filed"]
    data = f"project_id,period,amount,note\r\n{p},2025-03,1.00,\r\n\r\n{p},2025-04,1.005,\r\n"
    r = upload(seeded, "host", data.encode())
    assert r.status_code == 422
    assert r.json["error_codes"] == {"file": {"4": {"amount": ["amount.too_many_decimals"]}}}
    r = upload(seeded, "host", xlsx_bytes([[p, "2025-03", 1.005, None]]), "r.xlsx")
    assert r.json["error_codes"] == {"file": {"2": {"amount": ["amount.too_many_decimals"]}}}


def test_a_row_numbered_two_billion_is_refused_at_once(seeded, monkeypatch):
    """A sparse workbook: the reader used to walk two billion empty rows (a worker held for
    hours)."""
    read = bound_the_reader(monkeypatch)
    before = seeded.state()
    r = upload(seeded, "host", sparse_xlsx([seeded.ids["p_filed"], "2025-03", 1, None]), "r.xlsx")
    assert r.status_code == 422, r.json
    assert r.json["error_codes"] == {"file": {"_schema": ["import.too_many_rows"]}}
    assert r.json["errors"]["file"]["_schema"] == [
        f"the file goes on more than {limits.IMPORT_ROWS} rows below its header (blank rows "
        "count); split it into smaller files"]
    assert read == [1, 2_000_000_000] and seeded.state() == before
