"""Importing monthly completed investment from a file (完成投资导入): the upload, every bad row
shown beside what it holds, and the template to fill in. The file is read and checked by the
same code as `POST /investments/import` (ledger.io.imports, ledger.commands.imports): every row
is checked first, and nothing is written unless all of them are right."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField

from ledger import current
from ledger.commands import imports
from ledger.domain import limits
from ledger.domain.errors import LOCATION, Invalid, Problem
from ledger.io.imports import COLUMNS, columns_of, import_of, read_import_table, template
from ledger.io.tables import Table, cell_text
from ledger.policy import require_importer
from ledger.web import auth
from ledger.web.blueprint import bp
from ledger.web.helpers import ctx, download
from ledger.web.i18n import problem_text

SHOWN_ROWS = 200  # bad rows listed on the page; the rest are counted (fix, upload again)
FORMATS = ("xlsx", "csv")


class ImportForm(FlaskForm):
    file = FileField(_l("File to import (CSV or XLSX)"),
                     render_kw={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-"
                                          "officedocument.spreadsheetml.sheet"})


@dataclass
class BadRow:
    number: int                       # as the spreadsheet shows it (header on row 1: 2 = the first)
    cells: dict[str, str]             # field → the cell's text as the file holds it
    problems: dict[str, list[str]]    # field → messages; "" for the row as a whole


@dataclass
class Refusal:
    """Why a file was refused: problems of the whole file, or each bad row."""

    file: list[str]
    columns: list[tuple[str, str]]    # (field, the header the file gives it) of the bad rows' table
    rows: list[BadRow]
    count: int                        # bad rows in all (more than `rows` when cut)


@bp.route("/investments/import", methods=["GET", "POST"])
@auth.login_required
@current.accepts_upload
def import_page():
    context = ctx()
    require_importer(context.actor)
    form = ImportForm()
    refusal = None
    if request.method == "POST":
        upload = request.files.get("file")
        data = b""
        if upload is not None:
            try:
                data = upload.read(limits.IMPORT_FILE_MAX + 1)
            finally:
                upload.close()  # a large upload is spooled to a temporary file
        if upload is None or not (upload.filename or data):
            refusal = Refusal([problem_text(Problem("import.choose_file"))], [], [], 0)
        else:
            table = None
            try:
                table = read_import_table(data)
                summary = imports.import_reports(context, import_of(table, data, upload.filename or ""))
            except Invalid as err:
                refusal = _refusal(err, table)
            else:
                flash(_("%(rows)d row(s) read: %(created)d month(s) reported, %(revised)d "
                        "revised, %(unchanged)d unchanged.", rows=summary.rows,
                        created=summary.created, revised=summary.revised,
                        unchanged=summary.unchanged), "success")
                return redirect(url_for("web.import_page"))
    return render_template("web/import.html", form=form, refusal=refusal, formats=FORMATS,
                           columns=COLUMNS, max_mib=limits.IMPORT_FILE_MAX // 2**20,
                           max_rows=limits.IMPORT_ROWS), (422 if refusal else 200)


@bp.get("/investments/import/template.<fmt>")
@auth.login_required
def import_template(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    return download(template(fmt))


def _refusal(err: Invalid, table: Table | None) -> Refusal:
    """What the page shows of a refusal: the file's problems, or each bad row beside its cells
    (from the table the import read, in the file's column order)."""
    found = (err.errors or {}).get(LOCATION)
    if not isinstance(found, dict):
        return Refusal([problem_text(err.message)], [], [], 0)
    texts = [problem_text(p) for p in found.get("_schema", [])]
    for field, problems in found.get("header", {}).items():
        texts += [f"{_column_name(field)}：{problem_text(p)}" for p in problems]
    numbered = {int(n): problems for n, problems in found.items() if n.isdigit()}
    if not numbered or table is None:
        return Refusal(texts or [problem_text(err.message)], [], [], 0)
    positions = columns_of(table.header)  # the header was accepted: the rows were checked
    columns = [(field, table.header[index])
               for field, index in sorted(positions.items(), key=lambda item: item[1])]
    wanted = set(sorted(numbered)[:SHOWN_ROWS])
    rows = []
    for number, cells in table.rows:
        if number not in wanted:
            continue
        messages: dict[str, list[str]] = {}
        for field, problems in numbered[number].items():  # a problem of no shown column: the row's
            messages.setdefault(field if field in positions else "", []).extend(
                problem_text(p) for p in problems)
        rows.append(BadRow(number, {field: _cell(cells, index)
                                    for field, index in positions.items()}, messages))
    return Refusal([problem_text(err.message)], columns, rows, len(numbered))


def _cell(cells: list, index: int) -> str:
    text = cell_text(cells[index]) if index < len(cells) else None
    if text is None:
        return ""
    return text if len(text) <= 80 else text[:80] + "…"  # a page, not a copy of the file


def _column_name(field: str) -> str:
    for column in COLUMNS:
        if column.field == field:
            return f"{column.chinese}（{column.english}）"
    return field
