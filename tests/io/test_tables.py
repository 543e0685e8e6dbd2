"""Reading uploaded files (ledger.io.tables, ledger.io.imports): encodings, delimiters, headers,
exact cells, and every way a file can be unreadable — each a coded 4xx, never an exception."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest

from ledger.domain import limits
from ledger.domain.errors import Invalid, TooLarge
from ledger.io.imports import read_import, template_csv, template_xlsx
from ledger.io.tables import cell_text
from tests.io.files import (
    HEADERS_EN, HEADERS_ZH, bound_the_reader, csv_bytes, renumber_rows, replace_member,
    sparse_xlsx, xlsx_bytes)

ROWS = [["7", "2025-01", "1234.56", "一月"], ["7", "2025-02", "0.07", ""]]


def codes(err: Invalid) -> dict:
    """errors.file with the stable codes instead of texts."""
    def walk(value):
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return [m.code for m in value]
    return walk(err.errors["file"])


def refused(data: bytes, exc=Invalid) -> Invalid:
    with pytest.raises(exc) as info:
        read_import(data, "x")
    assert type(info.value) is exc
    return info.value


def loaded(data: bytes):
    upload = read_import(data, "upload.csv")
    return [(r.row, r.project_id, r.period, r.amount, r.note) for r in upload.rows], upload.refused


EXPECTED = [(2, 7, "2025-01", 123456, "一月"), (3, 7, "2025-02", 7, "")]  # the header is row 1


def _file(variant: str, header: list[str]) -> bytes:
    if variant == "xlsx":  # the cells as a spreadsheet types them
        return xlsx_bytes([[7, "2025-01", 1234.56, "一月"], [7, "2025-02", 0.07, None]], header)
    return csv_bytes(ROWS, header, encoding="gb18030" if variant == "gb18030" else "utf-8",
                     bom=variant == "utf8-bom")


@pytest.mark.parametrize("header", [HEADERS_EN, HEADERS_ZH,
                                    ["PROJECT_ID", " Period ", "Amount", "Note"],
                                    ["项目ID", "期间", "完成投资（万元）", "备注"]],
                         ids=["english", "chinese", "case-and-spaces", "full-width-parentheses"])
@pytest.mark.parametrize("variant", ["utf8", "utf8-bom", "gb18030", "xlsx"])
def test_headers_in_every_encoding_and_format(header, variant):
    assert loaded(_file(variant, header)) == (EXPECTED, {})


def test_gb18030_is_what_excel_on_chinese_windows_writes():
    """Chinese text in GB18030 is not valid UTF-8: the fallback decodes it."""
    data = csv_bytes([["7", "2025-01", "1.00", "宁东基地一月进度款"]], HEADERS_ZH, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    rows, _ = loaded(data)
    assert rows == [(2, 7, "2025-01", 100, "宁东基地一月进度款")]


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_other_delimiters_are_told_by_the_header(delimiter):
    assert loaded(csv_bytes(ROWS, HEADERS_ZH, delimiter=delimiter)) == (EXPECTED, {})


def test_xlsx_reads_the_first_sheet_exactly():
    data = xlsx_bytes([[7, "2025-01", 1234.56, "一月"], [7.0, datetime(2025, 2, 1), 0.07, None]],
                      HEADERS_ZH)
    assert loaded(data) == (EXPECTED, {})


def test_project_code_instead_of_id_and_extra_columns_ignored():
    data = csv_bytes([["某项目", "2023-640000-26-03-004512", "2025-01", "5"]],
                     ["项目名称", "项目代码", "期间", "完成投资(万元)"])
    upload = read_import(data)
    assert [(r.project_id, r.project_code, r.amount) for r in upload.rows] == [
        (None, "2023-640000-26-03-004512", 500)]


def test_blank_rows_are_skipped_but_keep_their_numbers():
    """Lines 1 (header), 2, 3 (",,,"), 4 (empty), 5: numbered as the spreadsheet shows them."""
    data = csv_bytes([ROWS[0], ["", "", "", ""], [], ROWS[1]], HEADERS_EN)
    rows, problems = loaded(data)
    assert [r[0] for r in rows] == [2, 5] and problems == {}


def test_row_problems_name_the_row_and_field_with_the_api_rules():
    data = csv_bytes([ROWS[0],
                      ["7", "2025-13", "1.505", ""],
                      ["", "2025-01", "1e3", ""],
                      ["x", "2025-01", "-1", "n" * 501],
                      ["7", "", "", ""]], HEADERS_EN)
    rows, problems = loaded(data)
    assert [r[0] for r in rows] == [2]
    as_codes = {n: {f: [m.code for m in ms] for f, ms in p.items()} for n, p in problems.items()}
    assert as_codes == {
        3: {"period": ["period.shape"], "amount": ["amount.too_many_decimals"]},
        4: {"amount": ["amount.exponent"]},
        5: {"project_id": ["field.not_an_integer"], "amount": ["amount.negative"],
            "note": ["text.too_long"]},
        6: {"period": ["field.required"], "amount": ["field.required"]},
    }


def test_a_row_without_a_project_is_refused():
    rows, problems = loaded(csv_bytes([["", "2025-01", "1", ""]]))
    assert rows == [] and [m.code for m in problems[2]["project_id"]] == ["import.project_missing"]


def test_an_overlong_cell_is_refused_before_any_parser_sees_it():
    rows, problems = loaded(csv_bytes([["7", "2025-01", "1" * 5000, ""]]))
    assert [m.code for m in problems[2]["amount"]] == ["text.too_long"]


# ------------------------------------------------------------------ exact XLSX cells

@pytest.mark.parametrize("value,text", [
    (1234.56, "1234.56"), (0.07, "0.07"), (0.1 + 0.2, "0.30000000000000004"), (3.015, "3.015"),
    (1e-05, "0.00001"), (1e16, "10000000000000000"), (999999999999.99, "999999999999.99"),
    (1000000000000.0, "1000000000000.0"), (12, "12"), (True, "TRUE"), (None, None),
    ("  12.50 ", "12.50"), ("", None), (datetime(2025, 3, 1), "2025-03"),
    (datetime(2025, 3, 15), "2025-03-15T00:00:00"),
])
def test_cell_text_is_exact(value, text):
    assert cell_text(value) == text


@pytest.mark.parametrize("value,text", [
    (datetime(2025, 3, 1), "2025-03-01"), (datetime(2025, 3, 15), "2025-03-15"),
    (datetime(2025, 3, 15, 9, 30), "2025-03-15T09:30:00"), ("2025-03-15", "2025-03-15"),
])
def test_a_date_column_reads_a_date_cell_as_its_day(value, text):
    """到账日期: Excel's date cell is its day, never the month a period column would make of the
    first; a time of day stays in the text, which the date field refuses."""
    assert cell_text(value, day=True) == text


def test_every_two_decimal_amount_survives_a_double_exactly():
    """What Excel stores for a typed amount is a double; reading it back gives the amount."""
    import random
    rng = random.Random(8)
    for _ in range(20000):
        units = rng.randrange(0, 10**14 + 1)
        typed = f"{units // 100}.{units % 100:02d}"
        assert cell_text(float(typed)).rstrip("0").rstrip(".") == typed.rstrip("0").rstrip(".")


def test_xlsx_amount_with_more_decimals_is_refused_not_rounded():
    """3.015 typed, and 0.30000000000000004 as Excel writes a formula's result (17 digits)."""
    data = xlsx_bytes([[7, "2025-01", 3.015, None], [7, "2025-02", 0.5, None]])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert sheet.count(b"<v>0.5</v>") == 1
    data = replace_member(data, "xl/worksheets/sheet1.xml",
                          sheet.replace(b"<v>0.5</v>", b"<v>0.30000000000000004</v>"))
    rows, problems = loaded(data)
    assert rows == []
    assert [m.code for m in problems[2]["amount"]] == ["amount.too_many_decimals"]
    assert [m.code for m in problems[3]["amount"]] == ["amount.too_many_decimals"]


