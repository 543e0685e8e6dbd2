"""Projects (招商引资项目): registration, corrections and stage changes by the host region.

A correction (PATCH) may change the project's facts and its dates; each is a journaled fact
(`project.correct`, before → after and the reason), and the dates' rules
(ledger.domain.dates) are held again against what already exists: the reports, the
agreements."""

from __future__ import annotations

import sqlalchemy as sa

from ledger.commands.common import audit, check_row_version
from ledger.context import Context
from ledger.commands.inputs import ProjectInput, StageChange
from ledger.db import writing
from ledger.domain import codes, dates, stages
from ledger.domain.enums import Stage
from ledger.domain.errors import Conflict, Invalid, Problem
from ledger.models import Agreement, AgreementVersion, FundsReceipt, InvestmentReport, Project, Zone
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


def _dates(project: Project) -> dict:
    return {name: getattr(project, name) for name in dates.PROJECT_DATES}


def _apply(ctx: Context, project: Project, inp: ProjectInput, *, correcting: bool = False) -> None:
    """Set the fields sent and check the project as a whole (`correcting`: a changed date
    needs a reason)."""
    changes = inp.given()
    reason = changes.pop("reason", None)
    for name in dates.PROJECT_DATES[1:]:  # a stage's date is set by reaching the stage
        if name in changes and getattr(project, name) is None:
            raise Conflict("project.stage_not_reached", field=name, stage=project.stage)
    before = _dates(project)
    if "zone_id" in changes:
        project.zone = _zone(ctx, changes.pop("zone_id"))
    for key, value in changes.items():
        setattr(project, key, value)
    changed = {k for k, v in _dates(project).items() if v != before[k]}
    problems = dates.project_problems(_dates(project), ctx.today(), changed)
    problems |= _fact_problems(project.zone, project.industry_code, project.investor_foreign,
                               project.investor_credit_code)
    if correcting:
        problems |= _reason_problems(changed, reason)
    dates.raise_invalid(problems)
    if project.project_code and ctx.session.scalar(
            sa.select(Project.id).where(Project.project_code == project.project_code,
                                        Project.id != project.id)) is not None:
        raise Conflict("project.code_taken", field="project_code", code=project.project_code)


def _reason_problems(changed: set[str], reason: str | None) -> dict[str, list[Problem]]:
    """A correction that changes a date says why."""
    return {"reason": [Problem("project.reason_required")]} if changed and not reason else {}


def _fact_problems(zone: Zone | None, industry_code: str | None, foreign: bool,
                   credit_code: str | None) -> dict[str, list[Problem]]:
    """The project's facts together: a credit code unless the investor is foreign, an industry
    its zone does not restrict."""
    problems: dict[str, list[Problem]] = {}
    if not foreign and not credit_code:
        problems["investor_credit_code"] = [Problem("project.credit_code_required")]
    restricted = [] if zone is None or not industry_code else \
        codes.restricted_by(zone.restricted_industries, industry_code)
    if restricted:
        problems["industry_code"] = [Problem(
            "project.restricted_industry", code=industry_code, zone=zone.name,
            restricted=", ".join(restricted))]
    return problems


def form_problems(ctx: Context, given: dict, project_id: int | None = None) -> dict[str, list[Problem]]:
    """What create_project (or update_project, of `project_id`) would refuse of the values a
    form's schema accepted (`given`, field → typed value; a refused field is absent and keeps
    the project's value), read without writing: a form shows them with the schema's problems
    in the same submit."""
    project = None if project_id is None else visible_project(ctx.session, ctx.actor, project_id)

    def value(name: str, default=None):
        return given[name] if name in given else getattr(project, name, default)

    found: dict[str, list[Problem]] = {}
    zone = project.zone if project is not None else None
    if given.get("zone_id") is not None:
        zone = ctx.session.get(Zone, given["zone_id"])
        if zone is None:
            found["zone_id"] = [Problem("zone.unknown")]
    before = {name: getattr(project, name, None) for name in dates.PROJECT_DATES}
    after = {name: value(name) for name in dates.PROJECT_DATES}
    changed = {k for k, v in after.items() if v != before[k]}
    found |= dates.project_problems(after, ctx.today(), changed)
    found |= _fact_problems(zone, value("industry_code"), bool(value("investor_foreign")),
                            value("investor_credit_code"))
    return found if project is None else found | _reason_problems(changed, given.get("reason"))


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


