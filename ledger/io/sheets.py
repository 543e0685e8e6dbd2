"""A titled table — facts above it (year, as-of time, the notice), a header, rows of several
kinds — written as CSV (UTF-8 with BOM) or XLSX (openpyxl). One Sheet, two renderers, so the
two files always hold the same cells.

Amounts are written as the exact decimal text of the integer of 0.01万元 (money.format_amount):
in CSV as that text; in XLSX as a numeric cell whose stored value is that text. openpyxl would
write a float or Decimal through "%.16g" (0.07 becomes 0.07000000000000001), so the cell is
given the text and the numeric type directly: the file holds `<v>1234.56</v>`, which Excel reads
as the double nearest to 1234.56 and shows exactly (Excel keeps 15 significant digits, and every
amount up to 10^13 万元 has at most 15). A figure with more significant digits than that is
written as text, so no spreadsheet can show it rounded.

Text cells that a spreadsheet would take for a formula (=, +, -, @ first) are neutralized: in
CSV with a leading apostrophe (OWASP "CSV injection"), in XLSX by the string type; characters
that XML 1.0 cannot hold are dropped.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import quote

from ledger.domain.money import format_amount, format_share

EXCEL_DIGITS = 15  # significant digits a spreadsheet keeps in a number
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Export:
    """A file to hand out: its bytes, media type and names (Chinese, and ASCII for clients
    that do not read RFC 5987)."""

    content: bytes
    mimetype: str
    filename: str
    ascii_filename: str

    @property
    def content_disposition(self) -> str:
        """attachment, with the Chinese name encoded per RFC 5987 / RFC 6266."""
        return content_disposition(self.filename, self.ascii_filename)


def uploaded_file_headers(filename: str, inline: bool = False) -> dict[str, str]:
    """The headers that serve a file a user uploaded (an evidence file), for the API and the
    web pages alike: its own name (ASCII-safe beside it), an attachment unless `inline`; its
    media type is the one recognised from its content, which nosniff and a sandboxing CSP keep
    a browser to."""
    ascii_name = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_"
                         for c in filename)
    return {"Content-Disposition": content_disposition(filename, ascii_name, inline),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox"}


def content_disposition(filename: str, ascii_filename: str, inline: bool = False) -> str:
    """attachment (or inline), the name in ASCII for old clients and, per RFC 5987 / RFC 6266,
    as it is."""
    return (f'{"inline" if inline else "attachment"}; filename="{ascii_filename}"; '
            f"filename*=UTF-8''{quote(filename, safe='')}")


class Kind(StrEnum):
    """What a column holds, which decides how a cell is written."""

    TEXT = "text"
    INT = "int"
    AMOUNT = "amount"   # int of 0.01万元
    SHARE = "share"     # int of basis points, shown as percent


class RowKind(StrEnum):
    DETAIL = "detail"
    SUBTOTAL = "subtotal"      # a rolled-up row: its own figures plus those below it
    TOTAL = "total"
    CHECK = "check"            # the reconciliation lines


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind
    width: int = 12


@dataclass
class Row:
    cells: list[object]
    kind: RowKind = RowKind.DETAIL
    level: int = 0  # outline level in the XLSX (0 = top)


@dataclass
class Sheet:
    name: str                          # the worksheet's name (≤ 31 characters)
    title: str
    facts: list[tuple[str, str]]       # (label, value) lines under the title
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)


def _text(value: object, *, neutralize: bool) -> str:
    text = _XML_ILLEGAL.sub("", str(value))
    if neutralize and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _figure(kind: Kind, value: int) -> str:
    return format_amount(value) if kind is Kind.AMOUNT else format_share(value)


# ------------------------------------------------------------------ CSV

def to_csv(sheet: Sheet) -> bytes:
    """UTF-8 with a BOM and CRLF line ends, as Excel expects."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_text(sheet.title, neutralize=True)])
    for label, value in sheet.facts:
        writer.writerow([label, _text(value, neutralize=True)])
    writer.writerow([])
    writer.writerow([c.title for c in sheet.columns])
    for row in sheet.rows:
        writer.writerow([_csv_cell(column.kind, value)
                         for column, value in zip(sheet.columns, row.cells)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_cell(kind: Kind, value: object) -> str:
    if value is None:
        return ""
    if kind is Kind.TEXT:
        return _text(value, neutralize=True)
    if kind is Kind.INT:
        return str(value)
    return _figure(kind, value)


# ------------------------------------------------------------------ XLSX

NUMBER_FORMATS = {Kind.AMOUNT: "#,##0.00", Kind.SHARE: "0.00", Kind.INT: "0", Kind.TEXT: "@"}


def to_xlsx(*sheets: Sheet) -> bytes:
    """One worksheet per sheet, in their order: the title and facts on top, the header frozen
    under them, subtotal rows bold above the rows they sum (Excel's outline groups them),
    totals and checks bold."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for sheet in sheets:
        _worksheet(workbook, sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _worksheet(workbook, sheet: Sheet) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import Outline

    ws = workbook.create_sheet(sheet.name[:31])
    header_row = len(sheet.facts) + 3  # title, facts, a blank line, the header
    ws.freeze_panes = f"A{header_row + 1}"
    ws.sheet_properties.outlinePr = Outline(summaryBelow=False, summaryRight=False)
    for index, column in enumerate(sheet.columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    for offset, row in enumerate(sheet.rows, start=header_row + 1):
        if row.level:
            ws.row_dimensions[offset].outline_level = row.level

    bold = Font(bold=True)
    fills = {RowKind.SUBTOTAL: PatternFill("solid", fgColor="F2F2F2"),
             RowKind.TOTAL: PatternFill("solid", fgColor="DDEBF7"),
             RowKind.CHECK: PatternFill("solid", fgColor="E2EFDA")}
    thin = Side(style="thin", color="999999")

    def text_cell(value: object, font: Font | None = None) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=None)
        if value is not None:
            cell.value = _text(value, neutralize=False)
            cell.data_type = "s"  # a text, even if it starts with "="
        if font is not None:
            cell.font = font
        return cell

    ws.append([text_cell(sheet.title, Font(bold=True, size=14))])
    for label, value in sheet.facts:
        ws.append([text_cell(label, bold), text_cell(value)])
    ws.append([])
    header = []
    for column in sheet.columns:
        cell = text_cell(column.title, bold)
        cell.fill = PatternFill("solid", fgColor="BDD7EE")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(bottom=thin)
        header.append(cell)
    ws.append(header)
    for row in sheet.rows:
        font = bold if row.kind is not RowKind.DETAIL else None
        cells = []
        for column, value in zip(sheet.columns, row.cells):
            if value is None or column.kind is Kind.TEXT:
                cell = text_cell(value, font)
            else:
                cell = _number_cell(ws, WriteOnlyCell, column.kind, value)
                if font is not None:
                    cell.font = font
            if row.kind in fills:
                cell.fill = fills[row.kind]
            cells.append(cell)
        ws.append(cells)


def _number_cell(ws, cell_class, kind: Kind, value: int):
    cell = cell_class(ws, value=None)
    text = str(value) if kind is Kind.INT else _figure(kind, value)
    cell.value = text
    if sum(ch.isdigit() for ch in text.lstrip("-0.")) <= EXCEL_DIGITS:
        cell.data_type = "n"  # the exact decimal text, stored as a number
        cell.number_format = NUMBER_FORMATS[kind]
    else:
        cell.data_type = "s"
    return cell
