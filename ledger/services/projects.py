"""Projects (招商引资项目): registration, edits and stage changes by the host region."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.db import writing
from ledger.domain import codes
from ledger.domain.errors import Conflict, Invalid, NotFound
from ledger.domain.money import parse_amount
from ledger.models import Agreement, InvestmentReport, Project, Zone
from ledger.policy import Actor, require_region, visible_project
from ledger.services.common import (
    as_bool, as_date, audit, check_row_version, reject_unknown, snapshot, text,
)

EDITABLE = ("name", "investor_name", "investor_credit_code", "investor_foreign", "industry_code",
            "project_code", "planned_investment", "zone_id")
CREATE_FIELDS = EDITABLE + ("signed_on",)
AUDITED = EDITABLE + ("host_code", "stage", "signed_on", "started_on", "operating_on", "cancelled_on")
# Stages only move forward (cancel aside); the date column that records each one.
STAGE_ORDER = ("signed", "under_construction", "in_operation")
STAGE_DATE = {"signed": "signed_on", "under_construction": "started_on",
              "in_operation": "operating_on", "cancelled": "cancelled_on"}


def parties(session: Session, project_id: int) -> tuple[str, ...]:
    row = session.execute(sa.select(Agreement.recommender_code, Agreement.receiver_code)
                          .where(Agreement.project_id == project_id)).first()
    return tuple(row) if row else ()


def get_visible(session: Session, actor: Actor, project_id: int) -> Project:
    """The project, or NotFound when it does not exist or this user may not see it."""
    project = session.get(Project, project_id) if isinstance(project_id, int) else None
    if project is None or not visible_project(actor, project.host_code, parties(session, project.id)):
        raise NotFound(f"project {project_id} not found")
    return project


def _zone(session: Session, zone_id) -> Zone:
    zone = session.get(Zone, zone_id) if type(zone_id) is int else None
    if zone is None:
        raise Invalid("no such zone", field="zone_id")
    return zone


def _apply(session: Session, project: Project, data: dict) -> None:
    """Validate and set the editable fields present in `data`."""
    if "name" in data:
        project.name = text(data["name"], "name", max_len=200)
    if "investor_name" in data:
        project.investor_name = text(data["investor_name"], "investor_name", max_len=200)
    if "investor_foreign" in data:
        project.investor_foreign = as_bool(data["investor_foreign"], "investor_foreign")
    if "investor_credit_code" in data:
        code = data["investor_credit_code"]
        project.investor_credit_code = None if code in (None, "") else codes.validate_credit_code(code)
    if not project.investor_foreign and not project.investor_credit_code:
        raise Invalid("is required unless the investor is foreign", field="investor_credit_code")
    if "industry_code" in data:
        project.industry_code = codes.validate_industry(data["industry_code"])
    if "project_code" in data:
        code = data["project_code"]
        project.project_code = None if code in (None, "") else codes.validate_project_code(code)
    if "planned_investment" in data:
        project.planned_investment = parse_amount(data["planned_investment"], field="planned_investment")
    if "zone_id" in data:
        project.zone = _zone(session, data["zone_id"])
        project.zone_id = project.zone.id
    zone = project.zone
    restricted = [r for r in zone.restricted_industries if codes.covers(r, project.industry_code)]
    if restricted:
        raise Invalid(f"industry {project.industry_code} is on the restricted list of {zone.name} "
                      f"({', '.join(restricted)})", field="industry_code")
    if project.project_code and session.scalar(
            sa.select(Project.id).where(Project.project_code == project.project_code,
                                        Project.id != project.id)) is not None:
        raise Conflict(f"project code {project.project_code} is already registered", field="project_code")


def create_project(session: Session, actor: Actor, data: dict) -> Project:
    reject_unknown(data, CREATE_FIELDS)
    required = ("name", "investor_name", "industry_code", "planned_investment", "zone_id")
    missing = [f for f in required if f not in data]
    if missing:
        raise Invalid("missing required field(s)", errors={f: ["is required"] for f in missing})
    with writing(session):
        zone = _zone(session, data["zone_id"])
        require_region(actor, zone.region_code, "register a project outside your own region")
        project = Project(zone=zone, zone_id=zone.id, host_code=zone.region_code, stage="signed",
                          investor_foreign=False, investor_credit_code=None, project_code=None)
        project.signed_on = as_date(data["signed_on"], "signed_on") if data.get("signed_on") else None
        _apply(session, project, data)
        session.add(project)
        session.flush()
        audit(session, actor, "project.create", "project", project.id, None, snapshot(project, AUDITED))
    return project


def update_project(session: Session, actor: Actor, project_id: int, data: dict,
                   row_version: int | None = None) -> Project:
    reject_unknown(data, EDITABLE)
    with writing(session):
        project = get_visible(session, actor, project_id)
        require_region(actor, project.host_code, "edit a project hosted elsewhere")
        check_row_version(project.row_version, row_version)
        before = snapshot(project, AUDITED)
        _apply(session, project, data)
        if project.zone.region_code != project.host_code:
            require_region(actor, project.zone.region_code, "move a project to another region")
            if parties(session, project.id) or session.scalar(
                    sa.select(InvestmentReport.id).where(InvestmentReport.project_id == project.id).limit(1)):
                raise Conflict("a project with an agreement or reported investment cannot move "
                               "to another region", field="zone_id")
            project.host_code = project.zone.region_code
        session.flush()
        audit(session, actor, "project.update", "project", project.id, before, snapshot(project, AUDITED))
    return project


def change_stage(session: Session, actor: Actor, project_id: int, stage, stage_on,
                 row_version: int | None = None) -> Project:
    """Move a project forward (签约 → 开工建设 → 投产) or cancel it; skipped stages get the same date."""
    if stage not in STAGE_DATE:
        raise Invalid(f"must be one of {', '.join(STAGE_DATE)}", field="stage")
    on = as_date(stage_on, "stage_on")
    with writing(session):
        project = get_visible(session, actor, project_id)
        require_region(actor, project.host_code, "change the stage of a project hosted elsewhere")
        check_row_version(project.row_version, row_version)
        before = snapshot(project, AUDITED)
        if project.stage == "cancelled":
            raise Conflict("a cancelled project cannot change stage", field="stage")
        if stage != "cancelled":
            now_i, new_i = STAGE_ORDER.index(project.stage), STAGE_ORDER.index(stage)
            if new_i <= now_i:
                raise Conflict(f"stages only move forward (now '{project.stage}')", field="stage")
            skipped = STAGE_ORDER[now_i + 1:new_i + 1]
        else:
            skipped = (stage,)
        earlier = [d for d in (project.signed_on, project.started_on, project.operating_on) if d]
        if earlier and on < max(earlier):
            raise Invalid(f"must not be before {max(earlier).isoformat()}", field="stage_on")
        for s in skipped:
            setattr(project, STAGE_DATE[s], on)
        project.stage = stage
        session.flush()
        audit(session, actor, "project.stage", "project", project.id, before, snapshot(project, AUDITED))
    return project



def visible_query(actor: Actor, region: str | None = None, zone: int | None = None,
                  stage: str | None = None, q: str | None = None) -> sa.Select:
    """The projects this user may see, filtered, newest first."""
    query = sa.select(Project).order_by(Project.id.desc())
    if actor.role == "region":
        party = sa.select(Agreement.project_id).where(
            sa.or_(Agreement.recommender_code == actor.region_code,
                   Agreement.receiver_code == actor.region_code))
        query = query.where(sa.or_(Project.host_code == actor.region_code, Project.id.in_(party)))
    if region:
        query = query.where(Project.host_code == region)
    if zone is not None:
        query = query.where(Project.zone_id == zone)
    if stage:
        query = query.where(Project.stage == stage)
    if q:
        like = f"%{q}%"
        query = query.where(sa.or_(Project.name.like(like), Project.investor_name.like(like),
                                   Project.project_code.like(like)))
    return query
