"""`ledger verify`: recompute the hash chain and check that every project-year is reconciled
(which implies Σ postings = reported total and the recommender's total = split(total))."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.models import Posting, Project
from ledger.postings.chain import GENESIS_HASH, HASH_VERSION, chain_hash
from ledger.postings.reconcile import differences, live_agreement, project_years


@dataclass
class Verification:
    ok: bool
    postings: int
    head_seq: int | None
    head_hash: str | None
    first_bad_seq: int | None
    problems: list[str]


def verify(session: Session) -> Verification:
    """Reads what is committed, from one snapshot in a session of its own: under PostgreSQL's
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
        agreement = live_agreement(session, project_id)
        for year in sorted(project_years(session, project_id)):
            _, diff = differences(session, project, agreement, year)
            if diff:
                problems.append(f"project {project_id} year {year}: postings differ from the "
                                f"attribution rule by {len(diff)} line(s)")
    return Verification(not problems, count, last.seq if last else None,
                        last.hash if last else None, first_bad, problems)
