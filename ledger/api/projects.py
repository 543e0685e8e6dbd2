"""Projects and their monthly completed investment."""

from __future__ import annotations

from flask_smorest import abort

from ledger import get_session
from ledger.api.support import actor, api_blueprint, idempotent, if_match, paginate, with_etag
from ledger.domain.errors import Invalid
from ledger.policy import require_region
from ledger.schemas.requests import InvestmentPut, ProjectCreate, ProjectPatch, ProjectQuery, YearQuery
from ledger.schemas.resources import ProjectSchema, ReportResultSchema, ReportSchema
from ledger.services import investments, projects

blp = api_blueprint("projects", "Projects (招商引资项目) and completed investment (完成投资)")


@blp.route("/projects")
@blp.arguments(ProjectQuery, location="query")
@blp.response(200, ProjectSchema(many=True))
@blp.paginate()
def list_projects(args, pagination_parameters):
    """Projects you may see: filters `region` (host), `zone`, `stage`, `q` (name, investor, code)."""
    return paginate(projects.visible_query(actor(), **args), pagination_parameters)


@blp.route("/projects", methods=["POST"])
@idempotent
@blp.arguments(ProjectCreate)
@blp.response(201, ProjectSchema)
def post_project(data):
    """Register a project in a zone of your own region."""
    project = projects.create_project(get_session(), actor(), data)
    return with_etag(ProjectSchema().dump(project), project.row_version, 201)


@blp.route("/projects/<int:project_id>")
@blp.response(200, ProjectSchema)
def get_project(project_id: int):
    project = projects.get_visible(get_session(), actor(), project_id)
    return with_etag(ProjectSchema().dump(project), project.row_version)


@blp.route("/projects/<int:project_id>", methods=["PATCH"])
@blp.arguments(ProjectPatch)
@blp.response(200, ProjectSchema)
def patch_project(data, project_id: int):
    """Edit a project or move it to a later stage (`stage` with `stage_on`); needs If-Match."""
    session = get_session()
    project = projects.get_visible(session, actor(), project_id)
    require_region(actor(), project.host_code, "edit a project hosted elsewhere")
    row_version = if_match(required=True)
    stage, stage_on = data.pop("stage", None), data.pop("stage_on", None)
    if stage is not None or stage_on is not None:
        # A stage change is a request of its own: every write is one transaction.
        if stage is None or stage_on is None or data:
            raise Invalid("send stage with stage_on, and nothing else", field="stage")
        project = projects.change_stage(session, actor(), project_id, stage, stage_on, row_version)
    elif data:
        project = projects.update_project(session, actor(), project_id, data, row_version)
    else:
        abort(422, message="nothing to change", errors={"json": {"_schema": ["no fields given"]}})
    return with_etag(ProjectSchema().dump(project), project.row_version)


@blp.route("/projects/<int:project_id>/investments/<string:period>", methods=["PUT"])
@blp.arguments(InvestmentPut)
@blp.response(200, ReportResultSchema)
def put_investment(data, project_id: int, period: str):
    """Report or revise a month's completed investment (host region). The same amount again
    is a no-op (`created: false`)."""
    result = investments.report_investment(get_session(), actor(), project_id, period,
                                           data["amount"], data.get("note"))
    return result


@blp.route("/projects/<int:project_id>/investments")
@blp.arguments(YearQuery, location="query")
@blp.response(200, ReportSchema(many=True))
def list_investments(args, project_id: int):
    """Every revision of every month, oldest first."""
    return investments.reports(get_session(), actor(), project_id, args.get("year"))
