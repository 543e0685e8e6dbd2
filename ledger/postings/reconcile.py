"""The reconciler: what the postings should be.

For each affected (project, year) it computes the desired amounts per (period, region, role)
with the pure domain rule and subtracts what is already posted (`plan`); the differences are
appended as new postings by the appender (ledger.postings.append), each chained to the previous
one. Callers hold the write lock (ledger.db.writing), so appends are serialized and `seq` is
gap-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.db import lock_for_append
from ledger.domain import coverage, workflow
from ledger.domain.attribution import desired_for_year
from ledger.domain.enums import Indicator, PostingRole, YearStatus
from ledger.domain.errors import Conflict
from ledger.domain.limits import CHUNK
from ledger.domain.periods import year_of
from ledger.models import (
    Agreement, AgreementVersion, AssessmentYear, FundsReceipt, InvestmentReport, Posting, Project,
)
from ledger.postings.append import ROLE_ORDER, Append, Planned

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


@dataclass(frozen=True)
class Terms:
    """What the reconciler needs of a live agreement: its parties and its filed terms (the
    versions that count for coverage, by version)."""

    agreement_id: int
    recommender_code: str
    receiver_code: str
    filed: list[coverage.Term]


def terms_of(agreement: Agreement) -> Terms:
    return Terms(agreement.id, agreement.recommender_code, agreement.receiver_code,
                 filed_terms(agreement))


def applicable(agreement: Agreement | None, year: int,
               indicator: str = Indicator.COMPLETED_INVESTMENT) -> Applicable:
    return applicable_terms(None if agreement is None else terms_of(agreement), year, indicator)


def applicable_terms(terms: Terms | None, year: int, indicator: str) -> Applicable:
    term = None if terms is None else coverage.in_force(terms.filed, year)
    if term is None:
        return Applicable()
    return Applicable(terms.agreement_id, term.version, term.share_of(indicator),
                      terms.recommender_code, terms.receiver_code)


_CLOSED_YEARS = sa.select(AssessmentYear.__table__.c.year).where(
    AssessmentYear.__table__.c.status == YearStatus.CLOSED)


def closed_years(session: Session) -> set[int]:
    return set(session.connection().scalars(_CLOSED_YEARS))


def project_years(session: Session, project_id: int) -> set[int]:
    """Every year in which the project has reports, receipts or postings."""
    periods = session.scalars(
        sa.select(InvestmentReport.period).where(InvestmentReport.project_id == project_id)
        .union(sa.select(FundsReceipt.period).where(FundsReceipt.project_id == project_id),
               sa.select(Posting.period).where(Posting.project_id == project_id)))
    return {year_of(p) for p in periods}


def funds_projects(session: Session, year: int) -> set[int]:
    """The projects with receipts in a year."""
    return set(session.scalars(sa.select(FundsReceipt.project_id).distinct()
                               .where(FundsReceipt.year == year)))


# ---------------------------------------------------------------- appending

_projects, _agreements = Project.__table__, Agreement.__table__
_versions, _reports, _postings = AgreementVersion.__table__, InvestmentReport.__table__, Posting.__table__
_funds = FundsReceipt.__table__
LINES = tuple(Indicator)
_IDS, _YEARS = sa.bindparam("ids", expanding=True), sa.bindparam("years", expanding=True)
# Built once: plain rows, no ORM objects (each project's host, its live agreement and the
# filed terms of that agreement, by version; a project-year's newest amounts and its postings).
_PROJECT_TERMS = (
    sa.select(_projects.c.id, _projects.c.host_code, _agreements.c.id, _agreements.c.recommender_code,
              _agreements.c.receiver_code, _versions.c.status, _versions.c.version,
              _versions.c.first_year, _versions.c.last_year, _versions.c.recommender_share,
              _versions.c.superseded_from, _versions.c.funds_share)
    .select_from(_projects.outerjoin(_agreements, sa.and_(_agreements.c.project_id == _projects.c.id,
                                                        Agreement.is_live))
                 .outerjoin(_versions, _versions.c.agreement_id == _agreements.c.id))
    .where(_projects.c.id.in_(_IDS))
    .order_by(_projects.c.id, _versions.c.version))
_AMOUNTS = (sa.select(_reports.c.project_id, _reports.c.period, _reports.c.revision,
                      _reports.c.amount)
            .where(_reports.c.project_id.in_(_IDS), _reports.c.year.in_(_YEARS)))
# Funds in place: a month's amount is the sum of its receipts that are not void.
_FUNDS = (sa.select(_funds.c.project_id, _funds.c.period, sa.func.sum(_funds.c.amount))
          .where(_funds.c.project_id.in_(_IDS), _funds.c.year.in_(_YEARS), ~_funds.c.voided)
          .group_by(_funds.c.project_id, _funds.c.period))
_POSTED = (sa.select(_postings.c.indicator, _postings.c.project_id, _postings.c.period,
                     _postings.c.region_code, _postings.c.role, sa.func.sum(_postings.c.amount))
           .where(_postings.c.project_id.in_(_IDS), _postings.c.year.in_(_YEARS),
                  _postings.c.indicator.in_(sa.bindparam("lines", expanding=True)))
           .group_by(_postings.c.indicator, _postings.c.project_id, _postings.c.period,
                     _postings.c.region_code, _postings.c.role))


def plan(session: Session, targets: Iterable[tuple[int, int]],
         incoming: dict[tuple[int, int], dict[str, int]] | None = None,
         lines: Iterable[str] = LINES,
         newest: dict[tuple[int, str], int] | None = None) -> list[Planned]:
    """The differences of every (project_id, year) in `targets` on each accounting line of
    `lines`, read set-based: a few queries per 900 projects, however many targets (the bulk
    path reconciles thousands at once). `incoming`: (project_id, year) → period → the completed
    investment of a new revision not written yet, which counts as the newest (so a report can
    be planned before it is written). `newest`: (project_id, period) → the newest completed
    investment of every reported month of the targets' years, when the caller has read them
    (a report's check): not read again. The order of `targets` is kept, and within a target the
    order of `lines`. Whether a year may change is the caller's: a report's check refuses a
    closed year row by row, reconcile() the rest."""
    session.flush()  # the reads below are Core statements, which do not autoflush
    lines = tuple(lines)
    order = list(dict.fromkeys(targets))
    years: dict[int, set[int]] = {}
    for project_id, year in order:
        years.setdefault(project_id, set()).add(year)
    hosts: dict[int, str] = {}
    agreements: dict[int, Terms] = {}
    # (line, project, year) → period → amount, and → (period, region, role) → posted
    amounts: dict[tuple[str, int, int], dict[str, int]] = {}
    have: dict[tuple[str, int, int], dict[tuple[str, str, str], int]] = {}
    ids = sorted(years)
    all_years = sorted(set().union(*years.values())) if years else []
    conn = session.connection()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        for (project_id, host_code, agreement_id, recommender, receiver, status,
             *term) in conn.execute(_PROJECT_TERMS, {"ids": chunk}):
            hosts[project_id] = host_code
            if agreement_id is None:
                continue
            terms = agreements.get(project_id)
            if terms is None:
                terms = agreements[project_id] = Terms(agreement_id, recommender, receiver, [])
            if status in workflow.COUNTS_FOR_COVERAGE:
                terms.filed.append(coverage.Term(*term))
        if Indicator.COMPLETED_INVESTMENT in lines and newest is None:
            found: dict[tuple[int, str], tuple[int, int]] = {}
            for project_id, period, revision, amount in conn.execute(
                    _AMOUNTS, {"ids": chunk, "years": all_years}):
                if year_of(period) in years[project_id]:
                    known = found.get((project_id, period))
                    if known is None or known[0] < revision:
                        found[(project_id, period)] = (revision, amount)
            for (project_id, period), (_, amount) in found.items():
                amounts.setdefault((Indicator.COMPLETED_INVESTMENT, project_id, year_of(period)),
                                   {})[period] = amount
        if Indicator.FUNDS_IN_PLACE in lines:
            for project_id, period, amount in conn.execute(
                    _FUNDS, {"ids": chunk, "years": all_years}):
                year = year_of(period)
                if year in years[project_id]:
                    amounts.setdefault((Indicator.FUNDS_IN_PLACE, project_id, year),
                                       {})[period] = int(amount)
        for line, project_id, period, region, role, total in conn.execute(
                _POSTED, {"ids": chunk, "years": all_years, "lines": list(lines)}):
            year = year_of(period)
            if year in years[project_id]:
                have.setdefault((line, project_id, year), {})[(period, region, role)] = int(total)
    return planned(order, lines, hosts, agreements, amounts, have, newest, incoming)


def planned(targets: Iterable[tuple[int, int]], lines: tuple[str, ...], hosts: dict[int, str],
            agreements: dict[int, Terms],
            amounts: dict[tuple[str, int, int], dict[str, int]],
            have: dict[tuple[str, int, int], dict[tuple[str, str, str], int]],
            newest: dict[tuple[int, str], int] | None = None,
            incoming: dict[tuple[int, int], dict[str, int]] | None = None) -> list[Planned]:
    """plan's differences from what it read (or a caller read in its own statement): the
    projects' hosts and live agreements' terms, (line, project, year) → period → amount and
    → (period, region, role) → posted; `newest` and `incoming` as plan takes them."""
    order = list(dict.fromkeys(targets))
    years: dict[int, set[int]] = {}
    for project_id, year in order:
        years.setdefault(project_id, set()).add(year)
    completed = Indicator.COMPLETED_INVESTMENT
    for (project_id, period), amount in (newest or {}).items():
        year = year_of(period)
        if year in years.get(project_id, ()):
            amounts.setdefault((completed, project_id, year), {})[period] = amount
    for (project_id, year), months in (incoming or {}).items():  # last: they win
        if year in years.get(project_id, ()):
            amounts.setdefault((completed, project_id, year), {}).update(months)
    out: list[Planned] = []
    for project_id, year in order:
        terms = agreements.get(project_id)
        for line in lines:
            rule = applicable_terms(terms, year, line)
            want = desired_at(hosts[project_id], amounts.get((line, project_id, year), {}), rule)
            posted_ = have.get((line, project_id, year), _NONE)
            # what is wanted less what is posted, without the keys that are already right, in
            # the order of the postings: the order wanted (period, then the roles in order),
            # unless something posted is no longer wanted at all
            diff = {k: d for k, amount in want.items() if (d := amount - posted_.get(k, 0))}
            if posted_:
                gone = [(k, -total) for k, total in posted_.items() if total and k not in want]
                if gone:
                    diff = dict(sorted([*diff.items(), *gone], key=_posting_order))
            if diff:
                out.append(Planned(project_id, hosts[project_id], year, line,
                                   _reference(terms, rule), diff))
    return out


_NONE: dict = {}  # nothing posted (never written to)


def _posting_order(item: tuple[tuple[str, str, str], int]) -> tuple[str, int, str]:
    (period, region, role), _ = item
    return period, ROLE_ORDER[role], region


def reconcile(session: Session, targets: Iterable[tuple[int, int]], cause: str,
              now: datetime, lines: Iterable[str] = LINES) -> list[Posting]:
    """Bring the postings of each (project_id, year) on each of `lines` in line with the
    desired state (a filing, a termination, a reopened year, a receipt). Raises Conflict,
    before anything is written, if a closed year's figures would change."""
    lock_for_append(session)  # planned from what is read under the lock
    planned = plan(session, sorted(set(targets)), lines=lines)
    closed = closed_years(session)
    for p in planned:
        if p.year in closed:
            raise Conflict("year.closed_figures", year=p.year)
    appender = Append(session, now)
    rows = [row for p in planned for row in appender.postings(p, cause)]
    appender.flush()
    return [Posting(**row) for row in rows]


def desired_at(host_code: str, amounts: dict[str, int],
               rule: Applicable) -> dict[tuple[str, str, str], int]:
    """(period, region_code, role) → amount that should be posted."""
    by_role = desired_for_year(amounts, rule.share_bp)
    region_of = {PostingRole.HOST: host_code, PostingRole.RECOMMENDER: rule.recommender_code,
                 PostingRole.RECEIVER: rule.receiver_code}
    return {(period, region_of[role], role): amount for (period, role), amount in by_role.items()}


def _reference(terms: Terms | None, rule: Applicable) -> tuple[int | None, int | None]:
    """The agreement version recorded on recommender/receiver postings: the one in force, or —
    when a year has just left every version's coverage (a termination) and the split is being
    reversed — the newest filed version, whose filing caused the reversal."""
    if rule.agreement_id is not None or terms is None:
        return rule.agreement_id, rule.version
    filed = [t.version for t in terms.filed]
    return (terms.agreement_id, max(filed)) if filed else (None, None)
