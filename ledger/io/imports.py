"""Import files of monthly reports: from the uploaded bytes to the typed input of
ledger.commands.imports, and the template to fill in.

Columns (docs/api.md), in any order, headers in English or Chinese (compared after NFKC, without
spaces, case-insensitively — see tables.normalize_header):

    project_id    项目ID             the project's id            } at least one of the two
    project_code  项目代码           its GB/T 40058 code          }
    period        期间               the month, YYYY-MM
    amount        完成投资(万元)      the month's completed investment, at most two decimals
    note          备注               optional, up to 500 characters

Other columns under the header are ignored (a person may keep the project's name beside its
id); a value right of the header's last column is not: its row does not fit the header (an
unquoted "1,234.00" is two cells, and every cell after it one column off), so the row is refused
as a whole (`import.extra_cells`, naming those columns) and none of its cells is read. Each
other row is loaded through the request schema `ImportRowRequest`, so a cell is refused exactly
as the same value would be in PUT /projects/{id}/investments/{period}; problems are collected
for every row, then the command adds those that need the database. Rows are numbered as the
spreadsheet shows them (see ledger.io.tables).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from marshmallow import ValidationError

from ledger.commands.inputs import ImportFile, ReportRow
from ledger.domain import limits
from ledger.domain.errors import LOCATION, Invalid, Problem
from ledger.io.sheets import CSV_MIMETYPE, XLSX_MIMETYPE, Export
from ledger.io.tables import (
    Table, cell_text, column_letters, normalize_header, read_table)
from ledger.schemas.requests import ImportRowRequest


@dataclass(frozen=True)
class Column:
    field: str
    english: str
    chinese: str
    required: bool


COLUMNS = (
    Column("project_id", "project_id", "项目ID", False),
    Column("project_code", "project_code", "项目代码", False),
    Column("period", "period", "期间", True),
    Column("amount", "amount", "完成投资(万元)", True),
    Column("note", "note", "备注", False),
)
PROJECT_COLUMNS = ("project_id", "project_code")
HEADER_NAMES = {normalize_header(name): column.field
                for column in COLUMNS for name in (column.english, column.chinese)}

_SCHEMA = ImportRowRequest()
ROW = "_schema"      # where a problem of a row as a whole goes: errors.file[row]._schema
EXTRA_NAMED = 5      # columns named by import.extra_cells; more are counted


def read_import(data: bytes, name: str = "") -> ImportFile:
    """The rows of an import file and the problems of those the request rules refuse; Invalid
    for a file that cannot be read at all or lacks a column."""
    return import_of(read_import_table(data), data, name)


def read_import_table(data: bytes) -> Table:
    """The table of an import file, its cells as read (the known headers tell a CSV's
    delimiter); Invalid for a file that cannot be read at all."""
    return read_table(data, HEADER_NAMES.keys())


def import_of(table: Table, data: bytes, name: str = "") -> ImportFile:
    """The rows of an import file read into `table` (a caller that shows bad rows beside their
    cells keeps the table); Invalid when a column is missing or doubled."""
    positions = columns_of(table.header)
    rows: list[ReportRow] = []
    refused: dict[int, dict[str, list]] = {}
    for number, cells in table.rows:
        if number in table.extra:
            refused[number] = {ROW: [extra_cells(table.extra[number])]}
            continue
        raw: dict[str, object] = {"row": number}
        too_long: dict[str, list] = {}
        for field, index in positions.items():
            text = cell_text(cells[index] if index < len(cells) else None,
                             integer=field == "project_id")
            if text is None:
                continue
            if len(text) > limits.IMPORT_CELL:  # before any parser sees it
                too_long[field] = [Problem("text.too_long", max=limits.IMPORT_CELL)]
            else:
                raw[field] = text
        try:
            row = _SCHEMA.load(raw)
        except ValidationError as err:
            problems = {f: list(m) for f, m in err.messages.items()} | too_long
            refused[number] = problems
            continue
        if too_long:
            refused[number] = too_long
        else:
            rows.append(row)
    return ImportFile(tuple(rows), refused, name, hashlib.sha256(data).hexdigest())


def extra_cells(columns: list[int]) -> Problem:
    """The problem of a row with values in `columns` (1 = A), right of the header."""
    named = ", ".join(column_letters(c) for c in columns[:EXTRA_NAMED])
    if len(columns) > EXTRA_NAMED:
        named += f" … ({len(columns)})"
    return Problem("import.extra_cells", columns=named)


def columns_of(header: list[str]) -> dict[str, int]:
    """field → index of its column; Invalid naming each missing or doubled column under
    errors.file.header."""
    positions: dict[str, int] = {}
    problems: dict[str, list] = {}
    for index, text in enumerate(header):
        field = HEADER_NAMES.get(normalize_header(text))
        if field is None:
            continue
        if field in positions:
            problems[field] = [Problem("import.duplicate_column")]
        positions.setdefault(field, index)
    for column in COLUMNS:
        if column.required and column.field not in positions:
            problems[column.field] = [Problem("import.missing_column", english=column.english,
                                              chinese=column.chinese)]
    if not any(f in positions for f in PROJECT_COLUMNS):
        problems["project_id"] = [Problem("import.no_project_column")]
    if problems:
        first = next(iter(problems.values()))[0]
        raise Invalid(first.code, errors={LOCATION: {"header": problems}}, **first.params)
    return positions


# ------------------------------------------------------------------ the template

TEMPLATE_NAME = "完成投资导入模板"
TEMPLATE_ASCII_NAME = "investment-import-template"
TEMPLATE_HEADERS = [column.chinese for column in COLUMNS]


def template(fmt: str) -> Export:
    """The import template as a file to download: xlsx or csv."""
    if fmt == "csv":
        return Export(template_csv(), CSV_MIMETYPE, f"{TEMPLATE_NAME}.csv",
                      f"{TEMPLATE_ASCII_NAME}.csv")
    return Export(template_xlsx(), XLSX_MIMETYPE, f"{TEMPLATE_NAME}.xlsx",
                  f"{TEMPLATE_ASCII_NAME}.xlsx")


def template_csv() -> bytes:
    """The header row, UTF-8 with BOM (Excel opens it as such; save it again as CSV UTF-8)."""
    return ("\ufeff" + ",".join(TEMPLATE_HEADERS) + "\r\n").encode("utf-8")


def template_xlsx() -> bytes:
    """A workbook whose first sheet has the header row (frozen, bold) with columns formatted
    so that Excel keeps what is typed — 期间 and 项目代码 as text (else "2025-01" becomes a
    date), amounts with two decimals — and a second sheet explaining each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "完成投资"
    sheet.append(TEMPLATE_HEADERS)
    formats = {"project_id": "0", "project_code": "@", "period": "@", "amount": "0.00",
               "note": "@"}
    widths = {"project_id": 10, "project_code": 28, "period": 10, "amount": 18, "note": 40}
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = widths[column.field]
        sheet.column_dimensions[letter].number_format = formats[column.field]
        for row in range(2, 1002):  # Excel applies a column format only to cells it has
            sheet.cell(row=row, column=index).number_format = formats[column.field]
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("填写说明")
    notes.append(["列", "英文列名", "说明"])
    notes["A1"].font = notes["B1"].font = notes["C1"].font = Font(bold=True)
    for column, text in zip(COLUMNS, (
            "项目的系统编号；与“项目代码”二选一（都填时须指同一项目）",
            "项目代码（GB/T 40058，如 2023-640000-26-03-004512）；与“项目ID”二选一",
            "填报月份，格式 YYYY-MM（如 2025-01），不得晚于本月",
            "当月完成投资，单位万元，最多两位小数（如 1234.56），不得为负；不做任何舍入",
            "备注，可空，最多 500 字")):
        notes.append([column.chinese, column.english, text])
    for text in (
            "",
            "每行一个项目一个月份；同一文件中同一项目同一月份只能出现一次。",
            "整个文件先逐行校验，任何一行有误则整份文件不导入，并列出每个出错的行号和列；行号即表格左侧显示的行号（表头在第 1 行时，第一行数据为第 2 行，空行也计数）。",
            "表头最后一列右侧不得填写任何内容，否则该行整行不导入（例如金额中的千分位逗号会使 CSV 多出一列）。",
            "同一月份再次导入相同金额不产生新的修订；金额不同则产生新的修订。",
            "只能填报本地区所在地、已开工建设或已投产的项目；已关闭的考核年度不能修改。",
            f"每个文件表头以下最多 {limits.IMPORT_ROWS} 行（空行也计数）、{limits.IMPORT_FILE_MAX // 2**20} MiB。",
            "也可另存为 CSV（UTF-8 或 GB18030 编码），列名相同。"):
        notes.append([text])
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 14
    notes.column_dimensions["C"].width = 80
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
