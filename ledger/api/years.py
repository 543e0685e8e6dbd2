"""Assessment years: their list, each year's checklist, closing and reopening."""

from __future__ import annotations

from marshmallow import fields

from ledger import current
from ledger.api import ErrorSchema
from ledger.api.ledger_blueprint import blp
from ledger.api.support import ctx, idempotent
from ledger.commands import years as year_commands
from ledger.queries import checklist, years
from ledger.schemas.requests import ReasonRequest, YearCloseRequest
from ledger.schemas.resources import ChecklistSchema, YearSchema


class ChecklistOpenSchema(ErrorSchema):
    checklist = fields.Nested(ChecklistSchema, metadata={
        "description": "with `year.checklist_open`: the year's checklist as it stands, with "
                       "the digest a close must name to confirm it"})


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
