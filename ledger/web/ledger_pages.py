"""Attribution totals with their chart, assessment years (close, reopen), the audit log and the
zones' leading-industry shares."""

from __future__ import annotations

import json
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ledger import current
from ledger.commands import years as year_commands
from ledger.domain.errors import Conflict, DomainError, Invalid, NotFound
from ledger.io.exports import export_attribution, export_project_lines
from ledger.policy import (
    may_keep_years, may_read_checklists, require_ledger_reader, require_year_keeper,
)
from ledger.queries import audit as audit_queries
from ledger.queries import checklist as checklist_queries
from ledger.queries import documents as document_queries
from ledger.queries import years as year_queries
from ledger.queries.attribution import attribution as attribution_of
from ledger.queries.statement import statement_body
from ledger.queries.project_lines import project_lines
from ledger.queries.zones import LEADING_SHARE_TARGET, leading_shares
from ledger.schemas.requests import (
    AttributionQuery, AuditQuery, ReasonRequest, YearCloseRequest, load,
)
from ledger.schemas.resources import AuditSchema
from ledger.web import auth
from ledger.web.blueprint import bp
from ledger.web.forms import ReopenForm
from ledger.web.helpers import (
    amount, ctx, default_year, download, page_count, page_number, this_year, year_arg,
)
from ledger.web.i18n import problem_text


EXPORT_FORMATS = ("csv", "xlsx")
FILES = {"regions": (attribution_of, export_attribution),
         "projects": (project_lines, export_project_lines)}


def _known_years(extra: int) -> list[int]:
    found = {y.year for y in year_queries.years(current.session())} | {this_year(), extra}
    return sorted(found, reverse=True)


def _as_of_arg(text: str) -> str:
    """The as-of picker gives Beijing time without a zone (datetime-local): say so."""
    text = text.strip()
    if text and len(text) in (16, 19) and "T" in text and text[-6] not in "+-" and not text.endswith("Z"):
        return text + "+08:00"
    return text


def _attribution_query() -> dict:
    """The page's year (default: the open year) and as-of time, checked by the API's schema."""
    args = {"year": request.args.get("year", "").strip() or str(default_year())}
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
        found = attribution_of(context, query["year"], query.get("as_of"))
        lines = project_lines(context, query["year"], query.get("as_of"))
    except Invalid as err:
        errors = {k: [problem_text(m) for m in ms] for k, ms in (err.errors or {"year": [err.message]}).items()}
    year = found.year if found else default_year()
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
    return render_template("web/attribution.html", found=found, lines=lines, year=year,
                           statement=statement_body(found) if found else None,
                           years=_known_years(year), errors=errors, chart=chart,
                           as_of=request.args.get("as_of", ""), at=at,
                           shown_as_of=shown_as_of or (found and found.as_of))


@bp.get("/attribution/<table>.<fmt>")
@auth.login_required
def attribution_file(table: str, fmt: str):
    """A table of the page as CSV or XLSX: `regions` or `projects`. The page's links carry the
    as-of time it showed, so the file holds the figures that were on the screen."""
    if table not in FILES or fmt not in EXPORT_FORMATS:
        abort(404)
    read, export = FILES[table]
    query = _attribution_query()
    return download(export(read(ctx(), query["year"], query.get("as_of")), fmt))


@bp.get("/years")
@auth.login_required
def years_page(form: ReopenForm | None = None, failed: str | None = None, status: int = 200):
    context = ctx()
    rows = year_queries.years(current.session())
    known = {r.year for r in rows}
    current_year = this_year()
    if current_year not in known:
        rows.append(year_queries.YearRow(current_year, "open", None))
    keeper = may_keep_years(context.actor)
    # Each open year's checklist, for the officials who may read it; a close form carries the
    # digest of the list it shows, so the close confirms exactly that list.
    checklists = {r.year: checklist_queries.checklist(context, r.year) for r in rows
                  if r.status == "open" and may_read_checklists(context.actor)}
    return render_template("web/years.html", rows=sorted(rows, key=lambda r: -r.year),
                           keeper=keeper, checklists=checklists,
                           reopen_form=form or ReopenForm(formdata=None), failed=failed), status


@bp.post("/years/<int:year>/close")
@auth.login_required
def year_close(year: int):
    context = ctx()
    require_year_keeper(context.actor)
    digest = request.form.get("checklist_digest", "").strip()
    try:
        body = load(YearCloseRequest, {"checklist_digest": digest} if digest else {})
        year_commands.close_year(context, year, body.get("checklist_digest"))
    except NotFound:
        raise
    except DomainError as err:
        flash(problem_text(err.message), "danger")
        if err.code == "year.checklist_open":  # the list changed: show the new one, ask again
            return years_page(status=409)
    else:
        flash(_("Assessment year %(year)d is closed.", year=year), "success")
    return redirect(url_for("web.years_page"))


@bp.post("/years/<int:year>/reopen")
@auth.login_required
def year_reopen(year: int):
    context = ctx()
    require_year_keeper(context.actor)
    form = ReopenForm()
    body = form.load(ReasonRequest)
    if body is not None:
        try:
            year_commands.reopen_year(context, year, body["reason"])
        except NotFound:
            raise
        except DomainError as err:
            form.show(err)
        else:
            flash(_("Assessment year %(year)d is reopened.", year=year), "success")
            return redirect(url_for("web.years_page"))
    return years_page(form=form, failed=str(year), status=422)


@bp.get("/audit")
@auth.login_required
def audit_page():
    context = ctx()
    require_ledger_reader(context.actor)
    args = {k: v.strip() for k, v in request.args.items() if k in ("entity", "actor") and v.strip()}
    errors: dict[str, list[str]] = {}
    rows, total = [], 0
    try:
        filters = load(AuditQuery, args)
    except Invalid as err:
        errors = {k: [problem_text(m) for m in ms] for k, ms in (err.errors or {}).items()}
    else:
        page = audit_queries.audit_log(context, page=page_number(), **filters)
        rows, total = AuditSchema(many=True).dump(page.items), page.total
    return render_template("web/audit.html", rows=rows, total=total, args=args, errors=errors,
                           page=page_number(), pages=page_count(total))


@bp.get("/zones/shares")
@auth.login_required
def zone_shares():
    context = ctx()
    year = year_arg()
    return render_template("web/zone_shares.html", shares=leading_shares(context, year), year=year,
                           years=_known_years(year), target=LEADING_SHARE_TARGET)
