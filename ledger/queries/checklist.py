"""A year's checklist (docs/domain.md, 考核年度): what is still open before the year is closed.

  * agreement versions covering the year that are not filed (draft, signed, submitted or
    returned; a withdrawn or declined chain is over, a superseded version was filed);
  * landed projects with months of the year not reported, from the month construction started
    (January when earlier) through the close date's month, or December for a past year.

(Receipts without evidence join the list once funds receipts exist.)

The digest is SHA-256 of the list's canonical JSON: a close with open items names the digest of
the list it confirms (commands.years), so it confirms exactly what was shown. The same
"pending and covering" rule tells the parties of an agreement that a closed year still waits
for its filing (their dashboard's to-do list)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.context import Context
from ledger.db import settled
from ledger.domain.enums import VersionStatus, YearStatus
from ledger.domain.periods import parse_year
from ledger.domain.stages import LANDED
from ledger.domain.money import format_amount
from ledger.models import (
    Agreement, AgreementVersion, AssessmentYear, FundsEvidence, FundsReceipt, InvestmentReport,
    Project,
)
from ledger.policy import Actor, agreements_seen_by, require_checklist_reader
from ledger.postings.journal import canonical

# Versions on their way to filing: each may still change the year's coverage.
PENDING = (VersionStatus.DRAFT, VersionStatus.SIGNED, VersionStatus.SUBMITTED,
           VersionStatus.RETURNED)


@dataclass(frozen=True)
class PendingVersion:
    agreement_id: int
    number: str
    version: int
    status: str
    project_id: int
    project_name: str
    recommender_code: str
    receiver_code: str
    first_year: int
    last_year: int | None


@dataclass(frozen=True)
class UnreportedProject:
    project_id: int
    project_name: str
    host_code: str
    months: list[str]  # YYYY-MM, in order


@dataclass(frozen=True)
class MissingEvidence:
    """A receipt of the year that counts and has no evidence file (待补充凭证)."""

    receipt_id: int
    revision: int
    project_id: int
    project_name: str
    host_code: str
    received_on: str  # YYYY-MM-DD
    amount: str       # 万元, two decimals


@dataclass(frozen=True)
class Checklist:
    year: int
    through: str | None  # the last month counted (None: the year has not begun)
    agreements: list[PendingVersion]
    unreported: list[UnreportedProject]
    missing_evidence: list[MissingEvidence]

    @property
    def open_items(self) -> int:
        return len(self.agreements) + len(self.unreported) + len(self.missing_evidence)

    def data(self) -> dict:
        """The list as JSON values: what the digest covers and the API shows."""
        return {"year": self.year, "through": self.through,
                "agreements": [asdict(a) for a in self.agreements],
                "unreported": [asdict(p) for p in self.unreported],
                "missing_evidence": [asdict(r) for r in self.missing_evidence]}

    @property
    def digest(self) -> str:
        return hashlib.sha256(canonical(self.data()).encode()).hexdigest()


def _covers(year) -> sa.ColumnElement[bool]:
    """A pending version covering `year` (a number or a column) of a live chain."""
    return sa.and_(AgreementVersion.status.in_(PENDING), Agreement.is_live,
                   AgreementVersion.first_year <= year,
                   sa.or_(AgreementVersion.last_year.is_(None), AgreementVersion.last_year >= year))


def _pending(session: Session, year: int) -> list[PendingVersion]:
    rows = session.execute(
        sa.select(Agreement.id, Agreement.number, AgreementVersion.version, AgreementVersion.status,
                  Project.id, Project.name, Agreement.recommender_code, Agreement.receiver_code,
                  AgreementVersion.first_year, AgreementVersion.last_year)
        .join(AgreementVersion, AgreementVersion.agreement_id == Agreement.id)
        .join(Project, Project.id == Agreement.project_id)
        .where(_covers(year)).order_by(Agreement.number, AgreementVersion.version))
    return [PendingVersion(*row) for row in rows]


def last_month(year: int, today: date) -> int:
    """The last month of `year` that is due by `today`: December of a past year, the current
    month of this year, none (0) of a later year."""
    return 12 if year < today.year else today.month if year == today.year else 0


def _unreported(session: Session, year: int, through: int) -> list[UnreportedProject]:
    if through == 0:
        return []
    landed = session.execute(
        sa.select(Project.id, Project.name, Project.host_code, Project.started_on)
        .where(Project.stage.in_(LANDED), Project.started_on < date(year + 1, 1, 1))
        .order_by(Project.id)).all()
    reported: dict[int, set[str]] = {}
    for project_id, period in session.execute(
            sa.select(InvestmentReport.project_id, InvestmentReport.period).distinct()
            .where(InvestmentReport.year == year)):
        reported.setdefault(project_id, set()).add(period)
    out = []
    for project_id, name, host_code, started_on in landed:
        if started_on is None:  # a landed project has one; a guard against corrupted data
            continue
        first = 1 if started_on.year < year else started_on.month
        due = [f"{year:04d}-{m:02d}" for m in range(first, through + 1)]
        missing = [p for p in due if p not in reported.get(project_id, ())]
        if missing:
            out.append(UnreportedProject(project_id, name, host_code, missing))
    return out


def _missing_evidence(session: Session, year: int) -> list[MissingEvidence]:
    """The receipts of `year` that count and have no evidence file, in the order received.
    The revision is listed so that a correction of a listed receipt changes the digest."""
    has_evidence = sa.exists().where(FundsEvidence.receipt_id == FundsReceipt.id)
    rows = session.execute(
        sa.select(FundsReceipt.id, FundsReceipt.revision, Project.id, Project.name,
                  Project.host_code, FundsReceipt.received_on, FundsReceipt.amount)
        .join(Project, Project.id == FundsReceipt.project_id)
        .where(FundsReceipt.year == year, FundsReceipt.voided.is_(False), ~has_evidence)
        .order_by(FundsReceipt.received_on, FundsReceipt.id))
    return [MissingEvidence(rid, rev, pid, name, host, received_on.isoformat(),
                            format_amount(amount))
            for rid, rev, pid, name, host, received_on, amount in rows]


def of_year(session: Session, year: int, today: date) -> Checklist:
    """The checklist of `year` on `today`, read in the caller's transaction (the close reads
    it under its write lock)."""
    through = last_month(year, today)
    return Checklist(year, f"{year:04d}-{through:02d}" if through else None,
                     _pending(session, year), _unreported(session, year, through),
                     _missing_evidence(session, year))


def checklist(ctx: Context, year: int) -> Checklist:
    """GET /years/{year}/checklist: officials only (it names every region's projects)."""
    require_checklist_reader(ctx.actor)
    year = parse_year(year)
    with settled(ctx.session) as session:
        return of_year(session, year, ctx.today())


@dataclass(frozen=True)
class ClosedYearTodo:
    """An agreement of this user's that covers a closed year and is not filed."""

    agreement_id: int
    number: str
    year: int


def closed_year_todos(session: Session, actor: Actor) -> list[ClosedYearTodo]:
    """For the dashboard: each pending version of the actor's agreements that covers a closed
    year — the year's checklist listed it (or it came after), and its filing cannot complete
    until the year is reopened."""
    rows = session.execute(
        sa.select(Agreement.id, Agreement.number, AssessmentYear.year)
        .join(AgreementVersion, AgreementVersion.agreement_id == Agreement.id)
        .join(AssessmentYear, sa.and_(AssessmentYear.status == YearStatus.CLOSED,
                                      _covers(AssessmentYear.year)))
        .where(agreements_seen_by(actor))
        .order_by(Agreement.number, AssessmentYear.year))
    return [ClosedYearTodo(*row) for row in rows]
