"""Attribution totals, the postings ledger, its verification, assessment years and the audit log."""

from __future__ import annotations

from marshmallow import fields

from ledger import current
from ledger.api import ErrorSchema
from ledger.api.support import (
    api_blueprint, ctx, file_response, file_responses_doc, idempotent, page_args, paginated,
)
from ledger.commands import years as year_commands
from ledger.io.exports import (
    attribution_data, export_attribution, export_project_lines, project_lines_data,
)
from ledger.queries import audit, checklist, postings, years
from ledger.queries.attribution import attribution as attribution_of
from ledger.queries.project_lines import project_lines
from ledger.queries import verification
from ledger.schemas.requests import (
    AttributionQuery, AuditQuery, PostingQuery, ProjectLinesQuery, ReasonRequest, YearCloseRequest,
)
from ledger.schemas.resources import (
    AttributionSchema, AuditSchema, ChecklistSchema, PostingSchema, ProjectLinesSchema,
    VerifySchema, YearSchema,
)

class ChecklistOpenSchema(ErrorSchema):
    checklist = fields.Nested(ChecklistSchema, metadata={
        "description": "with `year.checklist_open`: the year's checklist as it stands, with "
                       "the digest a close must name to confirm it"})


blp = api_blueprint("ledger", "Attribution, postings, verification, years and audit")


@blp.route("/attribution")
@blp.arguments(AttributionQuery, location="query")
@blp.response(200, AttributionSchema)
@blp.doc(responses=file_responses_doc())
def attribution(args):
    """Per region: in place (在地), ceded, credited and attributed (考核口径) for a year, as
    recorded at `as_of` (default now), with province totals and the reconciliation line.
    `format=csv|xlsx`: the same figures as a file (prefecture subtotals, totals, the
    reconciliation line, the year, the as-of time and the notice 仅用于年度绩效考核)."""
    found = attribution_of(ctx(), args["year"], args.get("as_of"), args.get("region"))
    if args["format"] != "json":
        return file_response(export_attribution(found, args["format"]))
    return attribution_data(found)


@blp.route("/attribution/projects")
@blp.arguments(ProjectLinesQuery, location="query")
@blp.response(200, ProjectLinesSchema)
@blp.doc(responses=file_responses_doc())
def attribution_projects(args):
    """Per project: host, recommender, share, annual amount and each side's part.
    `format=csv|xlsx`: the same lines as a file, with their sums."""
    found = project_lines(ctx(), args["year"], args.get("as_of"))
    if args["format"] != "json":
        return file_response(export_project_lines(found, args["format"]))
    return project_lines_data(found)


@blp.route("/postings")
@blp.arguments(PostingQuery, location="query")
@blp.response(200, PostingSchema(many=True))
@blp.paginate()
def list_postings(args, pagination_parameters):
    """Ledger rows in `seq` order (a region sees its own postings only)."""
    return paginated(postings.postings(ctx(), **args, **page_args(pagination_parameters)),
                     pagination_parameters)


@blp.route("/ledger/verify")
@blp.response(200, VerifySchema)
def verify_ledger():
    """Recompute both hash chains, replay the journal against the tables and the postings, and
    check the signed checkpoints."""
    r = verification.verify_ledger(ctx())

    def head(seq, digest):
        return None if seq is None else {"seq": seq, "hash": digest}

    return {"ok": r.ok, "postings": r.postings, "head": head(r.head_seq, r.head_hash),
            "first_bad_seq": r.first_bad_seq, "checkpoints": r.checkpoints,
            "journal": {"entries": r.journal_entries,
                        "head": head(r.journal_head_seq, r.journal_head_hash),
                        "first_bad_entry": r.first_bad_entry},
            "problems": r.problems}


@blp.route("/years")
@blp.response(200, YearSchema(many=True))
def list_years():
    """Every year that has reports or has been closed, with its status."""
    return years.years(current.session())


@blp.route("/years/<int:year>/checklist")
@blp.response(200, ChecklistSchema)
def year_checklist(year: int):
    """What is still open for the year (admin, statistics, commerce): agreement versions
    covering it that are not filed, landed projects with months not reported (through the
    current month, or December of a past year), and the `digest` of the list."""
    found = checklist.checklist(ctx(), year)
    return found.data() | {"open_items": found.open_items, "digest": found.digest}


@blp.route("/years/<int:year>/close", methods=["POST"])
@idempotent
@blp.arguments(YearCloseRequest)
@blp.response(200, YearSchema)
@blp.alt_response(409, schema=ChecklistOpenSchema, description="the year is already closed, or "
                  "its checklist has open items and the body does not name its digest")
def close_year(data, year: int):
    """Close an assessment year (statistics bureau): every later change to it is refused. While
    the year's checklist has open items, the body must name the digest of the list as it
    stands, `{"checklist_digest": "<digest>"}`; else 409 `year.checklist_open` whose
    `checklist` is the current list with its digest."""
    return year_commands.close_year(ctx(), year, data.get("checklist_digest"))


@blp.route("/years/<int:year>/reopen", methods=["POST"])
@idempotent
@blp.arguments(ReasonRequest)
@blp.response(200, YearSchema)
def reopen_year(data, year: int):
    """Reopen a closed year with a reason (statistics bureau)."""
    return year_commands.reopen_year(ctx(), year, data["reason"])


@blp.route("/audit")
@blp.arguments(AuditQuery, location="query")
@blp.response(200, AuditSchema(many=True))
@blp.paginate()
def audit_log(args, pagination_parameters):
    """The append-only audit log, newest first; filters `entity` and `actor` (username)."""
    return paginated(audit.audit_log(ctx(), **args, **page_args(pagination_parameters)),
                     pagination_parameters)
