"""Writing sheets (ledger.io.sheets): exact amounts in XLSX, formula-like text neutralized."""

from __future__ import annotations

import io

import openpyxl

from ledger.io.sheets import Column, Kind, Row, RowKind, Sheet, to_csv, to_xlsx
from tests.io.files import read_csv_export, read_xlsx_export, xlsx_numbers


def sheet(*rows: Row) -> Sheet:
    return Sheet("表", "标题", [("考核年度", "2025")],
                 [Column("名称", Kind.TEXT), Column("比例", Kind.SHARE), Column("金额", Kind.AMOUNT),
                  Column("编号", Kind.INT)], list(rows))


AMOUNTS = [7, 30, 123456, 100_000_000_000_000, -301, 0, 99_999_999_999_999]


def test_xlsx_stores_the_exact_decimal_text_of_each_amount():
    data = to_xlsx(sheet(*[Row(["x", 3000, units, 1]) for units in AMOUNTS]))
    stored = xlsx_numbers(data)
    first = read_xlsx_export(data)["header_row"] + 1
    assert [stored[f"C{first + i}"] for i in range(len(AMOUNTS))] == [
        "0.07", "0.30", "1234.56", "1000000000000.00", "-3.01", "0.00", "999999999999.99"]
    assert all(stored[f"B{first + i}"] == "30.00" for i in range(len(AMOUNTS)))
    # openpyxl's own float writer would have stored 0.07 as 0.07000000000000001
    assert "%.16g" % 0.07 == "0.07000000000000001"
    read = read_xlsx_export(data)
    assert [f"{r[2]:.2f}" for r in read["rows"]] == [
        "0.07", "0.30", "1234.56", "1000000000000.00", "-3.01", "0.00", "999999999999.99"]
    cell = read["sheet"].cell(row=first, column=3)
    assert cell.number_format == "#,##0.00" and cell.data_type == "n"


def test_a_figure_beyond_fifteen_digits_is_text_in_xlsx():
    data = to_xlsx(sheet(Row(["x", None, 12_345_678_901_234_567, None])))
    read = read_xlsx_export(data)
    assert read["rows"][0][2] == "123456789012345.67"


def test_formula_like_text_is_neutralized():
    rows = [Row(["=HYPERLINK(\"http://x\")", None, 1, None]), Row(["+1", None, 2, None]),
            Row(["@SUM(A1)", None, 3, None]), Row(["-2", None, 4, None]),
            Row(["普通\x01名称", None, 5, None])]
    csv_read = read_csv_export(to_csv(sheet(*rows)))
    assert [r[0] for r in csv_read["rows"]] == [
        "'=HYPERLINK(\"http://x\")", "'+1", "'@SUM(A1)", "'-2", "普通名称"]
    assert [r[2] for r in csv_read["rows"]] == ["0.01", "0.02", "0.03", "0.04", "0.05"]
    data = to_xlsx(sheet(*rows))
    book = openpyxl.load_workbook(io.BytesIO(data))
    values = [r[0] for r in read_xlsx_export(data)["rows"]]
    assert values == ["=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)", "-2", "普通名称"]
    first = read_xlsx_export(data)["header_row"] + 1
    assert book.worksheets[0].cell(row=first, column=1).data_type == "s"  # not a formula


def test_csv_has_a_bom_crlf_and_the_facts_above_the_header():
    data = to_csv(sheet(Row(["甲", 3333, 1001, 7], RowKind.SUBTOTAL), Row(["合计", None, 1001, None],
                                                                           RowKind.TOTAL)))
    assert data.startswith("\ufeff标题\r\n考核年度,2025\r\n\r\n名称,比例,金额,编号\r\n".encode())
    assert read_csv_export(data)["rows"] == [["甲", "33.33", "10.01", "7"], ["合计", "", "10.01", ""]]