def _recheck(ctx: Context, project: Project, before: dict) -> None:
    """The rules a corrected date must keep with what already exists (its reason is _apply's):
    the months reported (construction cannot start after one), the agreements (none covers a
    year before the signing) and the funds received (none before the signing)."""
    changed = [k for k, v in _dates(project).items() if v != before[k]]
    if not changed:
        return
    session = ctx.session
    if "started_on" in changed:
        first = session.scalar(sa.select(sa.func.min(InvestmentReport.period))
                               .where(InvestmentReport.project_id == project.id))
        problem = dates.start_after_report(project.started_on, first)
        if problem is not None:
            raise Conflict(problem.code, field="started_on", **problem.params)
    if "signed_on" in changed:
        first_year = session.scalar(
            sa.select(sa.func.min(AgreementVersion.first_year))
            .join(Agreement, Agreement.id == AgreementVersion.agreement_id)
            .where(Agreement.project_id == project.id, Agreement.is_live))
        problem = None if first_year is None else dates.before_project(first_year, project.signed_on)
        if problem is not None:
            raise Conflict(problem.code, field="signed_on", **problem.params)
        first_received = session.scalar(sa.select(sa.func.min(FundsReceipt.received_on))
                                        .where(FundsReceipt.project_id == project.id,
                                               ~FundsReceipt.voided))
        problem = dates.signed_after_funds(project.signed_on, first_received)
        if problem is not None:
            raise Conflict(problem.code, field="signed_on", **problem.params)


def update_project(ctx: Context, project_id: int, inp: ProjectInput,
                   row_version: int | None = None) -> Project:
    """Correct a project (the host region): its facts and dates, with a reason when a date
    changes. Nothing changed writes nothing."""
    with writing(ctx.session) as session:
        project = visible_project(session, ctx.actor, project_id)
        require_host(ctx.actor, project.host_code)
        check_row_version(project.row_version, row_version)
        before, before_dates = record("project", project), _dates(project)
        reason = inp.reason or None
        with session.no_autoflush:
            _apply(ctx, project, inp, correcting=True)
            _recheck(ctx, project, before_dates)
            if project.zone.region_code != project.host_code:
                require_host(ctx.actor, project.zone.region_code)
                if party_codes(session, project.id) or session.scalar(
                        sa.select(InvestmentReport.id)
                        .where(InvestmentReport.project_id == project.id).limit(1)):
                    raise Conflict("project.move_with_history", field="zone_id")
                project.host_code = project.zone.region_code
        after = record("project", project)
        if after != before:
            session.flush()
            audit(ctx, "project.correct", "project", project.id, before,
                  after | ({"reason": reason} if reason else {}))
    return project


def change_stage(ctx: Context, project_id: int, change: StageChange,
                 row_version: int | None = None) -> Project:
    """Move a project forward (签约 → 开工建设 → 投产) or cancel it."""
    with writing(ctx.session) as session:
        project = visible_project(session, ctx.actor, project_id)
        require_host(ctx.actor, project.host_code)
        check_row_version(project.row_version, row_version)
        before = record("project", project)
        reached = stages.advance(project.stage, change.stage, change.stage_on)
        for key, value in reached.items():
            setattr(project, key, value)
        set_ = [k for k in reached if k in dates.PROJECT_DATES]
        dates.check_project(_dates(project), ctx.today(), set_, {k: "stage_on" for k in set_})
        session.flush()
        audit(ctx, "project.stage", "project", project.id, before, record("project", project))
    return project
