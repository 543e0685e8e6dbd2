"""Projects and their monthly completed investment."""

from __future__ import annotations

from ledger.api.support import (
    api_blueprint, ctx, idempotent, if_match, page_args, paginated, with_etag, writes,
)
from ledger.commands import projects, reports
from ledger.commands.inputs import ReportInput, StageChange
from ledger.domain.periods import parse_period
from ledger.policy import require_host
from ledger.queries import projects as project_queries
from ledger.schemas.requests import InvestmentPut, ProjectCreate, ProjectPatch, ProjectQuery, YearQuery
from ledger.schemas.resources import ProjectSchema, ReportResultSchema, ReportSchema

blp = api_blueprint("projects", "Projects (招商引资项目) and completed investment (完成投资)")


@blp.route("/projects")
@blp.arguments(ProjectQuery, location="query")
@blp.response(200, ProjectSchema(many=True))
@blp.paginate()
def list_projects(args, pagination_parameters):
    """Projects you may see: filters `region` (host), `zone`, `stage`, `q` (name, investor, code)."""
    return paginated(project_queries.projects(ctx(), **args, **page_args(pagination_parameters)),
                     pagination_parameters)


@blp.route("/projects", methods=["POST"])
@idempotent
@blp.arguments(ProjectCreate)
@blp.response(201, ProjectSchema)
def post_project(data):
    """Register a project in a zone of your own region."""
    project = projects.create_project(ctx(), data)
    return with_etag(ProjectSchema().dump(project), project.row_version, 201)


@blp.route("/projects/<int:project_id>")
@blp.response(200, ProjectSchema)
def get_project(project_id: int):
    project = project_queries.project(ctx(), project_id)
    return with_etag(ProjectSchema().dump(project), project.row_version)


@blp.route("/projects/<int:project_id>", methods=["PATCH"])
@blp.arguments(ProjectPatch)
@blp.response(200, ProjectSchema)
def patch_project(data, project_id: int):
    """Correct a project — its facts, `signed_on` and the date of each stage it has reached,
    with a `reason` (required when a date changes; each correction is journaled before → after)
    — or move it to a later stage (`stage` with `stage_on`, nothing else); needs If-Match.
    A date after today, stages out of order, a start after a reported month
    (409 `project.start_after_report`) or a signing after an agreement's first year
    (409 `agreement.before_project`) are refused."""
    context = ctx()
    # 404 for what you cannot see and 403 for what you may not change, before the 428.
    require_host(context.actor, project_queries.project(context, project_id).host_code)
    row_version = if_match(required=True)
    if isinstance(data, StageChange):
        project = projects.change_stage(context, project_id, data, row_version)
    else:
        project = projects.update_project(context, project_id, data, row_version)
    return with_etag(ProjectSchema().dump(project), project.row_version)


@blp.route("/projects/<int:project_id>/investments/<string:period>", methods=["PUT"])
@writes
@blp.arguments(InvestmentPut)
@blp.response(200, ReportResultSchema)
def put_investment(data, project_id: int, period: str):
    """Report or revise a month's completed investment (host region). The same amount again
    is a no-op (`created: false`)."""
    return reports.report_investment(ctx(), ReportInput(
        project_id, parse_period(period), data["amount"], data["note"]))


@blp.route("/projects/<int:project_id>/investments")
@blp.arguments(YearQuery, location="query")
@blp.response(200, ReportSchema(many=True))
def list_investments(args, project_id: int):
    """Every revision of every month, oldest first."""
    return project_queries.reports(ctx(), project_id, args.get("year"))
