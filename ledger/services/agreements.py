"""Investment transfer agreements: creation, edits, the filing workflow and amendments."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from ledger import ledger
from ledger.config import Config
from ledger.db import utcnow, writing
from ledger.domain import coverage, workflow
from ledger.domain.errors import Conflict, Invalid, NotFound
from ledger.domain.money import parse_share
from ledger.models import Agreement, AgreementEvent, AgreementVersion, Project, Region
from ledger.policy import (
    Actor, require_filing_body, require_party, visible_agreement, visible_project,
)
from ledger.services.common import (
    as_date, as_year, audit, check_row_version, reject_unknown, snapshot, text, today,
)
from ledger.services.projects import parties
from ledger.services.reference import ancestors

TERMS = ("recommender_share", "first_year", "last_year", "signed_on", "signatories", "reason")
CREATE_FIELDS = TERMS + ("project_id", "recommender_code", "receiver_code")
AUDITED = ("version", "status", "recommender_share", "first_year", "last_year", "signed_on",
           "recommender_signatory", "receiver_signatory", "reason", "proposed_by",
           "statistics_ack_at", "commerce_ack_at", "return_reason", "filing_number", "filed_on",
           "superseded_from")


def get_visible(session: Session, actor: Actor, agreement_id) -> Agreement:
    agreement = session.get(Agreement, agreement_id) if type(agreement_id) is int else None
    if agreement is None or not visible_agreement(actor, agreement.recommender_code,
                                                  agreement.receiver_code):
        raise NotFound(f"agreement {agreement_id} not found")
    return agreement


def _terms(data: dict, base: AgreementVersion | None) -> dict:
    """Validated version terms: values from `data`, else from `base` (the version amended)."""
    out: dict = {}
    if "recommender_share" in data:
        out["recommender_share"] = parse_share(data["recommender_share"])
    if "first_year" in data:
        out["first_year"] = as_year(data["first_year"], "first_year")
    if "last_year" in data:
        out["last_year"] = None if data["last_year"] is None else as_year(data["last_year"], "last_year")
    if "signed_on" in data:
        out["signed_on"] = as_date(data["signed_on"], "signed_on")
    if "signatories" in data:
        sig = data["signatories"]
        if not isinstance(sig, dict) or set(sig) != {"recommender", "receiver"}:
            raise Invalid("must name a signatory for 'recommender' and 'receiver'", field="signatories")
        out["recommender_signatory"] = text(sig["recommender"], "signatories", max_len=50)
        out["receiver_signatory"] = text(sig["receiver"], "signatories", max_len=50)
    if "reason" in data:
        out["reason"] = text(data["reason"], "reason", max_len=2000)
    if base is not None:
        for key in ("recommender_share", "first_year", "last_year", "signed_on",
                    "recommender_signatory", "receiver_signatory", "reason"):
            out.setdefault(key, getattr(base, key))
    missing = [f for f in ("recommender_share", "first_year", "signed_on", "reason")
               if f not in out] + (["signatories"] if "recommender_signatory" not in out else [])
    if missing:
        raise Invalid("missing required field(s)", errors={f: ["is required"] for f in missing})
    out.setdefault("last_year", None)
    if out["last_year"] is not None and out["last_year"] < out["first_year"]:
        raise Invalid("must not be before first_year", field="last_year")
    return out


def _event(session: Session, actor: Actor, agreement: Agreement, v: AgreementVersion,
           action: str, before_status: str | None, reason: str | None = None) -> None:
    session.add(AgreementEvent(agreement_id=agreement.id, version=v.version, action=action,
                               from_status=before_status, to_status=v.status, actor_id=actor.id,
                               actor_role=actor.role, actor_region=actor.region_code,
                               reason=reason, at=utcnow()))


def _record(session: Session, actor: Actor, agreement: Agreement, v: AgreementVersion,
            action: str, before: dict | None, reason: str | None = None) -> None:
    """The workflow event and the audit row of one change; bumps the agreement's ETag."""
    _event(session, actor, agreement, v, action, before["status"] if before else None, reason)
    agreement.row_version += 1  # the agreement's ETag covers all its versions
    session.flush()
    session.expire(agreement, ["events"])  # reload the history with the new event
    audit(session, actor, f"agreement.{action}", "agreement", agreement.number, before,
          snapshot(v, AUDITED))


