"""Bulk imports (docs/api.md for `POST /investments/import` and `POST /funds/import`, the README's
command table for `ledger import`).

A file is a batch of its line's pipeline that raises every problem: the rows the file reader
refused (ImportFile.refused) and every refusal of every other row. Monthly reports
(ledger.commands.reports): the project exists and this user may report for it (the host region,
or the statistics bureau for any project; a project the user may not see is reported exactly
like a missing one), it is landed, the month is neither in the future nor before the month the
project started construction, the same project and month do not appear twice in the file, and
the year of a row that would change something is not closed (a row equal to what is recorded
changes nothing). Receipts of funds in place (ledger.commands.funds): the same project rules,
the project not cancelled, the day neither in the future nor before the signing, its year open;
two receipts of one project on one day are two receipts. Any problem → Invalid naming each row
and column, nothing written; otherwise every row is written in ONE transaction, and the import
as a whole is journaled.
"""

from __future__ import annotations

from collections.abc import Callable

from ledger.collector import young_garbage_only
from ledger.commands import funds, reports
from ledger.commands.batch import Refusal
from ledger.commands.common import audit
from ledger.commands.inputs import ImportFile
from ledger.context import Context
from ledger.db import writing
from ledger.domain.errors import LOCATION, Invalid
from ledger.policy import may_import_reports, require_importer


def import_reports(ctx: Context, upload: ImportFile,
                   progress: reports.Progress | None = None) -> reports.Summary:
    """Check every row of the file, then report them all in one transaction."""
    require_importer(ctx.actor)
    # the import's entry in the same transaction; its rows' many short-lived objects
    with writing(ctx.session, late_lock=True), young_garbage_only():
        _, written = reports.submit(ctx, upload.rows, may_import_reports, _refuse_all(upload),
                                    progress=progress)
        summary = written.summary
        if summary.created or summary.revised:
            _journal(ctx, "investment.import", upload, vars(summary))
    return summary


def import_funds(ctx: Context, upload: ImportFile,
                 progress: funds.Progress | None = None) -> funds.Summary:
    """Check every receipt of the file, then record them all in one transaction."""
    require_importer(ctx.actor)
    with writing(ctx.session, late_lock=True), young_garbage_only():
        ids, postings = funds.submit(ctx, upload.rows, may_import_reports, _refuse_all(upload),
                                     progress=progress)
        summary = funds.Summary(len(upload.rows), len(ids), len(postings))
        _journal(ctx, "funds.import", upload, vars(summary))
    return summary


def _refuse_all(upload: ImportFile) -> Callable[[list[Refusal]], None]:
    """The pipeline's `refuse` for a file: raise every problem of every row at once, those the
    reader found and those of the pipeline, by row number, else nothing."""
    def refuse(refusals: list[Refusal]) -> None:
        problems = {n: {f: list(ps) for f, ps in fields.items()}
                    for n, fields in upload.refused.items()}
        for r in refusals:
            problems.setdefault(r.row, {}).setdefault(r.field, []).append(r.error.message)
        if problems:
            raise Invalid("import.invalid_rows", count=len(problems), errors={LOCATION: {
                str(n): problems[n] for n in sorted(problems)}})
    return refuse


def _journal(ctx: Context, action: str, upload: ImportFile, summary: dict) -> None:
    audit(ctx, action, "import", upload.sha256[:40], None,
          {"file": upload.name, "sha256": upload.sha256} | summary)
