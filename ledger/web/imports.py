"""Importing from a file, monthly completed investment (完成投资导入) or receipts of funds in
place (到位资金导入): one page with a tab for each kind, the upload, every bad row shown beside
what it holds, and each kind's template to fill in. The file is read and checked by the same
code as `POST /investments/import` and `POST /funds/import` (ledger.io.imports,
ledger.commands.imports): every row is checked first, and nothing is written unless all of them
are right."""

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
from ledger.io.imports import (
    FUNDS, REPORTS, Kind, columns_of, import_of, read_import_table, template)
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


@dataclass(frozen=True)
class Tab:
    """A kind of import as the page offers it: its tab, its page and its template."""

    kind: Kind
    label: str
    page: str          # the endpoint of its page
    template: str      # the endpoint of its template


TABS = (Tab(REPORTS, _l("Completed investment"), "web.import_page", "web.import_template"),
        Tab(FUNDS, _l("Funds in place"), "web.funds_import_page", "web.funds_import_template"))


@bp.route("/investments/import", methods=["GET", "POST"])
@auth.login_required
@current.accepts_upload
def import_page():
    return _page(TABS[0])


@bp.route("/funds/import", methods=["GET", "POST"])
@auth.login_required
@current.accepts_upload
def funds_import_page():
    return _page(TABS[1])


def _page(tab: Tab):
    context = ctx()
    require_importer(context.actor)
    kind = tab.kind
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
                table = read_import_table(data, kind)
                read = import_of(table, data, upload.filename or "", kind)
                if kind is FUNDS:
                    summary = imports.import_funds(context, read)
                    message = _("%(rows)d row(s) read: %(created)d receipt(s) of funds in place "
                                "recorded.", rows=summary.rows, created=summary.created)
                else:
                    summary = imports.import_reports(context, read)
                    message = _("%(rows)d row(s) read: %(created)d month(s) reported, "
                                "%(revised)d revised, %(unchanged)d unchanged.",
                                rows=summary.rows, created=summary.created,
                                revised=summary.revised, unchanged=summary.unchanged)
            except Invalid as err:
                refusal = _refusal(err, table, kind)
            else:
                flash(message, "success")
                return redirect(url_for(tab.page))
    return render_template("web/import.html", form=form, refusal=refusal, formats=FORMATS,
                           tab=tab, tabs=TABS, columns=kind.columns,
                           max_mib=limits.IMPORT_FILE_MAX // 2**20,
                           max_rows=limits.IMPORT_ROWS), (422 if refusal else 200)


@bp.get("/investments/import/template.<fmt>")
@auth.login_required
def import_template(fmt: str):
    return _template(fmt, REPORTS)


@bp.get("/funds/import/template.<fmt>")
@auth.login_required
def funds_import_template(fmt: str):
    return _template(fmt, FUNDS)


def _template(fmt: str, kind: Kind):
    if fmt not in FORMATS:
        abort(404)
    return download(template(fmt, kind))


def _refusal(err: Invalid, table: Table | None, kind: Kind) -> Refusal:
    """What the page shows of a refusal: the file's problems, or each bad row beside its cells
    (from the table the import read, in the file's column order)."""
    found = (err.errors or {}).get(LOCATION)
    if not isinstance(found, dict):
        return Refusal([problem_text(err.message)], [], [], 0)
    texts = [problem_text(p) for p in found.get("_schema", [])]
    for field, problems in found.get("header", {}).items():
        texts += [f"{_column_name(field, kind)}：{problem_text(p)}" for p in problems]
    numbered = {int(n): problems for n, problems in found.items() if n.isdigit()}
    if not numbered or table is None:
        return Refusal(texts or [problem_text(err.message)], [], [], 0)
    positions = columns_of(table.header, kind)  # the header was accepted: the rows were checked
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


def _column_name(field: str, kind: Kind) -> str:
    column = kind.column(field)
    return field if column is None else f"{column.chinese}（{column.english}）"
