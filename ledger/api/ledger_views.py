"""Attribution totals, the postings ledger, its verification, assessment years and the audit log."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_smorest import abort

from ledger import get_session
from ledger.api.support import actor, api_blueprint, idempotent, paginate
from ledger.db import settled, utcnow
from ledger.domain.errors import Invalid
from ledger.ledger import verify
from ledger.models import AssessmentYear, AuditEntry, InvestmentReport, Posting, Region
from ledger.policy import (
    attribution_scope, postings_scope, require_ledger_admin,
)
from ledger.schemas.requests import (
    AttributionQuery, AuditQuery, PostingQuery, ProjectLinesQuery, ReasonRequest,
)
from ledger.schemas.resources import (
    AttributionSchema, AuditSchema, PostingSchema, ProjectLinesSchema, VerifySchema, YearSchema,
)
from ledger.services import years as year_service
from ledger.totals import FIGURES, grand_total, project_lines, region_rows, region_totals

blp = api_blueprint("ledger", "Attribution, postings, verification, years and audit")
ASSESSMENT_NOTE = "仅用于年度绩效考核 — for the annual performance assessment only; official statistics count investment in place."


def _figures(row) -> dict:
    return {name: getattr(row, name) for name in FIGURES}


def _scope_region(requested: str | None) -> str | None:
    """The region whose rows to show: a region user sees only its own."""
    own = attribution_scope(actor())
    if requested is not None and get_session().get(Region, requested) is None:
        abort(404, message=f"region {requested} not found")
    if own is not None and requested not in (None, own):
        abort(403, message="a region may read only its own rows and the province totals")
    return requested or own


def _as_of(args) -> datetime:
    """`as_of` (default: now). A future time is refused: its answer could still change."""
    now = utcnow()
    as_of = args.get("as_of") or now
    if as_of > now:
        raise Invalid("must not be in the future", field="as_of")
    return as_of


@blp.route("/attribution")
@blp.arguments(AttributionQuery, location="query")
@blp.response(200, AttributionSchema)
def attribution(args):
    """Per region: in place (在地), ceded, credited and attributed (考核口径) for a year, as
    recorded at `as_of` (default now), with province totals and the reconciliation line."""
    session = get_session()
    scope = _scope_region(args.get("region"))
    with settled(session):
        as_of = _as_of(args)
        rows = region_totals(session, args["year"], as_of)
    total = grand_total(rows)
    return {
        "year": args["year"], "as_of": as_of, "note": ASSESSMENT_NOTE,
        "regions": [{"code": r.code, "name": r.name, "level": r.level,
                     "parent_code": r.parent_code, "rolled_up": rolled} | _figures(r)
                    for r, rolled in region_rows(rows, scope)],
        "totals": _figures(total),
        "reconciliation": {"in_place": total.in_place, "attributed": total.attributed,
                           "difference": total.attributed - total.in_place},
    }


@blp.route("/attribution/projects")
@blp.arguments(ProjectLinesQuery, location="query")
@blp.response(200, ProjectLinesSchema)
def attribution_projects(args):
    """Per project: host, recommender, share, annual amount and each side's part."""
    with settled(get_session()) as session:
        as_of = _as_of(args)
        lines = project_lines(session, args["year"], as_of, attribution_scope(actor()))
    return {"year": args["year"], "as_of": as_of, "note": ASSESSMENT_NOTE,
            "projects": [vars(line) | {"host_part": line.host_part} for line in lines]}


@blp.route("/postings")
@blp.arguments(PostingQuery, location="query")
@blp.response(200, PostingSchema(many=True))
@blp.paginate()
def list_postings(args, pagination_parameters):
    """Ledger rows in `seq` order (a region sees its own postings only)."""
    query = sa.select(Posting).order_by(Posting.seq)
    own = postings_scope(actor())
    if own is not None:
        query = query.where(Posting.region_code == own)
    if "project" in args:
        query = query.where(Posting.project_id == args["project"])
    if "region" in args:
        query = query.where(Posting.region_code == args["region"])
    if "year" in args:
        query = query.where(Posting.period.like(f"{args['year']:04d}-%"))
    if "after_seq" in args:
        query = query.where(Posting.seq > args["after_seq"])
    return paginate(query, pagination_parameters)


@blp.route("/ledger/verify")
@blp.response(200, VerifySchema)
def verify_ledger():
    """Recompute the hash chain and the attribution invariants."""
    require_ledger_admin(actor())
    result = verify(get_session())
    head = None if result.head_seq is None else {"seq": result.head_seq, "hash": result.head_hash}
    return {"ok": result.ok, "postings": result.postings, "head": head,
            "first_bad_seq": result.first_bad_seq, "problems": result.problems}


@blp.route("/years")
@blp.response(200, YearSchema(many=True))
def list_years():
    """Every year that has reports or has been closed, with its status."""
    session = get_session()
    rows = {y.year: y for y in year_service.list_years(session)}
    periods = session.scalars(sa.select(sa.func.substr(InvestmentReport.period, 1, 4)).distinct())
    for year in {int(p) for p in periods} - set(rows):
        rows[year] = AssessmentYear(year=year, status="open", changed_at=None)
    return [rows[y] for y in sorted(rows)]


@blp.route("/years/<int:year>/close", methods=["POST"])
@idempotent
@blp.response(200, YearSchema)
def close_year(year: int):
    """Close an assessment year (statistics bureau): every later change to it is refused."""
    return year_service.close_year(get_session(), actor(), year)


@blp.route("/years/<int:year>/reopen", methods=["POST"])
@idempotent
@blp.arguments(ReasonRequest)
@blp.response(200, YearSchema)
def reopen_year(data, year: int):
    """Reopen a closed year with a reason (statistics bureau)."""
    return year_service.reopen_year(get_session(), actor(), year, data["reason"])


@blp.route("/audit")
@blp.arguments(AuditQuery, location="query")
@blp.response(200, AuditSchema(many=True))
@blp.paginate()
def audit_log(args, pagination_parameters):
    """The append-only audit log, newest first; filters `entity` and `actor` (username)."""
    require_ledger_admin(actor())
    query = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
    if "entity" in args:
        query = query.where(AuditEntry.entity == args["entity"])
    if "actor" in args:
        query = query.where(AuditEntry.actor_username == args["actor"])
    return paginate(query, pagination_parameters)