def test_xlsx_formula_without_a_cached_value_is_a_missing_amount():
    rows, problems = loaded(xlsx_bytes([[7, "2025-01", "=1+1", None]]))
    assert [m.code for m in problems[2]["amount"]] == ["field.required"]


def test_xlsx_with_a_wrong_dimension_is_read_to_its_last_row():
    data = xlsx_bytes([[7, f"2025-{m:02d}", m, None] for m in range(1, 13)])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b'<dimension ref="A1:D13" />' in sheet
    sheet = sheet.replace(b'<dimension ref="A1:D13" />', b'<dimension ref="A1:A1" />')
    rows, _ = loaded(replace_member(data, "xl/worksheets/sheet1.xml", sheet))
    assert len(rows) == 12


# ------------------------------------------------------------------ unreadable files

def test_empty_and_header_only():
    assert codes(refused(b"")) == {"_schema": ["import.empty"]}
    assert codes(refused(b" \r\n\r\n")) == {"_schema": ["import.empty"]}
    assert codes(refused(csv_bytes([]))) == {"_schema": ["import.no_rows"]}
    assert codes(refused(xlsx_bytes([]))) == {"_schema": ["import.no_rows"]}
    empty_sheet = xlsx_bytes([], header=[])
    assert codes(refused(empty_sheet)) == {"_schema": ["import.empty"]}