def create_agreement(session: Session, actor: Actor, data: dict) -> Agreement:
    reject_unknown(data, CREATE_FIELDS)
    if type(data.get("project_id")) is not int:
        raise Invalid("is required (an integer id)", field="project_id")
    terms = _terms(data, None)
    with writing(session):
        project = session.get(Project, data["project_id"])
        recommender = data.get("recommender_code")
        # A region sees a project it hosts or is party to; naming itself the recommender makes
        # it one. Anyone else gets 404, never a hint that the project exists.
        if project is None or not visible_project(
                actor, project.host_code,
                parties(session, project.id) + ((recommender,) if isinstance(recommender, str) else ())):
            raise NotFound(f"project {data['project_id']} not found")
        if not isinstance(recommender, str) or session.get(Region, recommender) is None:
            raise Invalid("no such region", field="recommender_code")
        receiver = data.get("receiver_code", project.host_code)
        if receiver != project.host_code:
            raise Invalid(f"must be the project's host region {project.host_code}", field="receiver_code")
        side = require_party(actor, recommender, receiver, "create an agreement you are not a party to")
        if recommender == receiver or recommender in ancestors(session, project.host_code):
            raise Invalid("a project hosted in the recommender's own region cannot be recommended "
                          "(self-referral)", field="recommender_code")
        if project.stage == "cancelled":
            raise Conflict("the project is cancelled", field="project_id")
        existing = session.scalar(sa.select(Agreement).where(Agreement.project_id == project.id))
        if existing is not None:
            raise Conflict(f"the project already has agreement {existing.number}; its coverage "
                           "would overlap — amend that agreement instead", field="project_id")
        agreement = Agreement(number=_next_number(session), project_id=project.id,
                              recommender_code=recommender, receiver_code=receiver)
        session.add(agreement)
        session.flush()
        v = AgreementVersion(agreement_id=agreement.id, version=1, status="draft",
                             proposed_by=side, **terms)
        session.add(v)
        session.flush()
        session.refresh(agreement, ["versions"])
        _record(session, actor, agreement, v, "create", None)
    return agreement


def _next_number(session: Session) -> str:
    year = today().year
    prefix = f"XY-{year}-"
    count = session.scalar(sa.select(sa.func.count()).where(Agreement.number.like(f"{prefix}%")))
    return f"{prefix}{count + 1:04d}"


def _newest_for_party(session: Session, actor: Actor, agreement_id, what: str,
                      row_version: int | None) -> tuple[Agreement, AgreementVersion, str]:
    agreement = get_visible(session, actor, agreement_id)
    side = require_party(actor, agreement.recommender_code, agreement.receiver_code, what)
    check_row_version(agreement.row_version, row_version)
    return agreement, agreement.newest, side


def _require_changes(data: dict) -> None:
    reject_unknown(data, TERMS)
    if not data:
        raise Invalid("nothing to change", errors={"_schema": ["no fields given"]})


def edit_agreement(session: Session, actor: Actor, agreement_id: int, data: dict,
                   row_version: int | None = None) -> Agreement:
    """Change the terms of a draft or returned version; it goes back to draft and the other
    party has to confirm again."""
    _require_changes(data)
    with writing(session):
        agreement, v, side = _newest_for_party(session, actor, agreement_id, "edit this agreement", row_version)
        before = snapshot(v, AUDITED)
        v.status = workflow.edit(v.status)
        for key, value in _terms(data, v).items():
            setattr(v, key, value)
        v.proposed_by, v.confirmed_at, v.submitted_at = side, None, None
        v.return_reason = None  # answered by this edit; the event history keeps it
        v.statistics_ack_at = v.commerce_ack_at = None
        _record(session, actor, agreement, v, "edit", before)
    return agreement


def confirm(session: Session, actor: Actor, agreement_id: int, row_version: int | None = None) -> Agreement:
    with writing(session):
        agreement, v, side = _newest_for_party(session, actor, agreement_id, "confirm this agreement", row_version)
        before = snapshot(v, AUDITED)
        v.status = workflow.confirm(v.status, v.proposed_by, side)
        v.confirmed_at = utcnow()
        _record(session, actor, agreement, v, "confirm", before)
    return agreement


def submit(session: Session, actor: Actor, agreement_id: int, row_version: int | None = None) -> Agreement:
    with writing(session):
        agreement, v, _ = _newest_for_party(session, actor, agreement_id, "submit this agreement", row_version)
        before = snapshot(v, AUDITED)
        v.status = workflow.submit(v.status)
        v.submitted_at = utcnow()
        _record(session, actor, agreement, v, "submit", before)
    return agreement


