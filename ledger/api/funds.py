"""Funds in place (招商引资实际到位资金): a project's receipts, their corrections and voids, and
their evidence files."""

from __future__ import annotations

from flask import Response, request

from ledger import current
from ledger.api.support import api_blueprint, ctx, idempotent, if_match, with_etag
from ledger.commands import funds
from ledger.commands.inputs import EvidenceUpload, FundsRow
from ledger.domain import limits
from ledger.domain.errors import Invalid
from ledger.io.sheets import uploaded_file_headers
from ledger.policy import require_host
from ledger.queries import funds as funds_queries
from ledger.queries import projects as project_queries
from ledger.schemas.requests import EvidenceForm, FundsCreate, FundsPatch, ReasonRequest, load
from ledger.schemas.resources import (
    EvidenceSchema, FundsDetailSchema, FundsReceiptSchema, FundsResultSchema,
)

blp = api_blueprint("funds", "Funds in place (招商引资实际到位资金) and their evidence (凭证)")

EVIDENCE_DOC = {
    "required": True,
    "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file", "kind"], "properties": {
            "file": {"type": "string", "format": "binary",
                     "description": f"a PDF, JPEG or PNG (recognised by its content; a name "
                                    f"that says another type is refused), at most "
                                    f"{limits.EVIDENCE_FILE_MAX // 2**20} MiB; at most "
                                    f"{limits.EVIDENCE_FILES} per receipt"},
            "kind": {"type": "string", "description": "bank_slip 银行进账单 | capital_verification "
                     "验资报告 | equipment_invoice 设备发票 | other 其他 (code or word)"}}}}},
}


def _result(result: funds.FundsResult, status: int = 200):
    detail = funds_queries.receipt(ctx(), result.receipt.project_id, result.receipt.id)
    data = FundsResultSchema().dump(detail) | {
        "postings": FundsResultSchema().dump({"postings": result.postings})["postings"]}
    return with_etag(data, result.receipt.revision, status)


@blp.route("/projects/<int:project_id>/funds")
@blp.response(200, FundsReceiptSchema(many=True))
def list_funds(project_id: int):
    """The project's receipts as they stand (void ones included, marked), oldest first."""
    return funds_queries.receipts(ctx(), project_id)


@blp.route("/projects/<int:project_id>/funds", methods=["POST"])
@idempotent
@blp.arguments(FundsCreate)
@blp.response(201, FundsResultSchema)
def post_funds(data, project_id: int):
    """Record a receipt of funds in place (host region; from the project's signing on, not
    for a cancelled project, not in the future, not in a closed year): returns it with the
    postings it caused."""
    return _result(funds.record_funds(ctx(), FundsRow(row=1, project_id=project_id, **data)), 201)


@blp.route("/projects/<int:project_id>/funds/<int:receipt_id>")
@blp.response(200, FundsDetailSchema)
def get_funds(project_id: int, receipt_id: int):
    """A receipt with every revision and its evidence files."""
    detail = funds_queries.receipt(ctx(), project_id, receipt_id)
    return with_etag(FundsDetailSchema().dump(detail), detail.revision)


def _host_then_if_match(project_id: int) -> int | None:
    """404 for what you cannot see and 403 for what you may not change, before the 428."""
    context = ctx()
    require_host(context.actor, project_queries.project(context, project_id).host_code)
    return if_match(required=True)


@blp.route("/projects/<int:project_id>/funds/<int:receipt_id>", methods=["PATCH"])
@blp.arguments(FundsPatch)
@blp.response(200, FundsResultSchema)
def patch_funds(data, project_id: int, receipt_id: int):
    """Correct a receipt (If-Match, `reason` required): a new revision, the earlier kept."""
    row_version = _host_then_if_match(project_id)
    return _result(funds.correct_funds(ctx(), project_id, receipt_id, data, row_version))


@blp.route("/projects/<int:project_id>/funds/<int:receipt_id>/void", methods=["POST"])
@blp.arguments(ReasonRequest)
@blp.response(200, FundsResultSchema)
def void_funds(data, project_id: int, receipt_id: int):
    """Void a receipt (If-Match, `reason`): a last revision; it no longer counts."""
    row_version = _host_then_if_match(project_id)
    return _result(funds.void_funds(ctx(), project_id, receipt_id, data["reason"], row_version))


@blp.route("/projects/<int:project_id>/funds/<int:receipt_id>/evidence", methods=["POST"])
@current.accepts_upload
@blp.response(201, EvidenceSchema)
@blp.doc(requestBody=EVIDENCE_DOC)
def post_evidence(project_id: int, receipt_id: int):
    """Add an evidence file to a receipt (host region); its SHA-256 is journaled."""
    context = ctx()
    require_host(context.actor, project_queries.project(context, project_id).host_code)
    form = load(EvidenceForm, {k: v for k, v in request.form.items()})
    upload = request.files.get("file")
    if upload is None:
        raise Invalid("evidence.no_file", field="file")
    try:
        content = upload.read(limits.EVIDENCE_FILE_MAX + 1)
    finally:
        upload.close()
    file = funds.add_evidence(context, project_id, receipt_id, EvidenceUpload(
        form["kind"], (upload.filename or "")[:limits.EVIDENCE_FILENAME], content))
    return file, 201


@blp.route("/projects/<int:project_id>/funds/<int:receipt_id>/evidence/<int:evidence_id>")
@blp.response(200, description="the evidence file, as an attachment")
def get_evidence(project_id: int, receipt_id: int, evidence_id: int):
    """An evidence file, to whoever may read the project."""
    file = funds_queries.evidence_file(ctx(), project_id, receipt_id, evidence_id)
    return Response(file.content, content_type=file.media_type,
                    headers=uploaded_file_headers(file.filename))