def test_missing_and_doubled_columns():
    err = refused(csv_bytes([["7", "2025-01"]], ["project_id", "period"]))
    assert codes(err) == {"header": {"amount": ["import.missing_column"]}}
    assert "完成投资(万元)" in err.errors["file"]["header"]["amount"][0]
    err = refused(csv_bytes([["2025-01", "1"]], ["period", "amount"]))
    assert codes(err) == {"header": {"project_id": ["import.no_project_column"]}}
    err = refused(csv_bytes([["7", "2025-01", "1", "2"]], ["project_id", "period", "amount", "完成投资(万元)"]))
    assert codes(err) == {"header": {"amount": ["import.duplicate_column"]}}


@pytest.mark.parametrize("data,code", [
    ("项目ID,期间\r\n".encode("utf-16"), "import.bad_encoding"),
    (b"project_id,period,amount\r\n7,2025-01,\xff\xfe\xfa\r\n", "import.bad_encoding"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "import.not_a_table"),
    (b"%PDF-1.7\n\x00\x01\x02", "import.not_a_table"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "import.xls"),
    (b"PK\x03\x04 this is not really a zip", "import.bad_xlsx"),
    (b'project_id,period,amount\r\n7,"2025-01,1\r\n', "import.bad_csv"),
])
def test_unreadable_files(data, code):
    assert codes(refused(data)) == {"_schema": [code]}


def test_a_zip_that_is_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert codes(refused(out.getvalue())) == {"_schema": ["import.bad_xlsx"]}


def test_a_zip_bomb_is_refused_unopened(monkeypatch):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            zeros = b"0" * 2**20
            for _ in range(limits.XLSX_UNCOMPRESSED_MAX // 2**20 + 1):
                member.write(zeros)
    data = out.getvalue()
    assert len(data) < 2 * 2**20
    opened = []
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: opened.append(1))
    assert codes(refused(data)) == {"_schema": ["import.xlsx_bomb"]}
    assert opened == []


def test_a_zip_that_lies_about_its_sizes_is_refused():
    """A member declared small that inflates to more: zipfile reads no further than declared
    and its CRC check fails — a 4xx, not a hang."""
    data = bytearray(xlsx_bytes([[7, "2025-01", 1, None]]))
    name = b"xl/worksheets/sheet1.xml"
    at = data.find(b"PK\x01\x02")  # the central directory's records
    while at != -1:
        length = int.from_bytes(data[at + 28:at + 30], "little")
        if bytes(data[at + 46:at + 46 + length]) == name:
            data[at + 24:at + 28] = (100).to_bytes(4, "little")  # uncompressed size
            break
        at = data.find(b"PK\x01\x02", at + 4)
    assert at != -1
    assert codes(refused(bytes(data))) == {"_schema": ["import.bad_xlsx"]}


def test_an_xml_entity_bomb_is_refused():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                       for i in range(1, 10))
            + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
              b"</sheetData></worksheet>")
    data = replace_member(xlsx_bytes([[7, "2025-01", 1, None]]), "xl/worksheets/sheet1.xml", bomb)
    assert codes(refused(data)) == {"_schema": ["import.bad_xlsx"]}


def test_too_many_rows(monkeypatch):
    monkeypatch.setattr(limits, "IMPORT_ROWS", 3)
    assert loaded(csv_bytes(ROWS * 1 + [ROWS[0]]))[0]  # 3 rows: fine
    err = refused(csv_bytes(ROWS * 2))
    assert codes(err) == {"_schema": ["import.too_many_rows"]}
    assert "3" in err.errors["file"]["_schema"][0]


