"""Attribution totals per region and the per-project lines, as JSON, CSV or XLSX."""

from __future__ import annotations

from flask import Response, jsonify

from ledger.api.ledger_blueprint import blp
from ledger.api.support import ctx, file_response, file_responses_doc, settles
from ledger.domain.money import format_amount
from ledger.domain.periods import utc_text
from ledger.io.exports import (
    export_attribution, export_project_lines, project_lines_data,
)
from ledger.queries.attribution import Attribution, attribution as attribution_of, read_lines
from ledger.queries.statement import statement_body
from ledger.queries.project_lines import project_lines
from ledger.schemas.requests import AttributionQuery, ProjectLinesQuery
from ledger.schemas.resources import AttributionSchema, ProjectLinesSchema


@blp.route("/attribution")
@settles
@blp.arguments(AttributionQuery(), location="query")  # (given a class, webargs makes one a request)
@blp.response(200, AttributionSchema)
@blp.doc(responses=file_responses_doc())
def attribution(args):
    """Per region: in place (在地), ceded, credited and attributed (考核口径) on one accounting
    line (`indicator`, default completed_investment) for a year, as recorded at `as_of`
    (default now), with province totals and the reconciliation line; on funds_in_place each
    in-place figure also by source (境内区外 / 境外), from the receipts as revised by `as_of`.
    `format=csv|xlsx`: the same figures as a file (prefecture subtotals, totals, the
    reconciliation line, the year, the as-of time and the notice 仅用于年度绩效考核); an xlsx
    file holds both lines, one worksheet each."""
    lines = read_lines(attribution_of, ctx(), args["year"], args.get("as_of"),
                       args["indicator"], args["format"], region=args.get("region"))
    if args["format"] != "json":
        return file_response(export_attribution(lines, args["format"]))
    return attribution_json(lines[0])


def attribution_json(found: Attribution) -> Response:
    """The answer AttributionSchema describes, formatted as its fields format (the same bytes:
    tests/api/test_attribution.py), without a marshmallow field per figure — most of the
    answer's cost beside its one statement."""
    return jsonify({"year": found.year, "indicator": found.indicator.value,
                    "as_of": utc_text(found.as_of), "note": found.notice}
                   | statement_body(found, format_amount))


@blp.route("/attribution/projects")
@blp.arguments(ProjectLinesQuery, location="query")
@blp.response(200, ProjectLinesSchema)
@blp.doc(responses=file_responses_doc())
def attribution_projects(args):
    """Per project on one accounting line (`indicator`): host, recommender, the agreement
    version's share of that line, annual amount and each side's part.
    `format=csv|xlsx`: the same lines as a file, with their sums (xlsx: both lines)."""
    lines = read_lines(project_lines, ctx(), args["year"], args.get("as_of"),
                       args["indicator"], args["format"])
    if args["format"] != "json":
        return file_response(export_project_lines(lines, args["format"]))
    return project_lines_data(lines[0])
