"""What the printed documents (docs/documents.md) show, as plain values: the filing form and the
receipt of an agreement version, and the annual statement of a year — each as of a moment, scoped by
the policy. No ORM object leaves this module.

As-of defaults keep a document reproducible (the same request later gives the same data):
  * filing form and receipt — the newest change of what they print: the agreement's newest
    workflow event, or a change of its project, the project's zone or a region named, when
    that is later;
  * statement — the recording time of the ledger head (the newest posting).
A future `as_of` is refused, as for every as-of answer (queries.attribution.as_of_moment).

Every fact printed is read as of the as-of time (ledger.queries.documents.history), never from a
current row, so a document made again for the same time is the same after any later change:
  * the version's status and the filing bodies' acknowledgements from the workflow events
    recorded up to then; its terms and filing number from the journal entry recording the
    newest of those events (each event is journalled once, in its order);
  * the project, its zone and the regions named (parties, the province above the host whose
    bureaus are the filing bodies; the statement's regions) from the journal up to the
    document's journal seq: the newest entry at or before the as-of time, or the entry of
    the agreement's newest event when that is later.
`agreement_changes` / `statement_changes` give the facts again after each later change of
those entities (what the verification page lists as 此后的变更)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ledger.context import Context
from ledger.db import settled
from ledger.domain import coverage
from ledger.domain.codes import industry_name
from ledger.domain.enums import FILING_BODIES, Indicator, RegionLevel, VersionStatus
from ledger.domain.errors import Conflict, NotFound
from ledger.domain.workflow import COUNTS_FOR_COVERAGE, RESETS_ACKNOWLEDGEMENTS
from ledger.models import (
    Agreement, AgreementEvent, AgreementVersion, Posting, Project, Region, Zone,
)
from ledger.policy import (
    agreements_seen_by, attribution_scope, can_see_agreement, can_see_project,
)
from ledger.postings.checkpoints import postings_head_at
from ledger.postings.journal import record
from ledger.queries.attribution import Attribution, as_of_moment, attribution
from ledger.queries.documents.history import (
    History, Record, baseline_versions, head_at, history as read_history,
)
from ledger.queries.reference import ancestors, province_name

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
    recommender_share: int  # basis points, of completed investment
    funds_share: int        # basis points, of funds in place
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
    province: str | None = None  # the province's name: its own word (全区, 全省) is printed
    funds: Attribution | None = None  # the funds line, as of the same time and scope


# ------------------------------------------------------------------ agreements

Later = list[tuple[datetime, "AgreementFacts"]]


def agreement_facts(ctx: Context, agreement_id: int, version: int | None = None,
                    as_of: datetime | None = None) -> AgreementFacts:
    """Version `version` (default: the newest at the as-of time) of an agreement the user may
    see; 404 for an agreement the user may not see, exactly as for a missing one, and for a
    version that did not exist at the as-of time."""
    return _agreement(ctx, agreement_id, version, as_of, later=False)[0]


def agreement_changes(ctx: Context, agreement_id: int, version: int | None,
                      as_of: datetime) -> tuple[AgreementFacts, Later]:
    """The facts as of `as_of` (as agreement_facts) and, after each later journal entry that
    changed one of the entities they name, (its time, the same facts as they then stood) — with
    the as-of time kept, so only the facts differ."""
    return _agreement(ctx, agreement_id, version, as_of, later=True)


def _agreement(ctx: Context, agreement_id: int, version: int | None, as_of: datetime | None,
               later: bool) -> tuple[AgreementFacts, Later]:
    with settled(ctx.session) as session:
        source = _AgreementSource(session, _visible(session, ctx.actor, agreement_id))
        moment = source.last_change() if as_of is None else as_of_moment(ctx, as_of)
        events = [e for e in source.events if e.at <= moment]
        existing = sorted({e.version for e in events})
        wanted = version if version is not None else (existing[-1] if existing else None)
        if wanted is None or wanted not in existing:
            raise NotFound("resource.not_found", what="agreement version",
                           key=f"{source.agreement.number} v{version if version is not None else '?'}")
        paired = source.entries_for(len(events))
        seq = max(head_at(session, moment), paired[-1].seq if paired else 0)
        facts = source.facts(moment, wanted, events, paired, seq)
        steps = []
        if later:
            for step, at in source.history.later(seq):
                paired = [r for r in source.entries if r.seq <= step]
                now = source.events[:len(paired) + source.offset]
                steps.append((at, source.facts(moment, wanted, now, paired, step)))
    return facts, steps


# Built once, bound per call (a repeat download rebuilds its document's facts: DESIGN
# "Facts as of a time"): the agreement with its project, and the project's live agreement's
# parties (who may see the project, ledger.policy.can_see_project); then its workflow events.
_LIVE = aliased(Agreement)
_AGREEMENT = (
    sa.select(Agreement.id, Agreement.number, Agreement.recommender_code,
              Agreement.receiver_code, Agreement.project_id, Project.host_code, Project.zone_id,
              _LIVE.recommender_code.label("live_recommender"),
              _LIVE.receiver_code.label("live_receiver"))
    .join(Project, Project.id == Agreement.project_id)
    .outerjoin(_LIVE, sa.and_(_LIVE.project_id == Project.id, _LIVE.is_live))
    .where(Agreement.id == sa.bindparam("id")))
_EVENT = AgreementEvent.__table__.c
_EVENTS = (sa.select(_EVENT.version, _EVENT.action, _EVENT.to_status, _EVENT.actor_role,
                     _EVENT.at)
           .where(_EVENT.agreement_id == sa.bindparam("id")).order_by(_EVENT.id))


def _visible(session, actor, agreement_id: int) -> sa.Row:
    """The agreement (with its project's host and zone) if the user may see it and its project;
    404 otherwise, exactly as for a missing one (ledger.queries.lookup)."""
    row = (session.execute(_AGREEMENT, {"id": agreement_id}).first()
           if type(agreement_id) is int else None)
    if row is None or not can_see_agreement(actor, row.recommender_code, row.receiver_code):
        raise NotFound("resource.not_found", what="agreement", key=agreement_id)
    parties = () if row.live_recommender is None else (row.live_recommender, row.live_receiver)
    if not can_see_project(actor, row.host_code, parties):
        raise NotFound("resource.not_found", what="project", key=row.project_id)
    return row


class _AgreementSource:
    """What the documents of one agreement are made of, read once: its workflow events, and
    the journal's records of the agreement, its project, the project's zones and the regions
    it names (recommender, receiver, the host and the regions above it)."""

    def __init__(self, session, agreement: sa.Row):
        self.session, self.agreement = session, agreement
        self.events = session.execute(_EVENTS, {"id": agreement.id}).all()
        self.codes = [agreement.recommender_code, agreement.receiver_code, agreement.host_code,
                      *ancestors(session, agreement.host_code)]
        project = agreement.project_id
        self.history = read_history(session, {
            "agreement": [agreement.number], "project": [project], "region": self.codes})
        zones = {r.values["zone_id"] for r in self.history.of("project", project)}
        read_history(session, {"zone": zones | {agreement.zone_id}}, self.history)
        # Each event is journalled once, in its order; a migrated journal holds the newest
        # events only (the older ones are in its baseline).
        self.entries = self.history.of("agreement", agreement.number)
        self.offset = len(self.events) - len(self.entries)

    def last_change(self) -> datetime:
        """The default as-of time: the newest change of what the documents print — a workflow
        event of the agreement, a change of its project, of the project's zone or of a region
        named (not a report: reports are no fact of these documents)."""
        newest = self.history.of("project", self.agreement.project_id)
        zone = newest[-1].values["zone_id"] if newest else self.agreement.zone_id
        records = [*newest, *self.history.of("zone", zone),
                   *(r for code in self.codes for r in self.history.of("region", code))]
        return max([e.at for e in self.events] + [r.at for r in records if not r.baseline])

    def entries_for(self, events: int) -> list[Record]:
        """The agreement's journal entries of its first `events` workflow events."""
        return self.entries[:max(0, events - self.offset)]

    def facts(self, moment: datetime, wanted: int, events: list[sa.Row],
              paired: list[Record], seq: int) -> AgreementFacts:
        agreement = self.agreement
        recorded = next((r.values for r in reversed(paired) if r.values["version"] == wanted),
                        None)
        if recorded is None:  # recorded before the journal's baseline
            recorded = baseline_versions(self.history, agreement.number).get(wanted)
        if recorded is None:  # a journal that never recorded it
            recorded = record("version", self.session.scalar(sa.select(AgreementVersion).where(
                AgreementVersion.agreement_id == agreement.id,
                AgreementVersion.version == wanted)))
        return AgreementFacts(
            as_of=moment, agreement_id=agreement.id, number=agreement.number,
            versions=len({e.version for e in events}),
            version=_version_at(recorded, [e for e in events if e.version == wanted]),
            project=_project_facts(self.history, self.session, agreement.project_id, seq),
            recommender=_party(self.history, self.session, agreement.recommender_code, seq),
            receiver=_party(self.history, self.session, agreement.receiver_code, seq),
            province=_province(self.history, self.session, self.codes[2:], seq))


def receipt_facts(ctx: Context, agreement_id: int, version: int | None = None,
                  as_of: datetime | None = None) -> AgreementFacts:
    """As agreement_facts, for a version that was filed by the as-of time (else 409)."""
    return filed(agreement_facts(ctx, agreement_id, version, as_of))


def filed(facts: AgreementFacts) -> AgreementFacts:
    """`facts`, of a version that was filed by their as-of time (else 409: no receipt)."""
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


def _version_at(recorded: dict, events: list[sa.Row]) -> VersionFacts:
    """The version as its events up to the as-of time left it; its terms and filing as the
    journal recorded them with the newest of those events."""
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
        version=recorded["version"], status=status,
        recommender_share=recorded["recommender_share"],
        # entries written before versions had a share per line lack it: the one share then
        # applied to every line
        funds_share=recorded.get("funds_share", recorded["recommender_share"]),
        first_year=recorded["first_year"],
        last_year=coverage.effective_last_year(
            recorded["last_year"], recorded["superseded_from"] if superseded else None),
        agreed_last_year=recorded["last_year"], signed_on=_day(recorded["signed_on"]),
        recommender_signatory=recorded["recommender_signatory"],
        receiver_signatory=recorded["receiver_signatory"], reason=recorded["reason"],
        proposed_by=recorded["proposed_by"], acknowledgements=tuple(acks),
        filing_number=recorded["filing_number"] if filed else None,
        filed_on=_day(recorded["filed_on"]) if filed else None)


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _recorded(history: History, session, kind: str, key, seq: int, model) -> dict | None:
    """The facts of an entity as of journal seq `seq`; a journal that never recorded the
    entity (nothing to read as of a time) leaves its row's."""
    found = history.at(kind, key, seq)
    if found is None and history.of(kind, key):  # not yet then: the oldest facts recorded
        found = history.of(kind, key)[0].values
    if found is None:
        row = session.get(model, key)
        found = None if row is None else record(kind, row)
    return found


