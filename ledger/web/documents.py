"""The printed documents (docs/documents.md) as downloads from the web pages: the filing form and
the receipt of an agreement, the annual statement of a year. The same documents as the API's
(ledger.api.documents), for the logged-in user: an agreement the user may not see is 404, the
receipt of an unfiled version 409; each download goes through `documents.issue`, so it is
recorded in the register and the journal and prints the signed checkpoint of its as-of time."""

from __future__ import annotations

from flask import request

from ledger import current, documents
from ledger.schemas.requests import DocumentQuery, StatementQuery, load
from ledger.web import auth
from ledger.web.blueprint import bp
from ledger.web.helpers import ctx


def _query(schema) -> dict:
    """The query's values (empty ones left out: a form's blank as-of means "the default"),
    checked by the API's schema; a bad value is refused on the error page (422)."""
    return load(schema, {k: v for k, v in request.args.items() if v.strip()})


@bp.get("/agreements/<int:agreement_id>/filing.pdf")
@auth.login_required
def filing_pdf(agreement_id: int):
    args = _query(DocumentQuery)
    context = ctx()
    document = documents.filing(context, agreement_id, args.get("version"), args.get("as_of"))
    return current.pdf(context, document)


@bp.get("/agreements/<int:agreement_id>/receipt.pdf")
@auth.login_required
def receipt_pdf(agreement_id: int):
    args = _query(DocumentQuery)
    context = ctx()
    document = documents.receipt(context, agreement_id, args.get("version"), args.get("as_of"))
    return current.pdf(context, document)


@bp.get("/attribution/statement.pdf")
@auth.login_required
def statement_pdf():
    args = _query(StatementQuery)
    context = ctx()
    return current.pdf(context, documents.statement(context, args["year"], args.get("as_of")))