def test_too_large(monkeypatch):
    monkeypatch.setattr(limits, "IMPORT_FILE_MAX", 1000)
    err = refused(csv_bytes(ROWS * 40), TooLarge)
    assert err.status == 413 and codes(err) == {"_schema": ["import.too_large"]}


# ------------------------------------------------------------------ the template

@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_has_the_chinese_headers_and_no_rows(fmt):
    data = template_csv() if fmt == "csv" else template_xlsx()
    if fmt == "csv":
        assert data == "\ufeff项目ID,项目代码,期间,完成投资(万元),备注\r\n".encode()
    else:
        import openpyxl
        sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
        assert [c.value for c in sheet[1]] == ["项目ID", "项目代码", "期间", "完成投资(万元)", "备注"]
    with pytest.raises(Invalid) as info:
        read_import(data)
    assert codes(info.value) == {"_schema": ["import.no_rows"]}


def test_the_funds_template_has_its_columns_and_formats_dates():
    import openpyxl
    from ledger.io.imports import FUNDS
    assert template_csv(FUNDS) == "\ufeff项目ID,项目代码,到账日期,到位资金(万元),资金来源,出资方,备注\r\n".encode()
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx(FUNDS)))
    sheet = book.worksheets[0]
    assert sheet.title == "到位资金" and sheet["C2"].number_format == "yyyy-mm-dd"
    assert sheet["D2"].number_format == "0.00" and sheet["E2"].number_format == "@"
    assert [r[0].value for r in book.worksheets[1].iter_rows(min_row=2, max_row=8)] == [
        "项目ID", "项目代码", "到账日期", "到位资金(万元)", "资金来源", "出资方", "备注"]


def test_the_xlsx_template_keeps_periods_as_text():
    import openpyxl
    sheet = openpyxl.load_workbook(io.BytesIO(template_xlsx())).worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert sheet["C2"].number_format == "@" and sheet["B2"].number_format == "@"
    assert sheet["D2"].number_format == "0.00"


# ------------------------------------------------------------------ rows that do not fit the header

HEADER5 = ["project_id", "project_code", "period", "amount", "note"]


def test_a_thousands_separator_shifts_a_row_and_the_row_is_refused():
    """A shifted row: `1,234.00` unquoted is two cells, the note moves to column F. The
    row was read as amount 1 with note "234.00"; it is refused whole, none of its cells read."""
    data = "project_id,project_code,period,amount,note\r\n6,,2026-06,1,234.00,千分位\r\n".encode(
        "gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    rows, problems = loaded(data)
    assert rows == []
    assert {n: {f: [m.code for m in ms] for f, ms in p.items()} for n, p in problems.items()} == {
        2: {"_schema": ["import.extra_cells"]}}
    assert problems[2]["_schema"][0].params == {"columns": "F"}
    assert "(column F)" in str(problems[2]["_schema"][0])


def test_only_the_rows_that_overflow_are_refused_and_blank_cells_beyond_are_fine():
    data = csv_bytes([["7", "", "2025-01", "1.00", "", "", "  "],      # blank beyond: fine
                      ["7", "", "2025-02", "1", "234.00", "千分位", "", "x"],
                      ["7", "", "2025-03", "2.00", "三月"]], HEADER5)
    rows, problems = loaded(data)
    assert [(r[0], r[2], r[3]) for r in rows] == [(2, "2025-01", 100), (4, "2025-03", 200)]
    assert list(problems) == [3] and problems[3]["_schema"][0].params == {"columns": "F, H"}


def test_a_header_with_unnamed_columns_between_keeps_them_under_it():
    """A blank header cell inside the header is a column without a name (ignored, as any
    column not read); only what lies right of the last named one overflows."""
    data = csv_bytes([["7", "旁注", "2025-01", "1.00"]], ["project_id", "", "period", "amount"])
    rows, problems = loaded(data)
    assert [(r[0], r[3]) for r in rows] == [(2, 100)] and problems == {}


def test_many_overflowing_columns_are_counted_beyond_the_first_five():
    data = csv_bytes([["7", "2025-01", "1", "", *"abcdefg"]], HEADERS_EN)
    _, problems = loaded(data)
    assert problems[2]["_schema"][0].params == {"columns": "E, F, G, H, I … (7)"}


def test_xlsx_with_a_value_right_of_the_header_is_refused():
    data = xlsx_bytes([[7, "2025-01", 1234.56, "一月"], [7, "2025-02", 1, None, None, 234]],
                      HEADERS_ZH)
    rows, problems = loaded(data)
    assert [r[0] for r in rows] == [2]
    assert [m.code for m in problems[3]["_schema"]] == ["import.extra_cells"]
    assert problems[3]["_schema"][0].params == {"columns": "F"}


def test_xlsx_with_a_value_far_right_beyond_the_columns_read_is_refused():
    """A cell in column BH (60, beyond limits.IMPORT_COLUMNS) is seen all the same."""
    import openpyxl
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS_EN)
    sheet.append([7, "2025-01", 1, None])
    sheet.cell(row=2, column=60, value="x")
    out = io.BytesIO()
    workbook.save(out)
    rows, problems = loaded(out.getvalue())
    assert rows == [] and problems[2]["_schema"][0].params == {"columns": "BH"}


