"""The reconciler: the only code that writes postings.

For each affected (project, year) it computes the desired amounts per (period, region, role)
with the pure domain rule, subtracts what is already posted and appends the differences as new
postings, each chained to the previous one by SHA-256. Callers hold the write lock
(ledger.db.writing), so appends are serialized and `seq` is gap-free.

Canonical encoding, hash_version 1 — the UTF-8 bytes of the compact JSON array
    [1, seq, project_id, agreement_id|null, version|null, region_code, role, period,
     "<amount as an integer string of 0.01万元>", cause, "<recorded_at YYYY-MM-DDTHH:MM:SS.ffffffZ>"]
(separators "," and ":", non-ASCII characters unescaped);
hash = hex(SHA-256(prev_hash as 64 ASCII hex digits ‖ encoding)); the first prev_hash is 64 zeros.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.domain import coverage
from ledger.domain.attribution import desired_for_year
from ledger.domain.errors import Conflict
from ledger.models import Agreement, AssessmentYear, InvestmentReport, Posting, Project

HASH_VERSION = 1
GENESIS_HASH = "0" * 64
ROLE_ORDER = {"host": 0, "recommender": 1, "receiver": 2}


def canonical_encoding(p: Posting) -> bytes:
    recorded = p.recorded_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    row = [HASH_VERSION, p.seq, p.project_id, p.agreement_id, p.version, p.region_code, p.role,
           p.period, str(p.amount), p.cause, recorded]
    return json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def chain_hash(prev_hash: str, p: Posting) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_encoding(p)).hexdigest()


def head(session: Session) -> Posting | None:
    return session.scalars(sa.select(Posting).order_by(Posting.seq.desc()).limit(1)).first()


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
    return [coverage.Term(v.version, v.first_year, v.last_year)
            for v in agreement.versions if v.status in ("filed", "superseded")]


def applicable(agreement: Agreement | None, year: int) -> Applicable:
    if agreement is None:
        return Applicable()
    version = coverage.in_force(filed_terms(agreement), year)
    if version is None:
        return Applicable()
    v = next(v for v in agreement.versions if v.version == version)
    return Applicable(agreement.id, version, v.recommender_share,
                      agreement.recommender_code, agreement.receiver_code)


def current_amounts(session: Session, project_id: int, year: int) -> dict[str, int]:
    """period → the newest revision's amount, for one project and year."""
    newest = (
        sa.select(InvestmentReport.period, sa.func.max(InvestmentReport.revision).label("rev"))
        .where(InvestmentReport.project_id == project_id,
               InvestmentReport.period.like(f"{year:04d}-%"))
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
    region_of = {"host": project.host_code, "recommender": rule.recommender_code,
                 "receiver": rule.receiver_code}
    return {(period, region_of[role], role): amount for (period, role), amount in by_role.items()}


def posted(session: Session, project_id: int, year: int) -> dict[tuple[str, str, str], int]:
    rows = session.execute(
        sa.select(Posting.period, Posting.region_code, Posting.role, sa.func.sum(Posting.amount))
        .where(Posting.project_id == project_id, Posting.period.like(f"{year:04d}-%"))
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


def closed_years(session: Session) -> set[int]:
    return set(session.scalars(
        sa.select(AssessmentYear.year).where(AssessmentYear.status == "closed")))


# ---------------------------------------------------------------- appending

def reconcile(session: Session, targets: Iterable[tuple[int, int]], cause: str,
              now: datetime | None = None) -> list[Posting]:
    """Bring the postings of each (project_id, year) in line with the desired state.

    Raises Conflict, before anything is written, if a closed year would change."""
    now = now or datetime.now(UTC)
    closed = closed_years(session)
    planned: list[tuple[Project, tuple[int | None, int | None], dict]] = []
    for project_id, year in sorted(set(targets)):
        project = session.get(Project, project_id)
        agreement = session.scalars(
            sa.select(Agreement).where(Agreement.project_id == project_id)).first()
        rule, diff = differences(session, project, agreement, year)
        if diff and year in closed:
            raise Conflict(f"assessment year {year} is closed; reopen it before changing its figures")
        if diff:
            planned.append((project, _reference(agreement, rule), diff))

    last = head(session)
    seq, prev = (last.seq, last.hash) if last else (0, GENESIS_HASH)
    written: list[Posting] = []
    for project, (agreement_id, version), diff in planned:
        for (period, region, role) in sorted(diff, key=lambda k: (k[0], ROLE_ORDER[k[2]], k[1])):
            seq += 1
            on_agreement = role != "host"
            p = Posting(seq=seq, project_id=project.id,
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


def project_years(session: Session, project_id: int) -> set[int]:
    """Every year in which the project has reports or postings."""
    periods = session.scalars(
        sa.select(InvestmentReport.period).where(InvestmentReport.project_id == project_id)
        .union(sa.select(Posting.period).where(Posting.project_id == project_id)))
    return {int(p[:4]) for p in periods}


# ---------------------------------------------------------------- verification

@dataclass
class Verification:
    ok: bool
    postings: int
    head_seq: int | None
    head_hash: str | None
    first_bad_seq: int | None
    problems: list[str]


def verify(session: Session) -> Verification:
    """Recompute the hash chain, then check that every project-year is fully reconciled
    (which implies Σ postings = reported total and recommender total = split(total)).

    Reads what is committed, from one snapshot in a session of its own: under PostgreSQL's
    READ COMMITTED each query would see a different moment, so a writer committing between
    two of them made a valid ledger look broken; and the caller's session may hold objects
    cached before the database changed (sessions keep objects across commits)."""
    bind = session.get_bind()
    with Session(bind) as snapshot:
        if bind.dialect.name == "postgresql":
            snapshot.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        return _verify(snapshot)


def _verify(session: Session) -> Verification:
    problems: list[str] = []
    first_bad: int | None = None
    prev, expected_seq, count, last = GENESIS_HASH, 1, 0, None
    for p in session.scalars(sa.select(Posting).order_by(Posting.seq)).yield_per(2000):
        count += 1
        if first_bad is None:
            if p.seq != expected_seq:
                first_bad = expected_seq
                problems.append(f"seq {expected_seq} is missing (found {p.seq})")
            elif p.prev_hash != prev or p.hash_version != HASH_VERSION or chain_hash(prev, p) != p.hash:
                first_bad = p.seq
                problems.append(f"seq {p.seq}: hash does not match its contents or predecessor")
        prev, expected_seq, last = p.hash, p.seq + 1, p
    for project_id in session.scalars(sa.select(Project.id).order_by(Project.id)):
        project = session.get(Project, project_id)
        agreement = session.scalars(
            sa.select(Agreement).where(Agreement.project_id == project_id)).first()
        for year in sorted(project_years(session, project_id)):
            _, diff = differences(session, project, agreement, year)
            if diff:
                problems.append(f"project {project_id} year {year}: postings differ from the "
                                f"attribution rule by {len(diff)} line(s)")
    return Verification(not problems, count, last.seq if last else None,
                        last.hash if last else None, first_bad, problems)
