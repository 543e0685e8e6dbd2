"""Bulk import of monthly reports (SPEC §5 `POST /investments/import`, §6 `ledger import`).

Every row is checked before anything is written, and every problem of every row is reported
at once: the request rules the adapter already applied (ImportFile.refused), then the rules
that need the database — the project exists and this user may report for it (a project the
user may not see is reported exactly like a missing one), it is landed, the month is not in
the future nor before the month the project started construction, the same project and month
do not appear twice in the file, and the year of a row that would change something is not
closed (a row equal to what is recorded changes nothing,
as with PUT). Any problem → Invalid naming each row and field, nothing written.

The checks and the plan of the writes (every project-year reconciled once, from set-based
reads: commands.investments.prepare) come before the write lock; then all rows are written in
ONE transaction by commands.investments.write_reports: reports, postings and journal entries by
executemany, the postings chained in one append. The rows of a project-year always go into the
same batch; batches only bound memory and report progress, all inside the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger import postings
from ledger.commands.common import audit, read_then_lock
from ledger.commands.inputs import ImportFile, ImportRow
from ledger.commands.investments import Checked, Prepared, prepare, write_reports
from ledger.context import Context
from ledger.db import writing
from ledger.domain import dates, stages
from ledger.domain.errors import LOCATION, Invalid, Problem
from ledger.domain.limits import CHUNK
from ledger.domain.periods import period_of, year_of
from ledger.models import InvestmentReport, Project
from ledger.policy import Actor, may_import_reports, projects_seen_by, require_importer

BATCH_ROWS = 5000    # rows per batch of write_reports between two progress reports

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
    started_on: date | None


def import_reports(ctx: Context, upload: ImportFile,
                   progress: Progress | None = None) -> ImportSummary:
    """Check every row of the file, then report them all in one transaction."""
    require_importer(ctx.actor)

    def read() -> tuple[int, Prepared]:
        """Every check and the plan of every write, before the write lock (read_then_lock)."""
        problems: dict[int, dict[str, list]] = {n: dict(p) for n, p in upload.refused.items()}
        resolved = _check(ctx, session, upload.rows, problems)
        if problems:
            raise Invalid("import.invalid_rows", count=len(problems), errors={LOCATION: {
                str(n): problems[n] for n in sorted(problems)}})
        changing = [r for r in resolved if r.previous is None or r.previous[1] != r.amount]
        return len(resolved) - len(changing), prepare(ctx, changing, postings.closed_years(session))

    with writing(ctx.session, late_lock=True) as session:
        unchanged, prepared = read_then_lock(session, read)
        done = write_reports(ctx, prepared, batch_rows=BATCH_ROWS, progress=progress)
        summary = ImportSummary(len(upload.rows), done.created, done.revised, unchanged,
                                done.postings)
        if summary.created or summary.revised:
            audit(ctx, "investment.import", "import", upload.sha256[:40], None,
                  {"file": upload.name, "sha256": upload.sha256} | vars(summary))
    return summary


# ------------------------------------------------------------------ checks

def _check(ctx: Context, session: Session, rows: Sequence[ImportRow],
           problems: dict[int, dict[str, list]]) -> list[Checked]:
    """Each row with its project, adding the problems of those that break a rule."""
    def refuse(row: ImportRow, field: str, problem: Problem) -> None:
        problems.setdefault(row.row, {}).setdefault(field, []).append(problem)

    by_id, by_code = _visible(session, ctx.actor, rows)
    closed = postings.closed_years(session)
    today = ctx.today()
    newest = _newest_revisions(session, {p.id for p in by_id.values()} | {p.id for p in by_code.values()})
    first_row: dict[tuple[int, str], int] = {}
    resolved: list[Checked] = []
    for row in rows:
        project = _project_of(row, by_id, by_code, refuse)
        if dates.future_period(row.period, today):
            refuse(row, "period", Problem("period.future"))
        if project is None:
            continue
        field = "project_id" if row.project_id is not None else "project_code"
        if not may_import_reports(ctx.actor, project.host_code):
            refuse(row, field, Problem("forbidden.host_only"))
            continue
        if not stages.landed(project.stage):
            refuse(row, field, Problem("report.not_landed", stage=project.stage))
        elif stages.before_start(row.period, project.started_on):
            refuse(row, "period", Problem("report.before_start",
                                          started=period_of(project.started_on)))
        key = (project.id, row.period)
        if key in first_row:
            refuse(row, field, Problem("import.duplicate_row", row=first_row[key]))
        first_row.setdefault(key, row.row)
        year = year_of(row.period)
        previous = newest.get(key)
        if year in closed and (previous is None or previous[1] != row.amount):
            refuse(row, "period", Problem("year.closed", year=year))
        resolved.append(Checked(project.id, row.period, row.amount, row.note, previous))
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
    columns = (Project.id, Project.project_code, Project.host_code, Project.stage,
               Project.started_on)
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


def _newest_revisions(session: Session, project_ids: Iterable[int]
                      ) -> dict[tuple[int, str], tuple[int, int]]:
    """(project, period) → (revision, amount) of its newest revision."""
    out: dict[tuple[int, str], tuple[int, int]] = {}
    for chunk in _chunks(sorted(project_ids)):
        query = sa.select(InvestmentReport.project_id, InvestmentReport.period,
                          InvestmentReport.revision, InvestmentReport.amount
                          ).where(InvestmentReport.project_id.in_(chunk))
        for project_id, period, revision, amount in session.execute(query):
            key = (project_id, period)
            if key not in out or out[key][0] < revision:
                out[key] = (revision, amount)
    return out


def _chunks(keys: list) -> Iterable[list]:
    for start in range(0, len(keys), CHUNK):
        yield keys[start:start + CHUNK]
