"""Attribution totals, the postings ledger, its verification, assessment years and the audit log."""

from __future__ import annotations

from ledger import current
from ledger.api.support import (
    api_blueprint, ctx, file_response, file_responses_doc, idempotent, page_args, paginated,
)
from ledger.commands import years as year_commands
from ledger.io.exports import (
    attribution_data, export_attribution, export_project_lines, project_lines_data,
)
from ledger.queries import audit, postings, years
from ledger.queries.attribution import attribution as attribution_of
from ledger.queries.project_lines import project_lines
from ledger.queries import verification
from ledger.schemas.requests import (
    AttributionQuery, AuditQuery, PostingQuery, ProjectLinesQuery, ReasonRequest,
)
from ledger.schemas.resources import (
    AttributionSchema, AuditSchema, PostingSchema, ProjectLinesSchema, VerifySchema, YearSchema,
)

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


@blp.route("/years/<int:year>/close", methods=["POST"])
@idempotent
@blp.response(200, YearSchema)
def close_year(year: int):
    """Close an assessment year (statistics bureau): every later change to it is refused."""
    return year_commands.close_year(ctx(), year)


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
