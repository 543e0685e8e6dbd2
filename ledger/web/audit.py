"""The audit log page, filtered by entity and actor."""

from __future__ import annotations

from flask import render_template, request

from ledger.domain.errors import Invalid
from ledger.policy import require_ledger_reader
from ledger.queries import audit as audit_queries
from ledger.schemas.requests import AuditQuery, load
from ledger.schemas.resources import AuditSchema
from ledger.web import auth
from ledger.web.blueprint import bp
from ledger.web.helpers import ctx, page_count, page_number
from ledger.web.i18n import problem_text


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