def return_(session: Session, actor: Actor, agreement_id: int, reason,
            row_version: int | None = None) -> Agreement:
    reason = text(reason, "reason", max_len=2000)
    with writing(session):
        require_filing_body(actor)
        agreement = get_visible(session, actor, agreement_id)
        check_row_version(agreement.row_version, row_version)
        v = agreement.newest
        before = snapshot(v, AUDITED)
        v.status = workflow.return_(v.status)
        v.return_reason = reason
        v.statistics_ack_at = v.commerce_ack_at = None
        _record(session, actor, agreement, v, "return", before, reason)
    return agreement


def acknowledge(session: Session, actor: Actor, agreement_id: int,
                row_version: int | None = None) -> Agreement:
    """A filing body acknowledges; the second acknowledgement files the version: it gets a
    filing number, earlier versions are superseded and the ledger is re-attributed."""
    with writing(session):
        body = require_filing_body(actor)
        agreement = get_visible(session, actor, agreement_id)
        check_row_version(agreement.row_version, row_version)
        v = agreement.newest
        before = snapshot(v, AUDITED)
        v.status = workflow.acknowledge(v.status, v.acknowledged_by, body)
        setattr(v, f"{body}_ack_at", utcnow())
        cut = _file(session, agreement, v) if v.status == "filed" else []
        _record(session, actor, agreement, v, "acknowledge", before)
        for old, old_before in cut:
            # The earlier version changed too (status, superseded_from): its own event and audit row.
            _event(session, actor, agreement, old, "supersede", old_before["status"])
            audit(session, actor, "agreement.supersede", "agreement", agreement.number, old_before,
                  snapshot(old, AUDITED))
        if v.status == "filed":
            years = ledger.project_years(session, agreement.project_id)
            ledger.reconcile(session, [(agreement.project_id, y) for y in years],
                             cause=f"filing:{agreement.number} v{v.version}")
    return agreement


def _file(session: Session, agreement: Agreement,
          v: AgreementVersion) -> list[tuple[AgreementVersion, dict]]:
    """Number the filing and cut back earlier versions; returns those cut, each with its audit
    snapshot from before the cut."""
    # `v` is already marked filed by the caller: leave it out of the "before" coverage, or the
    # comparison sees it on both sides and misses years it takes away from earlier versions.
    before_terms = [t for t in ledger.filed_terms(agreement) if t.version != v.version]
    shares = {x.version: x.recommender_share for x in agreement.versions}
    after_terms = before_terms + [coverage.Term(v.version, v.first_year, v.last_year)]
    closed = ledger.closed_years(session)
    touched = coverage.changed_years(before_terms, after_terms, shares, closed)
    if touched:
        raise Conflict(f"filing would change the coverage of closed assessment year(s) "
                       f"{', '.join(map(str, sorted(touched)))}; reopen them first")
    filed_on = today()
    seq = (session.scalar(sa.select(sa.func.max(AgreementVersion.filing_seq))
                          .where(AgreementVersion.filing_year == filed_on.year)) or 0) + 1
    prefix = current_app.config["FILING_PREFIX"] if has_app_context() else Config.FILING_PREFIX
    v.filing_year, v.filing_seq, v.filed_on = filed_on.year, seq, filed_on
    v.filing_number = f"{prefix}〔{filed_on.year}〕{seq}号"
    cut = []
    for old in agreement.versions[:-1]:
        if old.status == "filed" or (old.status == "superseded" and old.superseded_from > v.first_year):
            cut.append((old, snapshot(old, AUDITED)))
            old.status = "superseded"
            old.superseded_from = min(old.superseded_from or v.first_year, v.first_year)
    return cut


def amend(session: Session, actor: Actor, agreement_id: int, data: dict,
          row_version: int | None = None) -> Agreement:
    """Propose version n+1 (a new ratio, end year or a termination); it starts as a draft
    confirmed by the amending party."""
    _require_changes(data)
    with writing(session):
        agreement, newest, side = _newest_for_party(session, actor, agreement_id, "amend this agreement", row_version)
        workflow.amend(newest.status)
        terms = _terms(data, newest)
        v = AgreementVersion(agreement_id=agreement.id, version=newest.version + 1,
                             status="draft", proposed_by=side, **terms)
        session.add(v)
        session.flush()
        session.refresh(agreement, ["versions"])
        _record(session, actor, agreement, v, "amend", None)
    return agreement


def visible_query(actor: Actor) -> sa.Select:
    """The agreements this user may see, newest first."""
    query = sa.select(Agreement).order_by(Agreement.id.desc())
    if actor.role == "region":
        query = query.where(sa.or_(Agreement.recommender_code == actor.region_code,
                                   Agreement.receiver_code == actor.region_code))
    return query
