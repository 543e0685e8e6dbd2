"""Reading an uploaded table (CSV or XLSX) into a header and rows of text cells.

The file's kind is told by its content, never by its name: a zip archive is an XLSX workbook,
an OLE2 compound file is an old .xls (or a password-protected workbook) and is refused, and
anything else must be CSV text. Every refusal is a coded Invalid (422) placed under the
upload's location, `{"file": {"_schema": [...]}}`, and nothing here touches the database.

CSV: UTF-8 with or without a BOM, else GB18030 (what Excel on a Chinese Windows writes for
"CSV (逗号分隔)"); the delimiter is a comma, or a semicolon or tab when the header says so.
XLSX: the first worksheet, read with openpyxl in read-only mode with the cached values of
formulas (what Excel shows); its archive is checked before it is opened (member count and the
declared uncompressed size, which also bounds what zipfile will inflate), and its XML is parsed
by defusedxml (openpyxl uses it when installed), so entity bombs are refused.

Cells come back as text, converted exactly (see `cell_text`); a blank cell is absent.

Rows are numbered as the spreadsheet shows them: the header's own row counts, and so does every
blank row (a CSV's blank line, an XLSX's missing row), so under a header on row 1 the first data
row is row 2. A row with a value to the right of the header's last column does not fit the
header (an unquoted thousands separator shifts every cell after it): it is kept aside in
`Table.extra` so that none of its cells is ever read. Every row counts against
limits.IMPORT_ROWS, blank or not: a row numbered more than that below the header (or a header
below that row) is refused at once, so the time spent on a file is bounded by its size and the
limit, never by the row numbers it claims.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
import warnings
import zipfile
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from ledger.domain import limits
from ledger.domain.errors import LOCATION, Invalid, Problem, TooLarge

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and .xlsx with a password
DELIMITERS = (",", ";", "\t")


# A record as read: its row number as the spreadsheet shows it, and its cells: a CSV line's
# as a list, or an XLSX row's as column index (0 = A) → value of the cells it holds.
Record = tuple[int, list[object] | Mapping[int, object]]


@dataclass
class Table:
    """The header row's cells (up to its last non-blank one) and the data rows below it.
    `rows` holds (n, cells) for every non-blank data row, n its number as the spreadsheet shows
    it (under a header on row 1 the first data row is 2; blank rows are counted, not listed);
    `extra` maps the number of each row holding a value right of the header's last column to
    those columns (1 = A): such a row does not fit the header, and must not be read; `kind` is
    "csv" or "xlsx"."""

    kind: str
    header: list[str]
    rows: list[tuple[int, list[object]]] = field(default_factory=list)
    extra: dict[int, list[int]] = field(default_factory=dict)


def file_error(code: str, **params) -> Invalid:
    """A problem of the whole file: errors.file._schema."""
    return Invalid(code, errors={LOCATION: {"_schema": [Problem(code, **params)]}}, **params)


def read_table(data: bytes, known_headers: Collection[str] = ()) -> Table:
    """The table in `data` (CSV or XLSX), or Invalid naming what is wrong with the file.
    `known_headers` (normalized, see `normalize_header`) tell a CSV's delimiter."""
    if len(data) > limits.IMPORT_FILE_MAX:
        raise TooLarge("import.too_large", errors={LOCATION: {"_schema": [
            Problem("import.too_large", max=limits.IMPORT_FILE_MAX // 2**20)]}},
            max=limits.IMPORT_FILE_MAX // 2**20)
    if not data.strip():
        raise file_error("import.empty")
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(data)
    if data.startswith(OLE2_MAGIC):
        raise file_error("import.xls")
    return _read_csv(data, known_headers)


# ------------------------------------------------------------------ CSV

def decode_csv(data: bytes) -> str:
    """UTF-8 (a BOM is dropped), else GB18030; NUL or other binary control bytes mean the file
    is not text at all."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise file_error("import.bad_encoding")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise file_error("import.bad_encoding")
    if any(ch in text for ch in _BINARY):
        raise file_error("import.not_a_table")
    return text.removeprefix("\ufeff")  # a GB18030 BOM decodes to U+FEFF


# C0 controls other than tab, LF and CR never occur in a CSV a person saved.
_BINARY = frozenset(chr(c) for c in range(32) if chr(c) not in "\t\n\r")


def _read_csv(data: bytes, known_headers: Collection[str]) -> Table:
    text = decode_csv(data)
    first_line = next((line for line in text.splitlines() if line.strip()), "")

    def recognized(delimiter: str) -> int:
        return sum(normalize_header(c.strip().strip('"')) in known_headers
                   for c in first_line.split(delimiter))

    delimiter = max(DELIMITERS, key=lambda d: (recognized(d), -DELIMITERS.index(d)))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    # One record is one spreadsheet row: a blank line is a row, a quoted cell holding a line
    # break is not two.
    records = enumerate(reader, start=1)
    try:
        return _table("csv", records)
    except csv.Error as err:
        raise file_error("import.bad_csv", line=reader.line_num) from err


# ------------------------------------------------------------------ XLSX

def _read_xlsx(data: bytes) -> Table:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as err:
        raise file_error("import.bad_xlsx") from err
    if len(members) > limits.XLSX_MEMBERS_MAX or \
            sum(m.file_size for m in members) > limits.XLSX_UNCOMPRESSED_MAX:
        raise file_error("import.xlsx_bomb", max=limits.XLSX_UNCOMPRESSED_MAX // 2**20,
                         members=limits.XLSX_MEMBERS_MAX)
    if any(m.flag_bits & 0x1 for m in members):  # an encrypted member
        raise file_error("import.bad_xlsx")
    import openpyxl  # not at the top: only uploads need it
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    try:
        # Warnings about features openpyxl does not read (data validation extensions, a
        # missing default style …) say nothing about the data.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                if not workbook.worksheets:
                    raise file_error("import.empty")
                sheet = workbook.worksheets[0]
                if isinstance(sheet, ReadOnlyWorksheet):  # a chart sheet has no cells
                    records = _xlsx_records(sheet)
                else:
                    records = iter(())
                return _table("xlsx", records)
            finally:
                workbook.close()
    except Invalid:
        raise
    except Exception as err:  # noqa: BLE001 — any failure to parse an untrusted workbook is the file's
        raise file_error("import.bad_xlsx") from err


def _xlsx_records(sheet) -> Iterator[Record]:
    """Each row element of a read-only worksheet, in the file's order, with the number it
    carries: only the rows the file holds. openpyxl's iter_rows makes up an empty row for each
    number skipped, one at a time, so a single row numbered 2,000,000,000 would be two billion
    rows; its parser (the same one, with the same cell conversions) yields only what is there.
    Row numbers must rise, as Excel writes them: a file that goes back is damaged."""
    from openpyxl.worksheet._reader import WorkSheetParser

    workbook = sheet.parent
    with sheet._get_source() as source:
        parser = WorkSheetParser(source, sheet._shared_strings, data_only=workbook.data_only,
                                 epoch=workbook.epoch, date_formats=workbook._date_formats,
                                 timedelta_formats=workbook._timedelta_formats)
        previous = 0
        for number, cells in parser.parse():
            if number <= previous:
                raise file_error("import.bad_xlsx")
            previous = number
            yield number, {cell["column"] - 1: cell["value"] for cell in cells}


# ------------------------------------------------------------------ both

def _table(kind: str, records: Iterable[Record]) -> Table:
    """The first non-blank record is the header; the non-blank ones below it are data rows.
    A record numbered more than limits.IMPORT_ROWS below the header (or, before the header,
    beyond that number) is refused before anything else is read."""
    table: Table | None = None
    header_row = width = 0
    columns = range(0)  # the header's
    text = kind == "csv"  # every cell text: csv.reader's records are lists of str
    for number, cells in records:
        if number - header_row > limits.IMPORT_ROWS:
            raise file_error("import.too_many_rows", max=limits.IMPORT_ROWS)
        listed = type(cells) is list
        if text and table is not None and len(cells) <= width:
            # a row of text no wider than the header, as a rule: no cell to the right of it,
            # a row unless every cell is blank (nothing but whitespace)
            if not any(map(str.strip, cells)):
                continue
        else:
            # the cells not blank (None, or text of nothing but whitespace)
            filled = [column for column, value in (enumerate(cells) if listed else cells.items())
                      if value is not None and not (isinstance(value, str) and not value.strip())]
            if not filled:
                continue
            if table is None:
                header_row, width = number, max(filled) + 1
                table = Table(kind, [_header_text(_cell(cells, c))
                                     for c in range(min(width, limits.IMPORT_COLUMNS))])
                columns = range(len(table.header))
                continue
            if max(filled) >= width:
                table.extra[number] = sorted(c + 1 for c in filled if c >= width)
        if listed:
            row = cells[:len(columns)]
            row += [None] * (len(columns) - len(row))
        else:
            get = cells.get
            row = [get(c) for c in columns]
        table.rows.append((number, row))
    if table is None:
        raise file_error("import.empty")
    if not table.rows:
        raise file_error("import.no_rows")
    return table


def column_letters(column: int) -> str:
    """A spreadsheet's name of a column: 1 → A, 26 → Z, 27 → AA."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _cell(cells: list[object] | Mapping[int, object], column: int) -> object:
    """A record's cell in `column` (0 = A); None where it has none."""
    if type(cells) is list:
        return cells[column] if column < len(cells) else None
    return cells.get(column)


def _header_text(value: object) -> str:
    return "" if value is None else str(value).strip().removeprefix("\ufeff").strip()


def cell_text(value: object, *, integer: bool = False, day: bool = False) -> str | None:
    """A cell as the text a person typed, converted exactly; None for a blank cell.

    - text: stripped of surrounding whitespace;
    - an integer: its digits;
    - a float (an XLSX number is an IEEE double): the shortest decimal that reads back as the
      same double (Python's repr), written without an exponent. Every amount of at most 15
      significant digits — all valid amounts — comes back exactly as typed; a double that
      is not such a number (3.015, or 1358.0160000000001 from a formula) keeps all its digits
      and is then refused by the amount parser, never rounded. With `integer`, a whole-number
      float gives its digits (a project id formatted as a number);
    - a date at midnight on the first of a month (what Excel makes of "2025-01" typed into a
      General cell): that month, "YYYY-MM"; any other date or time: its ISO text, which no
      field accepts. With `day` (a column of dates), a date at midnight is its day,
      "YYYY-MM-DD", as Excel shows a date cell;
    - TRUE/FALSE: that word (which no field accepts).
    """
    if value is None:
        return None
    if type(value) is str:  # first: a CSV's every cell is one
        return value.strip() or None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if integer and value.is_integer():
            return str(int(value))
        return _float_text(value)
    if isinstance(value, datetime):
        if day and value.time() == time(0):
            return value.date().isoformat()
        if value.day == 1 and value.time() == time(0):
            return f"{value.year:04d}-{value.month:02d}"
        return value.isoformat()
    if isinstance(value, (date, time, timedelta)):
        return str(value)
    text = str(value).strip()
    return text or None


def _float_text(value: float) -> str:
    shortest = repr(value)  # 'nan', 'inf', '1e-05', '1234.56' …
    try:
        exact = Decimal(shortest)
    except InvalidOperation:
        return shortest
    if not exact.is_finite():
        return shortest
    return format(exact, "f")  # positional: Decimal('1E+16') → '10000000000000000'


def normalize_header(text: str) -> str:
    """How a header cell is compared: NFKC (full-width letters and parentheses become ASCII),
    no spaces, lower case — so 完成投资（万元）, 完成投资(万元) and AMOUNT all match."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()
