"""The printed documents (docs/documents.md) as PDF downloads: filing form, receipt, annual
statement.

Thin: parse the query, ask ledger.documents for the document (404 for an agreement the user
may not see, exactly as for a missing one; 409 for the receipt of an unfiled version), render
it with the signed checkpoint of its as-of time and record it in the register and the journal
there (`documents.issue`; 409 document.changed when the id is registered with other data),
answer with the PDF. Downloads are limited per user (429, ledger.throttle.count_download)."""

from __future__ import annotations

from ledger import current, documents
from ledger.api.support import api_blueprint, ctx
from ledger.domain.enums import DocumentKind
from ledger.domain.vocabulary import TITLES
from ledger.schemas.requests import DocumentQuery, StatementQuery

FILING, RECEIPT, STATEMENT = (TITLES[kind] for kind in DocumentKind)
blp = api_blueprint("documents", f"Printed documents (PDF): filing forms ({FILING}), "
                                 f"receipts ({RECEIPT}) and annual statements ({STATEMENT})")

PDF_SCHEMA = {"type": "string", "format": "binary"}
PDF_HEADERS = {
    "X-Document-Id": {"description": "the document's id (fixed by kind, subject and as-of "
                                     "time, keyed with the server's secret); its verification "
                                     "page is /verify/{id}, with the contents for the code "
                                     "printed beside the id (?code=)",
                      "schema": {"type": "string"}},
    "X-Document-Digest": {"description": "SHA-256 (hex) of the document's canonical data, "
                                         "which is attached to the PDF as {id}.json",
                          "schema": {"type": "string"}},
    "Content-Disposition": {"description": "attachment with the file name",
                            "schema": {"type": "string"}},
}


def _pdf_response(description: str):
    return blp.response(200, PDF_SCHEMA, content_type="application/pdf", description=description,
                        headers=PDF_HEADERS)


@blp.route("/agreements/<int:agreement_id>/filing.pdf")
@blp.arguments(DocumentQuery, location="query")
@_pdf_response(f"the filing form ({FILING}) as PDF")
def filing_pdf(args, agreement_id: int):
    """The filing form of an agreement version, addressed to the statistics bureau and the
    commerce department, with the filing number once filed."""
    context = ctx()
    document = documents.filing(context, agreement_id, args.get("version"), args.get("as_of"))
    return current.pdf(context, document)


@blp.route("/agreements/<int:agreement_id>/receipt.pdf")
@blp.arguments(DocumentQuery, location="query")
@_pdf_response(f"the filing receipt ({RECEIPT}) as PDF")
def receipt_pdf(args, agreement_id: int):
    """The receipt of a filed version (409 when the version is not filed)."""
    context = ctx()
    document = documents.receipt(context, agreement_id, args.get("version"), args.get("as_of"))
    return current.pdf(context, document)


@blp.route("/attribution/statement.pdf")
@blp.arguments(StatementQuery, location="query")
@_pdf_response(f"the annual statement ({STATEMENT}) as PDF")
def statement_pdf(args):
    """The annual statement of a year as recorded at `as_of`; a region gets its own rows and
    the province totals."""
    context = ctx()
    return current.pdf(context, documents.statement(context, args["year"], args.get("as_of")))
