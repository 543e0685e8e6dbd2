"""The append-only audit log."""

from __future__ import annotations

from ledger.api.ledger_blueprint import blp
from ledger.api.support import ctx, page_args, paginated
from ledger.queries import audit
from ledger.schemas.requests import AuditQuery
from ledger.schemas.resources import AuditSchema


@blp.route("/audit")
@blp.arguments(AuditQuery, location="query")
@blp.response(200, AuditSchema(many=True))
@blp.paginate()
def audit_log(args, pagination_parameters):
    """The append-only audit log, newest first; filters `entity` and `actor` (username)."""
    return paginated(audit.audit_log(ctx(), **args, **page_args(pagination_parameters)),
                     pagination_parameters)
