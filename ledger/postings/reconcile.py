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
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, lazyload

from ledger.db import lock_for_append
from ledger.domain import coverage, workflow
from ledger.domain.attribution import desired_for_year
from ledger.domain.enums import PostingRole, YearStatus
from ledger.domain.errors import Conflict
from ledger.domain.periods import year_of
from ledger.models import Agreement, AssessmentYear, Balance, InvestmentReport, Posting, Project
from ledger.postings.chain import HASH_VERSION, head, row_hash

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

CHUNK = 900  # ids per IN (…) list: well under SQLite's limit of bound parameters
NEWEST = float("inf")  # the revision number of an incoming report: newer than any


@dataclass
class Planned:
    """What one (project, year) needs appended: the differences and what the postings name."""

    project_id: int
    host_code: str
    year: int
    reference: tuple[int | None, int | None]   # (agreement_id, version) on non-host postings
    diff: dict[tuple[str, str, str], int]


def plan(session: Session, targets: Iterable[tuple[int, int]], closed: set[int] | None = None,
         incoming: dict[tuple[int, str], int] | None = None) -> list[Planned]:
    """The differences of every (project_id, year) in `targets`, read set-based: a few queries
    per 900 projects, however many targets (the bulk path reconciles thousands at once).
    `incoming`: (project_id, period) → the amount of a new revision not written yet, which
    counts as the newest (so a command can plan before it writes anything). Raises Conflict if
    a closed year would change; the order of `targets` is kept."""
    closed = closed_years(session) if closed is None else closed
    order = list(dict.fromkeys(targets))
    years: dict[int, set[int]] = {}
    for project_id, year in order:
        years.setdefault(project_id, set()).add(year)
    hosts: dict[int, str] = {}
    agreements: dict[int, Agreement] = {}
    amounts: dict[tuple[int, int], dict[str, tuple[int, int]]] = {}
    have: dict[tuple[int, int], dict[tuple[str, str, str], int]] = {}
    ids = sorted(years)
    all_years = sorted(set().union(*years.values()))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        hosts.update(session.execute(sa.select(Project.id, Project.host_code)
                                     .where(Project.id.in_(chunk))).all())
        for agreement in session.scalars(
                sa.select(Agreement).where(Agreement.project_id.in_(chunk),
                                           Agreement.ended_as.is_(None))
                .options(lazyload(Agreement.events))):
            agreements[agreement.project_id] = agreement
        for project_id, period, revision, amount in session.execute(
                sa.select(InvestmentReport.project_id, InvestmentReport.period,
                          InvestmentReport.revision, InvestmentReport.amount)
                .where(InvestmentReport.project_id.in_(chunk),
                       InvestmentReport.year.in_(all_years))):
            year = year_of(period)
            if year in years[project_id]:
                month = amounts.setdefault((project_id, year), {})
                if period not in month or month[period][0] < revision:
                    month[period] = (revision, amount)
        for project_id, period, region, role, total in session.execute(
                sa.select(Posting.project_id, Posting.period, Posting.region_code, Posting.role,
                          sa.func.sum(Posting.amount))
                .where(Posting.project_id.in_(chunk), Posting.year.in_(all_years))
                .group_by(Posting.project_id, Posting.period, Posting.region_code, Posting.role)):
            year = year_of(period)
            if year in years[project_id]:
                have.setdefault((project_id, year), {})[(period, region, role)] = int(total)
    for (project_id, period), amount in (incoming or {}).items():
        year = year_of(period)
        if year in years.get(project_id, ()):
            amounts.setdefault((project_id, year), {})[period] = (NEWEST, amount)
    out: list[Planned] = []
    for project_id, year in order:
        agreement = agreements.get(project_id)
        rule = applicable(agreement, year)
        current = {p: amount for p, (_, amount) in amounts.get((project_id, year), {}).items()}
        want = desired_at(hosts[project_id], current, rule)
        posted_ = have.get((project_id, year), {})
        diff = {k: want.get(k, 0) - posted_.get(k, 0) for k in want.keys() | posted_.keys()}
        diff = {k: d for k, d in diff.items() if d != 0}
        if diff and year in closed:
            raise Conflict("year.closed_figures", year=year)
        if diff:
            out.append(Planned(project_id, hosts[project_id], year,
                               _reference(agreement, rule), diff))
    return out


