"""Importing from a file, monthly completed investment (完成投资导入) or receipts of funds in
place (到位资金导入): one page with a tab for each kind, the upload, every bad row shown beside
what it holds, and each kind's template to fill in. The file is read and checked by the same
code as `POST /investments/import` and `POST /funds/import` (ledger.io.imports,
ledger.commands.imports): every row is checked first, and nothing is written unless all of them
are right."""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
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
        data, filename = b"", ""
        if upload is not None:
            try:
                data = upload.read(limits.IMPORT_FILE_MAX + 1)
            finally:
                upload.close()  # a large upload is spooled to a temporary file
            filename = upload.filename or ""
        chosen = bool(filename or data)
        if not chosen:  # no new file: the one kept from the refused upload, when the form names it
            data, filename = _kept_content(kind, context.actor.id, request.form.get("kept", ""))
        if not (filename or data):
            refusal = Refusal([problem_text(Problem("import.choose_file"))], [], [], 0)
        else:
            table = None
            try:
                table = read_import_table(data, kind)
                read = import_of(table, data, filename, kind)
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
                if chosen:
                    _keep(data, filename, kind, context.actor.id)
            else:
                _forget()
                flash(message, "success")
                return redirect(url_for(tab.page))
    return render_template("web/import.html", form=form, refusal=refusal, formats=FORMATS,
                           tab=tab, tabs=TABS, columns=kind.columns,
                           kept=_kept(kind, context.actor.id),
                           max_mib=limits.IMPORT_FILE_MAX // 2**20,
                           max_rows=limits.IMPORT_ROWS), (422 if refusal else 200)


# ------------------------------------------------------------------ the file kept after a refusal
#
# A browser cannot fill in a file input again, so after a refusal the clerk would have to find
# the file once more. The refused upload is kept instead, on the server's disk for a short time:
# one file per session (the newest refused upload replaces the one before), bounded by the
# import's own size limit, named by a random token held in the signed session cookie together
# with the user and the kind of import it was chosen for. The page says which file is chosen
# ("已选择文件：…（可重新选择）"); submitting without choosing another imports that one again
# (after correcting what was refused outside the file: a closed year reopened, a project
# landed), choosing another replaces it. It is deleted when an import succeeds, and every kept
# file older than KEPT_SECONDS is swept away whenever a file is kept.

KEPT_KEY = "import_file"
KEPT_SECONDS = 30 * 60


def _kept_dir() -> Path:
    folder = Path(current_app.config.get("IMPORT_KEPT_DIR")
                  or Path(tempfile.gettempdir()) / f"ledger-import-kept-{os.getuid()}")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _kept(kind: Kind, user_id: int | None) -> dict | None:
    """The kept file of this user and kind of import ({token, name}), while it lasts."""
    kept = session.get(KEPT_KEY)
    if not isinstance(kept, dict) or kept.get("kind") != kind.name or kept.get("user") != user_id \
            or time.time() - kept.get("at", 0) > KEPT_SECONDS \
            or not (_kept_dir() / kept.get("token", "-")).is_file():
        return None
    return kept


def _kept_content(kind: Kind, user_id: int | None, token: str) -> tuple[bytes, str]:
    kept = _kept(kind, user_id)
    if kept is None or not token or token != kept["token"]:
        return b"", ""
    try:
        return (_kept_dir() / kept["token"]).read_bytes(), kept["name"]
    except OSError:
        return b"", ""


def _keep(data: bytes, filename: str, kind: Kind, user_id: int | None) -> None:
    if len(data) > limits.IMPORT_FILE_MAX:
        return  # refused for its size: nothing worth keeping
    _forget()
    folder = _kept_dir()
    now = time.time()
    for old in folder.iterdir():  # the files of sessions that never came back
        try:
            if now - old.stat().st_mtime > KEPT_SECONDS:
                old.unlink()
        except OSError:
            pass
    token = secrets.token_hex(16)
    descriptor = os.open(folder / token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as f:
        f.write(data)
    session[KEPT_KEY] = {"token": token, "name": filename[:limits.EVIDENCE_FILENAME],
                         "kind": kind.name, "user": user_id, "at": now}


def _forget() -> None:
    kept = session.pop(KEPT_KEY, None)
    if isinstance(kept, dict) and kept.get("token"):
        (_kept_dir() / kept["token"]).unlink(missing_ok=True)


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
