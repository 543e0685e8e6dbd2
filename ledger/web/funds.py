"""Funds in place (到位资金) from the project page: the host region records a receipt, corrects
or voids it (with a reason), adds evidence files; whoever may read the project opens the
evidence (an image inline, a PDF as a download). Each write is one command (one transaction)
and answers with a redirect to the project page; a refused form is shown again on that page,
its messages beside its fields."""

from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _

from ledger import current
from ledger.commands import funds as funds_commands
from ledger.commands.inputs import EvidenceUpload, FundsRow
from ledger.domain import limits
from ledger.domain.errors import Problem
from ledger.io.sheets import uploaded_file_headers
from ledger.policy import require_host
from ledger.queries import funds as funds_queries
from ledger.queries import projects as project_queries
from ledger.schemas.requests import EvidenceForm, FundsCreate, FundsPatch, ReasonRequest
from ledger.web import auth, receipts
from ledger.web.blueprint import bp
from ledger.web.forms import EvidenceUploadForm, FundsCorrectForm, FundsForm, FundsVoidForm
from ledger.web.helpers import ctx, default_year, row_version
from ledger.web.i18n import problem_text
from ledger.web.projects import project_page

ANCHOR = "funds-h"


def _host(project_id: int):
    """The context of a host of the project (404 for a project the user cannot see, 403 for
    one it does not host)."""
    context = ctx()
    require_host(context.actor, project_queries.project(context, project_id).host_code)
    return context


def _back(project_id: int, message: str):
    flash(message, "success")
    return redirect(url_for("web.project_detail", project_id=project_id, _anchor=ANCHOR))


def _refused(context, project_id: int, failed: receipts.Failed):
    return project_page(context, project_id, default_year(), failed=failed, status=422)


@bp.post("/projects/<int:project_id>/funds")
@auth.login_required
def funds_record(project_id: int):
    context = _host(project_id)
    form = FundsForm()
    data = form.load(FundsCreate) if form.validate_on_submit() else None
    if data is not None and form.attempt(lambda: funds_commands.record_funds(
            context, FundsRow(row=1, project_id=project_id, **data))):
        return _back(project_id, _("Receipt recorded."))
    return _refused(context, project_id, receipts.Failed("record", form))


@bp.post("/projects/<int:project_id>/funds/<int:receipt_id>/correct")
@auth.login_required
def funds_correct(project_id: int, receipt_id: int):
    context = _host(project_id)
    form = FundsCorrectForm(prefix=receipts.prefix(receipt_id))
    change = form.load(FundsPatch) if form.validate_on_submit() else None
    if change is not None and form.attempt(lambda: funds_commands.correct_funds(
            context, project_id, receipt_id, change, row_version(form.row_version.data))):
        return _back(project_id, _("Receipt corrected."))
    return _refused(context, project_id, receipts.Failed("correct", form, receipt_id))


@bp.post("/projects/<int:project_id>/funds/<int:receipt_id>/void")
@auth.login_required
def funds_void(project_id: int, receipt_id: int):
    context = _host(project_id)
    form = FundsVoidForm(prefix=receipts.prefix(receipt_id))
    body = form.load(ReasonRequest) if form.validate_on_submit() else None
    if body is not None and form.attempt(lambda: funds_commands.void_funds(
            context, project_id, receipt_id, body["reason"], row_version(form.row_version.data))):
        return _back(project_id, _("Receipt voided."))
    return _refused(context, project_id, receipts.Failed("void", form, receipt_id))


@bp.post("/projects/<int:project_id>/funds/<int:receipt_id>/evidence")
@current.accepts_upload
@auth.login_required
def funds_evidence_add(project_id: int, receipt_id: int):
    context = _host(project_id)
    form = EvidenceUploadForm(prefix=receipts.prefix(receipt_id))
    body = form.load(EvidenceForm) if form.validate_on_submit() else None
    upload = request.files.get(form.file.name)
    if upload is None or not upload.filename:
        form.file.errors = list(form.file.errors) + [problem_text(Problem("evidence.no_file"))]
    elif body is not None:
        try:
            content = upload.read(limits.EVIDENCE_FILE_MAX + 1)
        finally:
            upload.close()
        if form.attempt(lambda: funds_commands.add_evidence(
                context, project_id, receipt_id, EvidenceUpload(
                    body["kind"], upload.filename[:limits.EVIDENCE_FILENAME], content))):
            return _back(project_id, _("Evidence uploaded."))
    return _refused(context, project_id, receipts.Failed("evidence", form, receipt_id))


@bp.get("/projects/<int:project_id>/funds/<int:receipt_id>/evidence/<int:evidence_id>")
@auth.login_required
def funds_evidence(project_id: int, receipt_id: int, evidence_id: int):
    """An evidence file, to whoever may read the project: an image inline (the page's
    thumbnail) unless ?download=1, a PDF always as a download. The type is the one recognised
    from the content when it was uploaded; nosniff and a sandboxing CSP keep a browser from
    treating it as anything else."""
    file = funds_queries.evidence_file(ctx(), project_id, receipt_id, evidence_id)
    inline = file.media_type in receipts.IMAGES and request.args.get("download") != "1"
    return Response(file.content, content_type=file.media_type,
                    headers=uploaded_file_headers(file.filename, inline))
