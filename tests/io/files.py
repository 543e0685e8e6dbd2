"""Building import files and reading exported files back, for the tests."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
from werkzeug.datastructures import MultiDict
from werkzeug.test import encode_multipart

HEADERS_EN = ["project_id", "period", "amount", "note"]
HEADERS_ZH = ["项目ID", "期间", "完成投资(万元)", "备注"]


def csv_bytes(rows, header=HEADERS_EN, *, encoding="utf-8", bom=False, delimiter=",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows, header=HEADERS_EN, *, sheet_title="Sheet") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def replace_member(data: bytes, name: str, content: bytes) -> bytes:
    """The zip `data` with member `name` replaced by `content`."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, content if info.filename == name else src.read(info))
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def renumber_rows(data: bytes, numbers: dict[int, int]) -> bytes:
    """The workbook `data` with rows moved in its XML, as another tool may number them:
    {row as written: row number the file then gives it} (the row's r and its cells' r)."""
    import re
    xml = zipfile.ZipFile(io.BytesIO(data)).read(SHEET).decode()

    def move(match: re.Match) -> str:
        old = int(match.group(1))
        new = numbers.get(old, old)
        return re.sub(rf'(<c r="[A-Z]+){old}"', rf'\g<1>{new}"',
                      match.group(0).replace(f'<row r="{old}"', f'<row r="{new}"', 1))

    xml = re.sub(r'<row r="([0-9]+)".*?</row>', move, xml)
    return replace_member(data, SHEET, xml.encode())


def sparse_xlsx(row: list, number: int = 2_000_000_000, header=HEADERS_EN) -> bytes:
    """A small, sparse workbook: the header on row 1 and one data row numbered
    `number`."""
    return renumber_rows(xlsx_bytes([row], header), {2: number})


def bound_the_reader(monkeypatch, most: int = 10) -> list[int]:
    """Make the table reader fail, instead of hanging, when it is handed more than `most`
    records (a reader that walks the rows a file skips); the numbers of those it read."""
    from ledger.io import tables

    real, read = tables._table, []

    def bounded(kind, records):
        def each():
            for record in records:
                read.append(record[0])
                assert len(read) <= most, "the reader walks rows the file does not hold"
                yield record
        return real(kind, each())

    monkeypatch.setattr(tables, "_table", bounded)
    return read


# ------------------------------------------------------------------ exported files

def read_csv_export(data: bytes) -> dict:
    """{"title", "facts": {label: value}, "header": [...], "rows": [[...]]} of an export."""
    assert data.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM"
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    title = lines[0][0]
    blank = lines.index([])
    facts = {line[0]: line[1] for line in lines[1:blank]}
    return {"title": title, "facts": facts, "header": lines[blank + 1],
            "rows": lines[blank + 2:]}


def read_xlsx_export(data: bytes) -> dict:
    """The same shape, cells as openpyxl reads them, plus the worksheet itself."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    blank = next(i for i, r in enumerate(values) if all(v is None for v in r))
    return {"title": values[0][0], "facts": {r[0]: r[1] for r in values[1:blank]},
            "header": values[blank + 1], "rows": values[blank + 2:], "sheet": sheet,
            "header_row": blank + 2}


def xlsx_numbers(data: bytes) -> dict[str, str]:
    """coordinate → the stored text of every numeric cell of the first worksheet (`<v>`)."""
    import re
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    return dict(re.findall(r'<c r="([A-Z]+[0-9]+)"[^>]*t="n"[^>]*><v>([^<]*)</v>', xml))


def multipart(fields: dict) -> tuple[bytes, str]:
    """A multipart/form-data body in memory (the test client would spool a large one to a
    temporary file it never closes)."""
    boundary, body = encode_multipart(MultiDict(fields))
    return body, f"multipart/form-data; boundary={boundary}"