def posting_rows(planned: Planned, cause: str, now: datetime,
                 head_: tuple[int, str]) -> list[dict]:
    """The postings of one plan as rows chained after `head_` (the last is the new head)."""
    seq, prev = head_
    agreement_id, version = planned.reference
    rows = []
    diff = planned.diff
    for (period, region, role) in sorted(diff, key=lambda k: (k[0], ROLE_ORDER[k[2]], k[1])):
        seq += 1
        on_agreement = role != PostingRole.HOST
        row = {"seq": seq, "project_id": planned.project_id, "host_code": planned.host_code,
               "agreement_id": agreement_id if on_agreement else None,
               "version": version if on_agreement else None, "region_code": region,
               "role": role, "period": period, "year": planned.year,
               "amount": diff[(period, region, role)],
               "cause": cause, "recorded_at": now, "hash_version": HASH_VERSION,
               "prev_hash": prev}
        row["hash"] = prev = row_hash(prev, row)
        rows.append(row)
    return rows


def insert_postings(session: Session, rows: list[dict]) -> None:
    """One executemany of chained posting rows (the caller holds the write lock), and the
    running balances they move, in the same transaction."""
    if not rows:
        return
    conn = session.connection()
    conn.execute(Posting.__table__.insert(), rows)
    moved: dict[tuple[int, str, str, str], int] = {}
    for r in rows:
        key = (r["year"], r["host_code"], r["region_code"], r["role"])
        moved[key] = moved.get(key, 0) + r["amount"]
    table = Balance.__table__
    insert = (sqlite_insert if conn.dialect.name == "sqlite" else postgresql_insert)(table)
    conn.execute(insert.on_conflict_do_update(
        index_elements=[table.c.year, table.c.host_code, table.c.region_code, table.c.role],
        set_={"amount": table.c.amount + insert.excluded.amount}),
        [{"year": y, "host_code": h, "region_code": g, "role": r, "amount": a}
         for (y, h, g, r), a in moved.items()])


def reconcile(session: Session, targets: Iterable[tuple[int, int]], cause: str,
              now: datetime) -> list[Posting]:
    """Bring the postings of each (project_id, year) in line with the desired state.

    Raises Conflict, before anything is written, if a closed year would change."""
    lock_for_append(session)
    planned = plan(session, sorted(set(targets)))
    head_ = head(session)
    rows: list[dict] = []
    for p in planned:
        rows += posting_rows(p, cause, now, head_)
        head_ = (rows[-1]["seq"], rows[-1]["hash"])
    insert_postings(session, rows)
    return [Posting(**row) for row in rows]


def desired_at(host_code: str, amounts: dict[str, int],
               rule: Applicable) -> dict[tuple[str, str, str], int]:
    """(period, region_code, role) → amount that should be posted."""
    by_role = desired_for_year(amounts, rule.share_bp)
    region_of = {PostingRole.HOST: host_code, PostingRole.RECOMMENDER: rule.recommender_code,
                 PostingRole.RECEIVER: rule.receiver_code}
    return {(period, region_of[role], role): amount for (period, role), amount in by_role.items()}


def _reference(agreement: Agreement | None, rule: Applicable) -> tuple[int | None, int | None]:
    """The agreement version recorded on recommender/receiver postings: the one in force, or —
    when a year has just left every version's coverage (a termination) and the split is being
    reversed — the newest filed version, whose filing caused the reversal."""
    if rule.agreement_id is not None or agreement is None:
        return rule.agreement_id, rule.version
    filed = [t.version for t in filed_terms(agreement)]
    return (agreement.id, max(filed)) if filed else (None, None)