# ------------------------------------------------------------------ row numbers

def test_csv_rows_are_numbered_as_the_spreadsheet_shows_them():
    """A blank line above the header, a blank line between rows and a quoted note holding a
    line break (one row in a spreadsheet, two lines in the file)."""
    data = ("\r\nproject_id,period,amount,note\r\n7,2025-01,1.00,\"两行\r\n备注\"\r\n\r\n"
            "7,2025-02,1.005,\r\n").encode()
    rows, problems = loaded(data)
    assert [r[0] for r in rows] == [3] and rows[0][4] == "两行\n备注"  # a note keeps LF only
    assert list(problems) == [5]


def test_xlsx_rows_are_numbered_by_the_row_they_are_in():
    """Empty rows above the header and between the rows (absent from the file's XML): the
    numbers Excel shows."""
    import openpyxl
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([])
    sheet.append([])
    sheet.append(HEADERS_EN)
    sheet.append([7, "2025-01", 1, None])
    sheet.append([])
    sheet.append([7, "2025-02", 1.005, None])
    out = io.BytesIO()
    workbook.save(out)
    rows, problems = loaded(out.getvalue())
    assert [r[0] for r in rows] == [4] and list(problems) == [6]


def test_xlsx_rows_out_of_order_are_a_damaged_file():
    data = renumber_rows(xlsx_bytes([[7, "2025-01", 1, None], [7, "2025-02", 1, None]]),
                         {3: 2})
    assert codes(refused(data)) == {"_schema": ["import.bad_xlsx"]}


# ------------------------------------------------------------------ every row counts

def test_blank_rows_count_against_the_limit(monkeypatch):
    monkeypatch.setattr(limits, "IMPORT_ROWS", 3)
    assert loaded(csv_bytes([ROWS[0], [], ROWS[1]]))[0]  # rows 2-4: three below the header
    err = refused(csv_bytes([ROWS[0], [], [], ROWS[1]]))
    assert codes(err) == {"_schema": ["import.too_many_rows"]}
    xlsx = xlsx_bytes([[7, "2025-01", 1, None], [7, "2025-02", 1, None]])
    assert loaded(renumber_rows(xlsx, {3: 4}))[0]
    assert codes(refused(renumber_rows(xlsx, {3: 5}))) == {"_schema": ["import.too_many_rows"]}


def test_a_row_numbered_two_billion_is_refused_at_once(monkeypatch):
    """A small workbook whose one data row is numbered 2,000,000,000 made
    the reader walk two billion empty rows. It is refused after the rows the file holds."""
    data = sparse_xlsx([6, "2026-06", 1275.63, None])
    assert len(data) < 8000
    read = bound_the_reader(monkeypatch)
    err = refused(data)
    assert codes(err) == {"_schema": ["import.too_many_rows"]}
    assert read == [1, 2_000_000_000]
    assert str(limits.IMPORT_ROWS) in err.errors["file"]["_schema"][0]


def test_a_header_numbered_beyond_the_limit_is_refused(monkeypatch):
    """Rows above the header count too: a header on row 100,001 is refused at once."""
    data = renumber_rows(xlsx_bytes([[7, "2025-01", 1, None]]),
                         {1: limits.IMPORT_ROWS + 1, 2: limits.IMPORT_ROWS + 2})
    read = bound_the_reader(monkeypatch)
    assert codes(refused(data)) == {"_schema": ["import.too_many_rows"]}
    assert read == [limits.IMPORT_ROWS + 1]
