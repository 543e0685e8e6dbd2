"""What the printed documents (SPEC §7) show, as plain values: the filing form and the receipt of
an agreement version, and the annual statement of a year — each as of a moment, scoped by the
policy. No ORM object leaves this module.

As-of defaults keep a document reproducible (the same request later gives the same data):
  * filing form and receipt — the agreement's last change (its newest workflow event), or the
    project's last change (create, edit, stage) when that is later;
  * statement — the recording time of the ledger head (the newest posting).
A future `as_of` is refused, as for every as-of answer (queries.attribution.as_of_moment).

The agreement version is shown as it stood at the as-of time: its status, the filing bodies'
acknowledgements and its filing number are rebuilt from the workflow events recorded up to
then. Terms (share, years, signatories) change only while a version is a draft or returned,
and a project's facts are its current ones (the as-of default moves with them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from ledger.context import Context
from ledger.db import settled
from ledger.domain import coverage
from ledger.domain.codes import industry_name
from ledger.domain.enums import FILING_BODIES, RegionLevel, VersionStatus
from ledger.domain.errors import Conflict, NotFound
from ledger.domain.workflow import COUNTS_FOR_COVERAGE
from ledger.models import (
    Agreement, AgreementEvent, AgreementVersion, AuditEntry, Posting, Region, Zone,
)
from ledger.policy import agreements_seen_by, attribution_scope
from ledger.queries.attribution import Attribution, as_of_moment, attribution
from ledger.queries.lookup import visible_agreement, visible_project
from ledger.queries.reference import ancestors

PROJECT_CHANGES = ("project.create", "project.update", "project.stage")
RESETS_ACKNOWLEDGEMENTS = ("submit", "return", "edit")


@dataclass(frozen=True)
class Party:
    code: str
    name: str
    level: str


@dataclass(frozen=True)
class ProjectFacts:
    id: int
    name: str
    project_code: str | None
    investor_name: str
    investor_credit_code: str | None
    investor_foreign: bool
    industry_code: str
    industry_name: str
    planned_investment: int  # 0.01万元
    zone_id: int
    zone_name: str
    host_code: str
    stage: str


@dataclass(frozen=True)
class Acknowledgement:
    body: str        # statistics | commerce
    at: datetime


@dataclass(frozen=True)
class VersionFacts:
    """One agreement version as it stood at the as-of time."""

    version: int
    status: str
    recommender_share: int  # basis points
    first_year: int
    last_year: int | None   # effective (a superseded version ends the year before its successor)
    agreed_last_year: int | None
    signed_on: date
    recommender_signatory: str
    receiver_signatory: str
    reason: str
    proposed_by: str
    acknowledgements: tuple[Acknowledgement, ...]
    filing_number: str | None
    filed_on: date | None

    @property
    def acknowledged_by(self) -> list[str]:
        return [ack.body for ack in self.acknowledgements]


@dataclass(frozen=True)
class AgreementFacts:
    """The filing form's and the receipt's data: one version of one agreement, as of a time."""

    as_of: datetime
    agreement_id: int
    number: str
    versions: int           # how many versions existed at the as-of time
    version: VersionFacts
    project: ProjectFacts
    recommender: Party
    receiver: Party
    province: Party | None  # the province above the host: the filing bodies are its bureaus

    @property
    def filed(self) -> bool:
        return self.version.filing_number is not None


@dataclass(frozen=True)
class LedgerHead:
    seq: int
    hash: str
    recorded_at: datetime


@dataclass(frozen=True)
class StatementFacts:
    """The annual statement: the attribution of a year as of a time (rows scoped as the API
    scopes them) and the ledger head at that time."""

    attribution: Attribution
    scope: str | None       # None: every region; else the region whose rows these are
    head: LedgerHead | None


# ------------------------------------------------------------------ agreements

def agreement_facts(ctx: Context, agreement_id: int, version: int | None = None,
                    as_of: datetime | None = None) -> AgreementFacts:
    """Version `version` (default: the newest at the as-of time) of an agreement the user may
    see; 404 for an agreement the user may not see, exactly as for a missing one, and for a
    version that did not exist at the as-of time."""
    with settled(ctx.session) as session:
        agreement = visible_agreement(session, ctx.actor, agreement_id)
        project = visible_project(session, ctx.actor, agreement.project_id)
        if as_of is None:
            moment = _last_change(session, agreement.id, project.id)
        else:
            moment = as_of_moment(ctx, as_of)
        events = list(session.scalars(
            sa.select(AgreementEvent).where(AgreementEvent.agreement_id == agreement.id,
                                            AgreementEvent.at <= moment)
            .order_by(AgreementEvent.id)))
        existing = sorted({e.version for e in events})
        wanted = version if version is not None else (existing[-1] if existing else None)
        if wanted is None or wanted not in existing:
            raise NotFound("resource.not_found", what="agreement version",
                           key=f"{agreement.number} v{version if version is not None else '?'}")
        row = session.scalar(sa.select(AgreementVersion).where(
            AgreementVersion.agreement_id == agreement.id, AgreementVersion.version == wanted))
        facts = AgreementFacts(
            as_of=moment, agreement_id=agreement.id, number=agreement.number,
            versions=len(existing),
            version=_version_at(row, [e for e in events if e.version == wanted]),
            project=_project_facts(session, project),
            recommender=_party(session, agreement.recommender_code),
            receiver=_party(session, agreement.receiver_code),
            province=_province(session, project.host_code))
    return facts


def receipt_facts(ctx: Context, agreement_id: int, version: int | None = None,
                  as_of: datetime | None = None) -> AgreementFacts:
    """As agreement_facts, for a version that was filed by the as-of time (else 409)."""
    facts = agreement_facts(ctx, agreement_id, version, as_of)
    if not facts.filed:
        raise Conflict("document.not_filed", number=facts.number, version=facts.version.version,
                       status=facts.version.status)
    return facts


def filed_versions(ctx: Context, year: int) -> list[tuple[int, int]]:
    """(agreement id, version) of every filed version whose coverage includes `year` — the
    agreements the year's statement is built on — that the user may see, in agreement order."""
    with settled(ctx.session) as session:
        rows = session.execute(
            sa.select(AgreementVersion.agreement_id, AgreementVersion.version,
                      AgreementVersion.first_year, AgreementVersion.last_year,
                      AgreementVersion.superseded_from)
            .join(Agreement, Agreement.id == AgreementVersion.agreement_id)
            .where(AgreementVersion.status.in_(list(COUNTS_FOR_COVERAGE)),
                   agreements_seen_by(ctx.actor))
            .order_by(AgreementVersion.agreement_id, AgreementVersion.version)).all()
    out = []
    for agreement_id, number, first, last, superseded_from in rows:
        effective = coverage.effective_last_year(last, superseded_from)
        if first <= year and (effective is None or year <= effective):
            out.append((agreement_id, number))
    return out


