"""Assessment years (考核年度): closed by the statistics bureau after the assessment, reopened
with a reason. A closed year refuses every change to its figures.

A year whose checklist (queries.checklist) still lists open items closes only when the close
names the digest of that very list: whoever closes has seen what stays open, and a list that
changed since it was shown is refused with the new one."""

from __future__ import annotations

import sqlalchemy as sa

from ledger import postings
from ledger.commands import checkpoints, notify
from ledger.commands.common import audit
from ledger.context import Context
from ledger.db import writing
from ledger.domain.enums import YearAction, YearStatus
from ledger.domain.errors import Conflict
from ledger.domain.periods import parse_year
from ledger.models import AssessmentYear, InvestmentReport, YearEvent
from ledger.policy import require_year_keeper
from ledger.queries import checklist


def close_year(ctx: Context, year: int, checklist_digest: str | None = None) -> AssessmentYear:
    """Close the year and sign a checkpoint of the ledger as closed. With open items on the
    year's checklist, `checklist_digest` must be the digest of the list as it stands (409
    year.checklist_open carrying the list otherwise); the journal records what was confirmed."""
    require_year_keeper(ctx.actor)
    year = parse_year(year)
    key = checkpoints.signing_key(ctx)
    with writing(ctx.session) as session:
        row = session.get(AssessmentYear, year) or AssessmentYear(year=year, status=YearStatus.OPEN)
        if row.status == YearStatus.CLOSED:
            raise Conflict("year.already_closed", year=year)
        shown = checklist.of_year(session, year, ctx.today())
        confirmed = {}
        if shown.open_items:
            if checklist_digest != shown.digest:
                raise Conflict("year.checklist_open", year=year, count=shown.open_items,
                               extra={"checklist": shown.data() | {"digest": shown.digest}})
            confirmed = {"checklist_digest": shown.digest, "open_items": shown.open_items}
        row.status, row.changed_at = YearStatus.CLOSED, ctx.now()
        session.add(row)
        session.flush()
        closed = YearEvent(year=year, action=YearAction.CLOSE, actor_id=ctx.actor.id,
                           at=row.changed_at)
        session.add(closed)
        session.flush()
        notify.noted(session, year_events=[closed.id])
        audit(ctx, "year.close", "year", year, {"status": YearStatus.OPEN},
              {"status": YearStatus.CLOSED} | confirmed, at=row.changed_at)
        checkpoints.write(ctx, key, ctx.now(), f"year {year} closed")
    return row


def reopen_year(ctx: Context, year: int, reason: str) -> AssessmentYear:
    require_year_keeper(ctx.actor)
    year = parse_year(year)
    with writing(ctx.session) as session:
        row = session.get(AssessmentYear, year)
        if row is None or row.status != YearStatus.CLOSED:
            raise Conflict("year.not_closed", year=year)
        row.status, row.changed_at = YearStatus.OPEN, ctx.now()
        session.flush()
        reopened = YearEvent(year=year, action=YearAction.REOPEN, reason=reason,
                             actor_id=ctx.actor.id, at=row.changed_at)
        session.add(reopened)
        session.flush()
        notify.noted(session, year_events=[reopened.id])
        # Catch up anything that could not be posted while the year was closed.
        projects = set(session.scalars(sa.select(InvestmentReport.project_id).distinct()
                                       .where(InvestmentReport.year == year)))
        projects |= postings.funds_projects(session, year)
        postings.reconcile(session, [(p, year) for p in projects], f"reopen:{year}", ctx.now())
        audit(ctx, "year.reopen", "year", year, {"status": YearStatus.CLOSED},
              {"status": YearStatus.OPEN, "reason": reason}, at=row.changed_at)
    return row
