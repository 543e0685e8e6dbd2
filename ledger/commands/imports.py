"""Bulk import of monthly reports (SPEC §5 `POST /investments/import`, §6 `ledger import`).

Every row is checked before anything is written, and every problem of every row is reported
at once: the request rules the adapter already applied (ImportFile.refused), then the rules
that need the database — the project exists and this user may report for it (a project the
user may not see is reported exactly like a missing one), it is landed, the month is not in
the future, the same project and month do not appear twice in the file, and the year of a row
that would change something is not closed (a row equal to what is recorded changes nothing,
as with PUT). Any problem → Invalid naming each row and field, nothing written.

Then all rows are written in ONE transaction through the bulk path of
commands.investments.report_investments (one reconcile per project-year). The rows of a
project-year always go into the same call; calls are grouped into batches only to report
progress, all inside the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger import postings
from ledger.commands.common import audit
from ledger.commands.inputs import ImportFile, ImportRow, ReportInput
from ledger.commands.investments import report_investments
from ledger.context import Context
from ledger.db import writing
from ledger.domain import stages
from ledger.domain.errors import Invalid, Problem
from ledger.domain.periods import period_of, year_of
from ledger.models import InvestmentReport, Project
from ledger.policy import Actor, may_import_reports, projects_seen_by, require_importer

LOCATION = "file"    # the API's errors.file: {row: {field: [problems]}}
BATCH_ROWS = 2000    # rows per call of report_investments between two progress reports
CHUNK = 900          # ids per IN (…) list: well under SQLite's limit of bound parameters

Progress = Callable[[int, int], None]  # (rows written so far, rows in the file)


@dataclass(frozen=True)
class ImportSummary:
    rows: int        # data rows in the file
    created: int     # months reported for the first time (revision 1)
    revised: int     # months given a new revision
    unchanged: int   # rows equal to the newest revision: nothing written
    postings: int    # postings appended


@dataclass(frozen=True)
class _Known:
    id: int
    project_code: str | None
    host_code: str
    stage: str


def import_reports(ctx: Context, upload: ImportFile,
                   progress: Progress | None = None) -> ImportSummary:
    """Check every row of the file, then report them all in one transaction."""
    require_importer(ctx.actor)
    problems: dict[int, dict[str, list]] = {n: dict(p) for n, p in upload.refused.items()}
    with writing(ctx.session) as session:
        resolved = _check(ctx, session, upload.rows, problems)
        if problems:
            raise Invalid("import.invalid_rows", count=len(problems), errors={LOCATION: {
                str(n): problems[n] for n in sorted(problems)}})
        summary = _write(ctx, resolved, progress)
        if summary.created or summary.revised:
            audit(ctx, "investment.import", "import", upload.sha256[:40], None,
                  {"file": upload.name, "sha256": upload.sha256} | vars(summary))
    return summary


# ------------------------------------------------------------------ checks

def _check(ctx: Context, session: Session, rows: Sequence[ImportRow],
           problems: dict[int, dict[str, list]]) -> list[tuple[ImportRow, _Known]]:
    """Each row with its project, adding the problems of those that break a rule."""
    def refuse(row: ImportRow, field: str, problem: Problem) -> None:
        problems.setdefault(row.row, {}).setdefault(field, []).append(problem)

    by_id, by_code = _visible(session, ctx.actor, rows)
    closed = postings.closed_years(session)
    this_month = period_of(ctx.today())
    newest = _newest_amounts(session, {p.id for p in by_id.values()} | {p.id for p in by_code.values()})
    first_row: dict[tuple[int, str], int] = {}
    resolved: list[tuple[ImportRow, _Known]] = []
    for row in rows:
        project = _project_of(row, by_id, by_code, refuse)
        if row.period > this_month:
            refuse(row, "period", Problem("period.future"))
        if project is None:
            continue
        field = "project_id" if row.project_id is not None else "project_code"
        if not may_import_reports(ctx.actor, project.host_code):
            refuse(row, field, Problem("forbidden.host_only"))
            continue
        if not stages.landed(project.stage):
            refuse(row, field, Problem("report.not_landed", stage=project.stage))
        key = (project.id, row.period)
        if key in first_row:
            refuse(row, field, Problem("import.duplicate_row", row=first_row[key]))
        first_row.setdefault(key, row.row)
        year = year_of(row.period)
        if year in closed and newest.get(key) != row.amount:
            refuse(row, "period", Problem("year.closed", year=year))
        resolved.append((row, project))
    return resolved


def _project_of(row: ImportRow, by_id: dict[int, _Known], by_code: dict[str, _Known],
                refuse) -> _Known | None:
    """The row's project among those the user may see; the same "not found" for a project
    that does not exist and one the user may not see."""
    found_by_id = found_by_code = None
    if row.project_id is not None:
        found_by_id = by_id.get(row.project_id)
        if found_by_id is None:
            refuse(row, "project_id", Problem("resource.not_found", what="project",
                                               key=row.project_id))
    if row.project_code is not None:
        found_by_code = by_code.get(row.project_code)
        if found_by_code is None:
            refuse(row, "project_code", Problem("resource.not_found", what="project",
                                                 key=row.project_code))
    if found_by_id and found_by_code and found_by_id.id != found_by_code.id:
        refuse(row, "project_code", Problem("import.project_mismatch", project_id=row.project_id,
                                            project_code=row.project_code))
        return None
    if (row.project_id is not None and found_by_id is None) or \
            (row.project_code is not None and found_by_code is None):
        return None
    return found_by_id or found_by_code


def _visible(session: Session, actor: Actor, rows: Sequence[ImportRow]
             ) -> tuple[dict[int, _Known], dict[str, _Known]]:
    """The projects the rows name, among those the user may see (policy.projects_seen_by)."""
    ids = sorted({r.project_id for r in rows if r.project_id is not None})
    codes = sorted({r.project_code for r in rows if r.project_code is not None})
    columns = (Project.id, Project.project_code, Project.host_code, Project.stage)
    by_id: dict[int, _Known] = {}
    by_code: dict[str, _Known] = {}
    for column, keys in ((Project.id, ids), (Project.project_code, codes)):
        for chunk in _chunks(keys):
            query = sa.select(*columns).where(column.in_(chunk), projects_seen_by(actor))
            for found in session.execute(query):
                known = _Known(*found)
                by_id[known.id] = known
                if known.project_code is not None:
                    by_code[known.project_code] = known
    return by_id, by_code


def _newest_amounts(session: Session, project_ids: Iterable[int]) -> dict[tuple[int, str], int]:
    """(project, period) → the amount of its newest revision."""
    out: dict[tuple[int, str], tuple[int, int]] = {}
    for chunk in _chunks(sorted(project_ids)):
        query = sa.select(InvestmentReport.project_id, InvestmentReport.period,
                          InvestmentReport.revision, InvestmentReport.amount
                          ).where(InvestmentReport.project_id.in_(chunk))
        for project_id, period, revision, amount in session.execute(query):
            key = (project_id, period)
            if key not in out or out[key][0] < revision:
                out[key] = (revision, amount)
    return {key: amount for key, (_, amount) in out.items()}


def _chunks(keys: list) -> Iterable[list]:
    for start in range(0, len(keys), CHUNK):
        yield keys[start:start + CHUNK]


# ------------------------------------------------------------------ writing

def _write(ctx: Context, resolved: list[tuple[ImportRow, _Known]],
           progress: Progress | None) -> ImportSummary:
    """All rows through report_investments, whole project-years per call, in the transaction
    the caller holds."""
    groups: dict[tuple[int, int], list[ReportInput]] = {}
    for row, project in resolved:
        groups.setdefault((project.id, year_of(row.period)), []).append(
            ReportInput(project.id, row.period, row.amount, row.note))
    total = len(resolved)
    created = revised = unchanged = 0
    seqs: set[int] = set()
    batch: list[ReportInput] = []
    done = 0

    def flush() -> None:
        nonlocal created, revised, unchanged, done
        for result in report_investments(ctx, batch, bulk=True):
            if not result.created:
                unchanged += 1
            elif result.report.revision == 1:
                created += 1
            else:
                revised += 1
            seqs.update(p.seq for p in result.postings)
        done += len(batch)
        batch.clear()
        if progress is not None:
            progress(done, total)

    for group in groups.values():
        batch.extend(group)
        if len(batch) >= BATCH_ROWS:
            flush()
    if batch:
        flush()
    return ImportSummary(total, created, revised, unchanged, len(seqs))