def _last_change(session, agreement_id: int, project_id: int) -> datetime:
    agreement_changed = session.scalar(
        sa.select(sa.func.max(AgreementEvent.at))
        .where(AgreementEvent.agreement_id == agreement_id))
    project_changed = session.scalar(
        sa.select(sa.func.max(AuditEntry.at)).where(AuditEntry.entity == "project",
                                                    AuditEntry.entity_id == str(project_id),
                                                    AuditEntry.action.in_(PROJECT_CHANGES)))
    return max(moment for moment in (agreement_changed, project_changed) if moment is not None)


def _version_at(row: AgreementVersion, events: list[AgreementEvent]) -> VersionFacts:
    """The version as its events up to the as-of time left it."""
    status = events[-1].to_status
    acks: list[Acknowledgement] = []
    for event in events:
        if event.action in RESETS_ACKNOWLEDGEMENTS:
            acks = []
        elif event.action == "acknowledge" and event.actor_role in FILING_BODIES:
            acks.append(Acknowledgement(event.actor_role, event.at))
    filed = status in COUNTS_FOR_COVERAGE
    superseded = status == VersionStatus.SUPERSEDED
    return VersionFacts(
        version=row.version, status=status, recommender_share=row.recommender_share,
        first_year=row.first_year,
        last_year=coverage.effective_last_year(row.last_year,
                                               row.superseded_from if superseded else None),
        agreed_last_year=row.last_year, signed_on=row.signed_on,
        recommender_signatory=row.recommender_signatory,
        receiver_signatory=row.receiver_signatory, reason=row.reason,
        proposed_by=row.proposed_by, acknowledgements=tuple(acks),
        filing_number=row.filing_number if filed else None,
        filed_on=row.filed_on if filed else None)


def _project_facts(session, project) -> ProjectFacts:
    zone = session.get(Zone, project.zone_id)
    return ProjectFacts(
        id=project.id, name=project.name, project_code=project.project_code,
        investor_name=project.investor_name, investor_credit_code=project.investor_credit_code,
        investor_foreign=project.investor_foreign, industry_code=project.industry_code,
        industry_name=industry_name(project.industry_code),
        planned_investment=project.planned_investment, zone_id=zone.id, zone_name=zone.name,
        host_code=project.host_code, stage=project.stage)


def _party(session, code: str) -> Party:
    region = session.get(Region, code)
    return Party(region.code, region.name, region.level)


def _province(session, code: str) -> Party | None:
    for candidate in [code] + ancestors(session, code):
        party = _party(session, candidate)
        if party.level == RegionLevel.PROVINCE:
            return party
    return None


# ------------------------------------------------------------------ the annual statement

def ledger_head(session, as_of: datetime | None) -> LedgerHead | None:
    """The newest posting recorded at or before `as_of` (None: the newest of all)."""
    query = sa.select(Posting.seq, Posting.hash, Posting.recorded_at).order_by(Posting.seq.desc())
    if as_of is not None:
        query = query.where(Posting.recorded_at <= as_of)
    row = session.execute(query.limit(1)).first()
    return None if row is None else LedgerHead(*row)


def statement_as_of(ctx: Context, as_of: datetime | None = None) -> datetime:
    """The as-of time of a statement: the one asked for, else the recording time of the ledger
    head — the one default of the API, the command line and the web page's links, so the same
    request later gives the same document (an empty ledger has no default, 409)."""
    if as_of is not None:
        return as_of
    with settled(ctx.session) as session:
        head = ledger_head(session, None)
    if head is None:
        raise Conflict("document.ledger_empty")
    return head.recorded_at


def statement_facts(ctx: Context, year: int, as_of: datetime | None = None) -> StatementFacts:
    """The statement of `year` as of `as_of` (default: statement_as_of). A region sees its own
    rows and the province totals."""
    as_of = statement_as_of(ctx, as_of)
    found = attribution(ctx, year, as_of)
    with settled(ctx.session) as session:
        head = ledger_head(session, found.as_of)
    return StatementFacts(found, attribution_scope(ctx.actor), head)
