"""Bulk imports: monthly completed investment (完成投资导入) and receipts of funds in place
(到位资金导入), each an upload and its template, read and checked by the same code."""

from __future__ import annotations

from functools import wraps

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from ledger.api.support import actor, api_blueprint, ctx, file_response, idempotent
from ledger import current
from ledger.commands import imports
from ledger.domain import limits
from ledger.domain.errors import LOCATION, Invalid, Problem, TooLarge
from ledger.io.imports import FUNDS, REPORTS, Kind, read_import, template
from ledger.io.sheets import CSV_MIMETYPE, XLSX_MIMETYPE
from ledger.policy import require_importer
from ledger.schemas.requests import TemplateQuery
from ledger.schemas.resources import FundsImportSummarySchema, ImportSummarySchema

blp = api_blueprint("imports", "Bulk imports of completed investment (完成投资导入) and of "
                                "funds in place (到位资金导入)")

_MIB = limits.IMPORT_FILE_MAX // 2**20


def upload_doc(kind: Kind) -> dict:
    columns = ", ".join(f"`{c.english}` ({c.chinese})" for c in kind.columns)
    return {
        "required": True,
        "content": {"multipart/form-data": {
            "schema": {"type": "object", "required": ["file"], "properties": {"file": {
                "type": "string", "format": "binary",
                "description": f"CSV (UTF-8 with or without BOM, or GB18030) or XLSX (first "
                               f"worksheet), at most {_MIB} MiB and {limits.IMPORT_ROWS} rows "
                               f"below the header; header row with the columns {columns}"}}}}},
    }


ERRORS_DOC = (
    "**422** names every bad row at once, nothing written. `errors.file` maps each bad row — "
    "its number as a string, as the spreadsheet shows it: the header's row counts, and so do "
    "blank rows, so under a header on row 1 the first data row is `2` — to "
    "`{column: [messages]}` (columns by their English names, whatever the header's language), "
    'e.g. `{"errors": {"file": {"3": {"amount": ["must have at most two decimal places (got 3); '
    'it is not rounded"]}}}}`; `error_codes` has the stable codes in the same shape. A row '
    "with a value right of the header's last column is refused as a whole, none of its cells "
    'read: `{"5": {"_schema": ["import.extra_cells"]}}`, the message naming those columns. '
    "Problems of the whole file are under `errors.file._schema` (encoding, not CSV/XLSX, "
    f"empty, more than {limits.IMPORT_ROWS} rows below the header — blank ones count — an XLSX "
    "that would expand too far) and missing or doubled columns under "
    "`errors.file.header`. A project you may not see is reported exactly like one that does "
    f"not exist. **413**: the file is larger than {_MIB} MiB."
)


def _coded_413(view):
    """A body above the upload limit (current.accepts_upload) is a coded 413, its problem
    where the file's problems go."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except RequestEntityTooLarge as err:
            raise TooLarge("import.too_large", max=_MIB, errors={LOCATION: {"_schema": [
                Problem("import.too_large", max=_MIB)]}}) from err
    return wrapper


@blp.route("/investments/import", methods=["POST"])
@current.accepts_upload
@_coded_413
@idempotent
@blp.response(200, ImportSummarySchema)
@blp.doc(requestBody=upload_doc(REPORTS), description=(
    "Report many months at once from a CSV or XLSX file (the host region for its projects, or "
    "the statistics bureau). Every row is checked first; then all rows are written in one "
    "transaction. The same file twice adds nothing (`unchanged`).\n\n" + ERRORS_DOC))
def import_investments():
    """Import monthly completed investment from a file (multipart field `file`)."""
    return imports.import_reports(ctx(), _upload(REPORTS))


@blp.route("/funds/import", methods=["POST"])
@current.accepts_upload
@_coded_413
@idempotent
@blp.response(200, FundsImportSummarySchema)
@blp.doc(requestBody=upload_doc(FUNDS), description=(
    "Record many receipts of funds in place at once from a CSV or XLSX file (the host region "
    "for its projects, or the statistics bureau), each row a receipt as POST "
    "/projects/{id}/funds takes it; `source` is `domestic`/`foreign` or 境内区外/境外. Every "
    "row is checked first; then all rows are written in one transaction. Every row is a new "
    "receipt: two on the same day are two receipts, and the same file twice records them "
    "twice.\n\n" + ERRORS_DOC))
def import_funds():
    """Import receipts of funds in place from a file (multipart field `file`)."""
    return imports.import_funds(ctx(), _upload(FUNDS))


def _upload(kind: Kind):
    """The multipart `file` read as an import of `kind`; 403 before the file is read."""
    require_importer(actor())
    upload = request.files.get("file")
    if upload is None:
        raise Invalid("import.no_file", errors={LOCATION: {"_schema": [Problem("import.no_file")]}})
    try:
        data = upload.read(limits.IMPORT_FILE_MAX + 1)
    finally:
        upload.close()  # a large upload is spooled to a temporary file
    return read_import(data, upload.filename or "", kind)


_TEMPLATE_DOC = {"responses": {200: {"content": {
    XLSX_MIMETYPE: {"schema": {"type": "string", "format": "binary"}},
    CSV_MIMETYPE.split(";")[0]: {"schema": {"type": "string"}}}}}}


@blp.route("/investments/import/template")
@blp.arguments(TemplateQuery, location="query")
@blp.response(200, description="the template file")
@blp.doc(**_TEMPLATE_DOC)
def import_template(args):
    """The import file template: the header row (项目ID, 项目代码, 期间, 完成投资(万元), 备注),
    columns formatted so that Excel keeps what is typed, and (xlsx) a sheet of instructions."""
    return file_response(template(args["format"], REPORTS))


@blp.route("/funds/import/template")
@blp.arguments(TemplateQuery, location="query")
@blp.response(200, description="the template file")
@blp.doc(**_TEMPLATE_DOC)
def funds_import_template(args):
    """The funds import file template: the header row (项目ID, 项目代码, 到账日期,
    到位资金(万元), 资金来源, 出资方, 备注), columns formatted so that Excel keeps what is
    typed, and (xlsx) a sheet of instructions."""
    return file_response(template(args["format"], FUNDS))