def _project_facts(history: History, session, project_id: int, seq: int) -> ProjectFacts:
    p = _recorded(history, session, "project", project_id, seq, Project)
    zone = _recorded(history, session, "zone", p["zone_id"], seq, Zone)
    return ProjectFacts(
        id=project_id, name=p["name"], project_code=p["project_code"],
        investor_name=p["investor_name"], investor_credit_code=p["investor_credit_code"],
        investor_foreign=p["investor_foreign"], industry_code=p["industry_code"],
        industry_name=industry_name(p["industry_code"]),
        planned_investment=p["planned_investment"], zone_id=p["zone_id"],
        zone_name=zone["name"], host_code=p["host_code"], stage=p["stage"])


def _party(history: History, session, code: str, seq: int) -> Party:
    region = _recorded(history, session, "region", code, seq, Region)
    return Party(code, region["name"], region["level"])


def _province(history: History, session, codes: list[str], seq: int) -> Party | None:
    """The province among the host and the regions above it (nearest first)."""
    for code in codes:
        party = _party(history, session, code, seq)
        if party.level == RegionLevel.PROVINCE:
            return party
    return None


# ------------------------------------------------------------------ the annual statement

def ledger_head(session, as_of: datetime | None) -> LedgerHead | None:
    """The newest posting recorded at or before `as_of` (None: the newest of all)."""
    if as_of is not None:
        row = postings_head_at(session, as_of)
    else:
        row = session.execute(sa.select(Posting.seq, Posting.hash, Posting.recorded_at)
                              .order_by(Posting.seq.desc()).limit(1)).first()
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
    rows and the province totals. Each region's name, level and parent as of that time; a
    region the journal had not recorded by then (created later, so without figures) is left
    out."""
    return _statement(ctx, year, as_of, later=False)[0]


def statement_changes(ctx: Context, year: int, as_of: datetime
                      ) -> tuple[StatementFacts, list[tuple[datetime, StatementFacts]]]:
    """The statement's facts as of `as_of` and, after each later change of a region, (its time,
    the same figures under the regions as they then stood)."""
    return _statement(ctx, year, as_of, later=True)


def _statement(ctx: Context, year: int, as_of: datetime | None, later: bool):
    as_of = statement_as_of(ctx, as_of)
    found = attribution(ctx, year, as_of)
    funds = attribution(ctx, year, found.as_of, indicator=Indicator.FUNDS_IN_PLACE)
    scope = attribution_scope(ctx.actor)
    with settled(ctx.session) as session:
        head = ledger_head(session, found.as_of)
        seq = head_at(session, found.as_of)
        regions = read_history(session, {"region": None})
        province = province_name(session)
        facts = StatementFacts(_regions_at(found, regions, scope, seq), scope, head, province,
                               _regions_at(funds, regions, scope, seq))
        steps = [(at, StatementFacts(_regions_at(found, regions, scope, step), scope, head,
                                     province, _regions_at(funds, regions, scope, step)))
                 for step, at in (regions.later(seq) if later else [])]
    return facts, steps


def _regions_at(found: Attribution, history: History, scope: str | None,
                seq: int) -> Attribution:
    known = {row.code: history.at("region", row.code, seq) for row in found.regions}
    # A region the journal records only later was created after the as-of time (the scope
    # itself, or a region the journal never recorded, stays as it is).
    gone = {code for code, recorded in known.items()
            if recorded is None and code != scope and history.of("region", code)}
    rows = []
    for row in found.regions:
        if row.code in gone:
            continue
        recorded = known[row.code] or {"name": row.name, "level": row.level,
                                       "parent_code": row.parent_code}
        rows.append(replace(row, name=recorded["name"], level=recorded["level"],
                            parent_code=recorded["parent_code"],
                            children=tuple(c for c in row.children if c not in gone)))
    return replace(found, regions=rows)
