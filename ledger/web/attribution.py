"""The attribution page: each region's totals with their chart and the statement, and its
tables as CSV or XLSX."""

from __future__ import annotations

import json
from datetime import datetime

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _

from ledger.domain.enums import FundsSource, Indicator
from ledger.domain.errors import Conflict, Invalid
from ledger.domain.vocabulary import INDICATORS, SOURCES
from ledger.io.exports import export_attribution, export_project_lines
from ledger.queries import documents as document_queries
from ledger.queries.attribution import attribution as attribution_of, read_lines
from ledger.queries.statement import statement_body
from ledger.queries.project_lines import project_lines
from ledger.schemas.requests import AttributionQuery, load
from ledger.web import auth
from ledger.web.blueprint import bp
from ledger.web.helpers import (
    amount, ctx, default_year, download, known_years, whole_word, year_arg,
)
from ledger.web.i18n import problem_text


EXPORT_FORMATS = ("csv", "xlsx")
FILES = {"regions": (attribution_of, export_attribution),
         "projects": (project_lines, export_project_lines)}


def _as_of_arg(text: str) -> str:
    """The as-of picker gives Beijing time without a zone (datetime-local): say so."""
    text = text.strip()
    if text and len(text) in (16, 19) and "T" in text and text[-6] not in "+-" and not text.endswith("Z"):
        return text + "+08:00"
    return text


def _attribution_query() -> dict:
    """The page's year (default: the open year), as-of time and accounting line (default:
    completed investment), checked by the API's schema."""
    args = {"year": str(year_arg())}  # a year outside the ledger's: refused with its years
    if request.args.get("indicator", "").strip():
        args["indicator"] = request.args["indicator"].strip()
    if request.args.get("as_of", "").strip():
        args["as_of"] = _as_of_arg(request.args["as_of"])
    return load(AttributionQuery, args)


def _links_as_of(context, chosen: datetime | None) -> datetime | None:
    """The as-of time the page's links carry: the one chosen, else the statement's default (the
    newest posting's recording time, as the API's) — the figures shown now are the figures as
    of then, and two downloads give one document. None on an empty ledger: the links then
    carry no time and get the API's answer for that."""
    try:
        return document_queries.statement_as_of(context, chosen)
    except Conflict:
        return None


@bp.get("/attribution")
@auth.login_required
def attribution_page():
    context = ctx()
    errors: dict[str, list[str]] = {}
    found = lines = shown_as_of = None
    try:
        query = _attribution_query()
        shown_as_of = _links_as_of(context, query.get("as_of"))
        found = attribution_of(context, query["year"], query.get("as_of"),
                               indicator=query["indicator"])
        lines = project_lines(context, query["year"], query.get("as_of"),
                              indicator=query["indicator"])
    except Invalid as err:
        errors = {k: [problem_text(m) for m in ms] for k, ms in (err.errors or {"year": [err.message]}).items()}
    year = found.year if found else default_year()
    indicator = found.indicator if found else Indicator.COMPLETED_INVESTMENT
    chart = None
    if found is not None:
        leaves = [r for r in found.regions if not r.rolled_up and (r.in_place or r.attributed)]
        chart = json.dumps({
            "labels": [r.name for r in leaves],
            "series": [{"name": _("In place"), "values": [amount(r.in_place) for r in leaves]},
                       {"name": _("Attributed"), "values": [amount(r.attributed) for r in leaves]}],
            "unit": _("10,000 yuan"),
        }, ensure_ascii=False)
    at = {"year": year} | ({"as_of": shown_as_of.isoformat()} if shown_as_of else {})
    # the line switch keeps the year and as-of time asked for; the files and the statement
    # carry the line shown (the statement and an XLSX hold both)
    switch = [(words, url_for("web.attribution_page", year=year, indicator=line.value,
                              **({"as_of": request.args["as_of"]} if request.args.get("as_of")
                                 else {})), line == indicator)
              for line, words in INDICATORS.items()]
    return render_template("web/attribution.html", found=found, lines=lines, year=year,
                           switch=switch, line_name=INDICATORS[Indicator(indicator)],
                           sources=[SOURCES[s] for s in FundsSource],
                           files_at=at | {"indicator": indicator},
                           statement=statement_body(found) if found else None,
                           years=known_years(year), errors=errors, chart=chart,
                           as_of=request.args.get("as_of", ""), at=at,
                           shown_as_of=shown_as_of or (found and found.as_of),
                           whole=whole_word())


@bp.get("/attribution/<table>.<fmt>")
@auth.login_required
def attribution_file(table: str, fmt: str):
    """A table of the page as CSV or XLSX: `regions` or `projects`. The page's links carry the
    as-of time it showed, so the file holds the figures that were on the screen."""
    if table not in FILES or fmt not in EXPORT_FORMATS:
        abort(404)
    read, export = FILES[table]
    query = _attribution_query()
    return download(export(read_lines(read, ctx(), query["year"], query.get("as_of"),
                                      query["indicator"], fmt), fmt))
