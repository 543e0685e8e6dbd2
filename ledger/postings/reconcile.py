"""The reconciler: the only code that appends postings.

For each affected (project, year) it computes the desired amounts per (period, region, role)
with the pure domain rule, subtracts what is already posted and appends the differences as new
postings, each chained to the previous one. Callers hold the write lock (ledger.db.writing), so
appends are serialized and `seq` is gap-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.domain import coverage, workflow
from ledger.domain.attribution import desired_for_year
from ledger.domain.enums import PostingRole, YearStatus
from ledger.domain.errors import Conflict
from ledger.domain.periods import year_of, year_prefix
from ledger.models import Agreement, AssessmentYear, InvestmentReport, Posting, Project
from ledger.postings.chain import HASH_VERSION, chain_hash, head

ROLE_ORDER = {PostingRole.HOST: 0, PostingRole.RECOMMENDER: 1, PostingRole.RECEIVER: 2}


# ---------------------------------------------------------------- desired state

@dataclass(frozen=True)
class Applicable:
    """The agreement version in force for a project-year (None fields when none applies)."""

    agreement_id: int | None = None
    version: int | None = None
    share_bp: int | None = None
    recommender_code: str | None = None
    receiver_code: str | None = None


def filed_terms(agreement: Agreement) -> list[coverage.Term]:
    return [v.term for v in agreement.versions if v.status in workflow.COUNTS_FOR_COVERAGE]


def applicable(agreement: Agreement | None, year: int) -> Applicable:
    term = None if agreement is None else coverage.in_force(filed_terms(agreement), year)
    if term is None:
        return Applicable()
    return Applicable(agreement.id, term.version, term.share_bp,
                      agreement.recommender_code, agreement.receiver_code)


def current_amounts(session: Session, project_id: int, year: int) -> dict[str, int]:
    """period → the newest revision's amount, for one project and year."""
    newest = (
        sa.select(InvestmentReport.period, sa.func.max(InvestmentReport.revision).label("rev"))
        .where(InvestmentReport.project_id == project_id,
               InvestmentReport.period.like(f"{year_prefix(year)}%"))
        .group_by(InvestmentReport.period)
        .subquery()
    )
    rows = session.execute(
        sa.select(InvestmentReport.period, InvestmentReport.amount).join(
            newest, sa.and_(InvestmentReport.period == newest.c.period,
                            InvestmentReport.revision == newest.c.rev))
        .where(InvestmentReport.project_id == project_id)
    )
    return {period: amount for period, amount in rows}


def desired(project: Project, amounts: dict[str, int], rule: Applicable) -> dict[tuple[str, str, str], int]:
    """(period, region_code, role) → amount that should be posted."""
    by_role = desired_for_year(amounts, rule.share_bp)
    region_of = {PostingRole.HOST: project.host_code, PostingRole.RECOMMENDER: rule.recommender_code,
                 PostingRole.RECEIVER: rule.receiver_code}
    return {(period, region_of[role], role): amount for (period, role), amount in by_role.items()}


def posted(session: Session, project_id: int, year: int) -> dict[tuple[str, str, str], int]:
    rows = session.execute(
        sa.select(Posting.period, Posting.region_code, Posting.role, sa.func.sum(Posting.amount))
        .where(Posting.project_id == project_id, Posting.period.like(f"{year_prefix(year)}%"))
        .group_by(Posting.period, Posting.region_code, Posting.role)
    )
    return {(period, region, role): int(total) for period, region, role, total in rows}


def differences(session: Session, project: Project, agreement: Agreement | None,
                year: int) -> tuple[Applicable, dict[tuple[str, str, str], int]]:
    rule = applicable(agreement, year)
    want = desired(project, current_amounts(session, project.id, year), rule)
    have = posted(session, project.id, year)
    diff = {k: want.get(k, 0) - have.get(k, 0) for k in want.keys() | have.keys()}
    return rule, {k: d for k, d in diff.items() if d != 0}


def live_agreement(session: Session, project_id: int) -> Agreement | None:
    """The project's agreement chain that is not withdrawn or declined (at most one)."""
    return session.scalar(sa.select(Agreement).where(Agreement.project_id == project_id,
                                                     Agreement.ended_as.is_(None)))


def closed_years(session: Session) -> set[int]:
    return set(session.scalars(
        sa.select(AssessmentYear.year).where(AssessmentYear.status == YearStatus.CLOSED)))


def project_years(session: Session, project_id: int) -> set[int]:
    """Every year in which the project has reports or postings."""
    periods = session.scalars(
        sa.select(InvestmentReport.period).where(InvestmentReport.project_id == project_id)
        .union(sa.select(Posting.period).where(Posting.project_id == project_id)))
    return {year_of(p) for p in periods}


# ---------------------------------------------------------------- appending

def reconcile(session: Session, targets: Iterable[tuple[int, int]], cause: str,
              now: datetime) -> list[Posting]:
    """Bring the postings of each (project_id, year) in line with the desired state.

    Raises Conflict, before anything is written, if a closed year would change."""
    closed = closed_years(session)
    planned: list[tuple[Project, tuple[int | None, int | None], dict]] = []
    for project_id, year in sorted(set(targets)):
        project = session.get(Project, project_id)
        agreement = live_agreement(session, project_id)
        rule, diff = differences(session, project, agreement, year)
        if diff and year in closed:
            raise Conflict("year.closed_figures", year=year)
        if diff:
            planned.append((project, _reference(agreement, rule), diff))

    seq, prev = head(session)
    written: list[Posting] = []
    for project, (agreement_id, version), diff in planned:
        for (period, region, role) in sorted(diff, key=lambda k: (k[0], ROLE_ORDER[k[2]], k[1])):
            seq += 1
            on_agreement = role != PostingRole.HOST
            p = Posting(seq=seq, project_id=project.id, host_code=project.host_code,
                        agreement_id=agreement_id if on_agreement else None,
                        version=version if on_agreement else None,
                        region_code=region, role=role, period=period,
                        amount=diff[(period, region, role)], cause=cause, recorded_at=now,
                        hash_version=HASH_VERSION, prev_hash=prev)
            p.hash = prev = chain_hash(prev, p)
            written.append(p)
    session.add_all(written)
    session.flush()
    return written


def _reference(agreement: Agreement | None, rule: Applicable) -> tuple[int | None, int | None]:
    """The agreement version recorded on recommender/receiver postings: the one in force, or —
    when a year has just left every version's coverage (a termination) and the split is being
    reversed — the newest filed version, whose filing caused the reversal."""
    if rule.agreement_id is not None or agreement is None:
        return rule.agreement_id, rule.version
    filed = [t.version for t in filed_terms(agreement)]
    return (agreement.id, max(filed)) if filed else (None, None)
