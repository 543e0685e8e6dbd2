"""Import files (完成投资导入, 到位资金导入): from the uploaded bytes to the typed input of
ledger.commands.imports, and the template to fill in. One reader serves every kind of import; a
`Kind` names its columns, the request schema a row is loaded through and its template.

Columns (docs/api.md), in any order, headers in English or Chinese (compared after NFKC, without
spaces, case-insensitively — see tables.normalize_header). Monthly reports (REPORTS):

    project_id    项目ID             the project's id            } at least one of the two
    project_code  项目代码           its GB/T 40058 code          }
    period        期间               the month, YYYY-MM
    amount        完成投资(万元)      the month's completed investment, at most two decimals
    note          备注               optional, up to 500 characters

Receipts of funds in place (FUNDS): the same project columns, then

    received_on   到账日期           the day received, YYYY-MM-DD
    amount        到位资金(万元)      the amount received, more than 0, at most two decimals
    source        资金来源           境内区外 / 境外 (or domestic / foreign)
    payer         出资方             who paid it
    note          备注               optional, up to 500 characters

Other columns under the header are ignored (a person may keep the project's name beside its
id); a value right of the header's last column is not: its row does not fit the header (an
unquoted "1,234.00" is two cells, and every cell after it one column off), so the row is refused
as a whole (`import.extra_cells`, naming those columns) and none of its cells is read. Each
other row is loaded through the kind's request schema (`ImportRowRequest`,
`FundsImportRowRequest`; all rows as a batch by schemas.requests.RowLoader, with the outcome of
the schema's own load), so a cell is refused exactly as the same value would be in
PUT /projects/{id}/investments/{period} or POST /projects/{id}/funds; problems are collected
for every row, then the command adds those that need the database. Rows are numbered as the
spreadsheet shows them (see ledger.io.tables).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from marshmallow import Schema, ValidationError

from ledger.collector import young_garbage_only
from ledger.commands.inputs import FundsRow, ImportFile, ReportRow
from ledger.domain import limits
from ledger.domain.enums import Role
from ledger.domain.vocabulary import BODY_NAMES
from ledger.domain.errors import LOCATION, Invalid, Problem
from ledger.io.sheets import CSV_MIMETYPE, XLSX_MIMETYPE, Export
from ledger.io.tables import (
    Table, cell_text, column_letters, normalize_header, read_table)
from ledger.schemas.requests import FundsImportRowRequest, ImportRowRequest, RowLoader


@dataclass(frozen=True)
class Column:
    """A column of an import file; `number_format`, `width` and `help` make the template (the
    format keeps what is typed: 期间 and 项目代码 as text, or "2025-01" becomes a date), `cell`
    how a cell becomes text (tables.cell_text): "integer" for an id, "day" for a date."""

    field: str
    english: str
    chinese: str
    required: bool
    number_format: str
    width: int
    help: str
    cell: str = "text"


@dataclass(frozen=True)
class Kind:
    """One kind of import: its columns, the request schema a row is loaded through, and its
    template (file name, sheet title, the rules printed under the columns)."""

    name: str
    title: str                       # 完成投资 / 到位资金: the template's sheet
    columns: tuple[Column, ...]
    schema: Schema
    template_name: str
    template_ascii_name: str
    rules: tuple[str, ...]

    @property
    def header_names(self) -> dict[str, str]:
        """normalized header → field."""
        return {normalize_header(name): column.field
                for column in self.columns for name in (column.english, column.chinese)}

    def column(self, field: str) -> Column | None:
        return next((c for c in self.columns if c.field == field), None)


PROJECT_COLUMNS = ("project_id", "project_code")
_PROJECT = (
    Column("project_id", "project_id", "项目ID", False, "0", 10,
           "项目的系统编号；与“项目代码”二选一（都填时须指同一项目）", cell="integer"),
    Column("project_code", "project_code", "项目代码", False, "@", 28,
           "项目代码（GB/T 40058，如 2023-640000-26-03-004512）；与“项目ID”二选一"),
)
_NOTE = Column("note", "note", "备注", False, "@", 40, f"备注，可空，最多 {limits.NOTE} 字")
_FILE_RULES = (
    "整个文件先逐行校验，任何一行有误则整份文件不导入，并列出每个出错的行号和列；行号即表格左侧显示的行号（表头在第 1 行时，第一行数据为第 2 行，空行也计数）。",
    "表头最后一列右侧不得填写任何内容，否则该行整行不导入（例如金额中的千分位逗号会使 CSV 多出一列）。",
)
_SIZE_RULES = (
    f"每个文件表头以下最多 {limits.IMPORT_ROWS} 行（空行也计数）、{limits.IMPORT_FILE_MAX // 2**20} MiB。",
    "也可另存为 CSV（UTF-8 或 GB18030 编码），列名相同。",
)

REPORTS = Kind(
    "investment", "完成投资",
    (*_PROJECT,
     Column("period", "period", "期间", True, "@", 10,
            "填报月份，格式 YYYY-MM（如 2025-01），不得晚于本月"),
     Column("amount", "amount", "完成投资(万元)", True, "0.00", 18,
            "当月完成投资，单位万元，最多两位小数（如 1234.56），不得为负；不做任何舍入"),
     _NOTE),
    ImportRowRequest(), "完成投资导入模板", "investment-import-template",
    ("每行一个项目一个月份；同一文件中同一项目同一月份只能出现一次。",
     *_FILE_RULES,
     "同一月份再次导入相同金额不产生新的修订；金额不同则产生新的修订。",
     "只能填报本地区所在地、已开工建设或已投产的项目；已关闭的考核年度不能修改。",
     *_SIZE_RULES))

FUNDS = Kind(
    "funds", "到位资金",
    (*_PROJECT,
     Column("received_on", "received_on", "到账日期", True, "yyyy-mm-dd", 12,
            "资金实际到账的日期，格式 YYYY-MM-DD（如 2025-03-15），不得晚于今天，不得早于项目签约日期",
            cell="day"),
     Column("amount", "amount", "到位资金(万元)", True, "0.00", 18,
            "到账金额，单位万元，大于 0，最多两位小数（如 1234.56）；不做任何舍入"),
     Column("source", "source", "资金来源", True, "@", 12,
            "境内区外 或 境外（也可填 domestic / foreign）"),
     Column("payer", "payer", "出资方", True, "@", 30,
            f"出资单位名称，最多 {limits.INVESTOR_NAME} 字"),
     _NOTE),
    FundsImportRowRequest(), "到位资金导入模板", "funds-import-template",
    ("每行一笔到账资金；同一项目同一天的多笔到账可各占一行。",
     *_FILE_RULES,
     "每次导入都会新增到账记录：同一文件导入两次即记录两次，请勿重复导入；录错的记录请在项目的到位资金页更正或作废。",
     f"只能填报本地区所在地的项目（{BODY_NAMES[Role.STATISTICS]}可填报所有项目）；已撤销的项目、已关闭的考核年度不能录入。",
     "导入后请在项目的到位资金页为每笔到账上传凭证（银行进账单、验资报告等）。",
     *_SIZE_RULES))

KINDS = {kind.name: kind for kind in (REPORTS, FUNDS)}
ROW = "_schema"      # where a problem of a row as a whole goes: errors.file[row]._schema
EXTRA_NAMED = 5      # columns named by import.extra_cells; more are counted


def read_import(data: bytes, name: str = "", kind: Kind = REPORTS) -> ImportFile:
    """The rows of an import file and the problems of those the request rules refuse; Invalid
    for a file that cannot be read at all or lacks a column."""
    with young_garbage_only():  # a cell, a row, a loaded row: all short-lived or kept
        return import_of(read_import_table(data, kind), data, name, kind)


def read_import_table(data: bytes, kind: Kind = REPORTS) -> Table:
    """The table of an import file, its cells as read (the known headers tell a CSV's
    delimiter); Invalid for a file that cannot be read at all."""
    return read_table(data, kind.header_names.keys())


def import_of(table: Table, data: bytes, name: str = "", kind: Kind = REPORTS) -> ImportFile:
    """The rows of an import file read into `table` (a caller that shows bad rows beside their
    cells keeps the table); Invalid when a column is missing or doubled."""
    positions = columns_of(table.header, kind)
    cells_as = {column.field: column.cell for column in kind.columns}
    read = [(field, index, cells_as[field] == "integer", cells_as[field] == "day")
            for field, index in positions.items()]
    rows: list[ReportRow | FundsRow] = []
    refused: dict[int, dict[str, list]] = {}
    loader = RowLoader(kind.schema)  # the rows as a batch, each as kind.schema.load loads it
    for number, cells in table.rows:
        if number in table.extra:
            refused[number] = {ROW: [extra_cells(table.extra[number])]}
            continue
        raw: dict[str, object] = {"row": number}
        too_long: dict[str, list] = {}
        for field, index, integer, day in read:
            text = cell_text(cells[index] if index < len(cells) else None,
                             integer=integer, day=day)
            if text is None:
                continue
            if len(text) > limits.IMPORT_CELL:  # before any parser sees it
                too_long[field] = [Problem("text.too_long", max=limits.IMPORT_CELL)]
            else:
                raw[field] = text
        try:
            row = loader.load(raw)
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


def columns_of(header: list[str], kind: Kind = REPORTS) -> dict[str, int]:
    """field → index of its column; Invalid naming each missing or doubled column under
    errors.file.header."""
    names = kind.header_names
    positions: dict[str, int] = {}
    problems: dict[str, list] = {}
    for index, text in enumerate(header):
        field = names.get(normalize_header(text))
        if field is None:
            continue
        if field in positions:
            problems[field] = [Problem("import.duplicate_column")]
        positions.setdefault(field, index)
    for column in kind.columns:
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

def template(fmt: str, kind: Kind = REPORTS) -> Export:
    """The import template as a file to download: xlsx or csv."""
    if fmt == "csv":
        return Export(template_csv(kind), CSV_MIMETYPE, f"{kind.template_name}.csv",
                      f"{kind.template_ascii_name}.csv")
    return Export(template_xlsx(kind), XLSX_MIMETYPE, f"{kind.template_name}.xlsx",
                  f"{kind.template_ascii_name}.xlsx")


def template_csv(kind: Kind = REPORTS) -> bytes:
    """The header row, UTF-8 with BOM (Excel opens it as such; save it again as CSV UTF-8)."""
    return ("\ufeff" + ",".join(c.chinese for c in kind.columns) + "\r\n").encode("utf-8")


def template_xlsx(kind: Kind = REPORTS) -> bytes:
    """A workbook whose first sheet has the header row (frozen, bold) with columns formatted
    so that Excel keeps what is typed, and a second sheet explaining each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kind.title
    sheet.append([c.chinese for c in kind.columns])
    for index, column in enumerate(kind.columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = column.width
        sheet.column_dimensions[letter].number_format = column.number_format
        for row in range(2, 1002):  # Excel applies a column format only to cells it has
            sheet.cell(row=row, column=index).number_format = column.number_format
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("填写说明")
    notes.append(["列", "英文列名", "说明"])
    notes["A1"].font = notes["B1"].font = notes["C1"].font = Font(bold=True)
    for column in kind.columns:
        notes.append([column.chinese, column.english, column.help])
    for text in ("", *kind.rules):
        notes.append([text])
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 14
    notes.column_dimensions["C"].width = 80
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
