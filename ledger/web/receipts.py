"""The project page's funds section (到位资金): the receipts as they stand, each with its
revisions (修改记录, Beijing time, with the reason) and evidence files, and for the host region
the forms that record, correct, void and add evidence. Everyone else who may read the project
sees the same section without the forms."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from ledger.domain.vocabulary import EVIDENCE_KINDS, SOURCES
from ledger.queries import funds as funds_queries
from ledger.web.forms import EvidenceUploadForm, FundsCorrectForm, FundsForm, FundsVoidForm, LedgerForm
from ledger.web.helpers import amount, local_time

# Evidence shown inline as a thumbnail; a PDF is a link to download.
IMAGES = ("image/png", "image/jpeg")
# The forms of one receipt, each in its own field namespace (ids unique on the page).
RECEIPT_FORMS = {"correct": FundsCorrectForm, "void": FundsVoidForm, "evidence": EvidenceUploadForm}


def prefix(receipt_id: int) -> str:
    return f"f{receipt_id}"


@dataclass
class Failed:
    """The form that was refused (its values and messages shown again), and whose."""

    action: str                  # record | correct | void | evidence
    form: LedgerForm
    receipt_id: int | None = None


@dataclass
class Section:
    receipts: list[dict]
    record_form: FundsForm | None
    open_receipt: int | None = None  # the receipt whose forms are shown open


def section(context, project_id: int, host: bool, failed: Failed | None = None) -> Section:
    found = funds_queries.receipts(context, project_id, revisions=True)
    names = funds_queries.usernames(context, found)
    rows = []
    for r in found:
        row = {
            "id": r.id, "revision": r.revision, "received_on": r.received_on.isoformat(),
            "amount": amount(r.amount), "source": SOURCES.get(r.source, r.source),
            "payer": r.payer, "note": r.note, "voided": r.voided,
            "evidence_missing": r.evidence_missing,
            "evidence": [{
                "id": e.id, "kind": EVIDENCE_KINDS.get(e.kind, e.kind), "filename": e.filename,
                "image": e.media_type in IMAGES, "size_kib": -(-e.size // 1024),
                "sha256": e.sha256, "at": local_time(e.uploaded_at),
                "who": names.get(e.uploaded_by, ""),
                "url": url_for("web.funds_evidence", project_id=project_id, receipt_id=r.id,
                               evidence_id=e.id),
            } for e in r.evidence],
            "revisions": [{
                "revision": v.revision, "at": local_time(v.recorded_at),
                "who": names.get(v.recorded_by, ""), "received_on": v.received_on.isoformat(),
                "amount": amount(v.amount), "source": SOURCES.get(v.source, v.source),
                "payer": v.payer, "note": v.note, "voided": v.voided, "reason": v.reason,
            } for v in r.revisions],
            "forms": None,
        }
        if host and not r.voided:
            row["forms"] = _forms(r, failed)
        rows.append(row)
    record = None
    if host:
        record = failed.form if failed and failed.action == "record" else FundsForm(formdata=None)
    return Section(rows, record, failed.receipt_id if failed else None)


def _forms(r, failed: Failed | None) -> dict:
    forms = {}
    for action, form_class in RECEIPT_FORMS.items():
        if failed and failed.receipt_id == r.id and failed.action == action:
            forms[action] = failed.form
            continue
        data = {"row_version": str(r.revision)}
        if form_class is FundsCorrectForm:
            data |= {"received_on": r.received_on.isoformat(), "amount": amount(r.amount),
                     "source": r.source, "payer": r.payer, "note": r.note}
        forms[action] = form_class(formdata=None, data=data, prefix=prefix(r.id))
    return forms
