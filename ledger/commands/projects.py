"""Projects (招商引资项目): registration, edits and stage changes by the host region."""

from __future__ import annotations

import sqlalchemy as sa

from ledger.commands.common import audit, check_row_version
from ledger.context import Context
from ledger.commands.inputs import ProjectInput, StageChange
from ledger.db import writing
from ledger.domain import codes, stages
from ledger.domain.enums import Stage
from ledger.domain.errors import Conflict, Invalid
from ledger.models import InvestmentReport, Project, Zone
from ledger.postings.journal import record
from ledger.policy import require_host
from ledger.queries.lookup import party_codes, visible_project

EDITABLE = ("name", "investor_name", "investor_credit_code", "investor_foreign", "industry_code",
            "project_code", "planned_investment", "zone_id")


def _zone(ctx: Context, zone_id: int) -> Zone:
    zone = ctx.session.get(Zone, zone_id)
    if zone is None:
        raise Invalid("zone.unknown", field="zone_id")
    return zone


def _apply(ctx: Context, project: Project, inp: ProjectInput) -> None:
    """Set the fields sent and check the project as a whole."""
    changes = inp.given()
    if "zone_id" in changes:
        project.zone = _zone(ctx, changes.pop("zone_id"))
    for key, value in changes.items():
        setattr(project, key, value)
    if not project.investor_foreign and not project.investor_credit_code:
        raise Invalid("project.credit_code_required", field="investor_credit_code")
    restricted = codes.restricted_by(project.zone.restricted_industries, project.industry_code)
    if restricted:
        raise Invalid("project.restricted_industry", field="industry_code",
                      code=project.industry_code, zone=project.zone.name,
                      restricted=", ".join(restricted))
    if project.project_code and ctx.session.scalar(
            sa.select(Project.id).where(Project.project_code == project.project_code,
                                        Project.id != project.id)) is not None:
        raise Conflict("project.code_taken", field="project_code", code=project.project_code)


def create_project(ctx: Context, inp: ProjectInput) -> Project:
    with writing(ctx.session) as session:
        zone = _zone(ctx, inp.zone_id)
        require_host(ctx.actor, zone.region_code)
        project = Project(zone=zone, host_code=zone.region_code, stage=Stage.SIGNED,
                          investor_foreign=False, investor_credit_code=None, project_code=None,
                          signed_on=None)
        with session.no_autoflush:
            _apply(ctx, project, inp)
        session.add(project)
        session.flush()
        audit(ctx, "project.create", "project", project.id, None, record("project", project))
    return project


def update_project(ctx: Context, project_id: int, inp: ProjectInput,
                   row_version: int | None = None) -> Project:
    with writing(ctx.session) as session:
        project = visible_project(session, ctx.actor, project_id)
        require_host(ctx.actor, project.host_code)
        check_row_version(project.row_version, row_version)
        before = record("project", project)
        with session.no_autoflush:
            _apply(ctx, project, inp)
            if project.zone.region_code != project.host_code:
                require_host(ctx.actor, project.zone.region_code)
                if party_codes(session, project.id) or session.scalar(
                        sa.select(InvestmentReport.id)
                        .where(InvestmentReport.project_id == project.id).limit(1)):
                    raise Conflict("project.move_with_history", field="zone_id")
                project.host_code = project.zone.region_code
        session.flush()
        audit(ctx, "project.update", "project", project.id, before, record("project", project))
    return project


def change_stage(ctx: Context, project_id: int, change: StageChange,
                 row_version: int | None = None) -> Project:
    """Move a project forward (签约 → 开工建设 → 投产) or cancel it."""
    with writing(ctx.session) as session:
        project = visible_project(session, ctx.actor, project_id)
        require_host(ctx.actor, project.host_code)
        check_row_version(project.row_version, row_version)
        before = record("project", project)
        dates = {name: getattr(project, name) for name in
                 (stages.DATE_OF[s] for s in stages.ORDER)}
        for key, value in stages.advance(project.stage, change.stage, change.stage_on,
                                         dates).items():
            setattr(project, key, value)
        session.flush()
        audit(ctx, "project.stage", "project", project.id, before, record("project", project))
    return project
