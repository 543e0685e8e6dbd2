"""The public verification page of a printed document (SPEC §5, §7): /verify/<document_id>,
the address its QR code holds. No login; always Chinese (the documents are); rate limited per
client address (VERIFY_RATE_LIMIT).

It shows the document's key facts as the register holds them (what was first issued) and
whether the ledger, asked now for the same as-of time, still gives the same data — 一致, or
不一致 with each field that differs, in the documents' own words. Every fact a document prints
is read as of its time, so a later change (a project renamed) leaves it 一致; such changes are
listed apart, with their time, as 此后的变更."""

from __future__ import annotations

import re

from flask import render_template
from flask_babel import force_locale

from ledger import current, documents
from ledger.throttle import address_limited
from ledger.documents import views
from ledger.documents.canonical import utc_text
from ledger.domain.errors import DomainError, NotFound
from ledger.queries import document_register as register
from ledger.web.blueprint import bp
from ledger.web.i18n import LANGUAGES, problem_text

# BA-7KQ2M-XW4TZ-9PD3A-LMNQR (ledger/documents/canonical.py): anything else is not looked up.
DOCUMENT_ID = re.compile(r"[A-Z]{2}(?:-[A-Z2-7]{5}){4}")


def _value(path, value) -> str:
    return views.field_value(path, None if value is register.MISSING else value)


def _changes(result: register.Verification) -> list[dict]:
    before, after = result.document.data, result.data_now
    return [{"field": views.field_name(d.path, before, after),
             "before": _value(d.path, d.before), "after": _value(d.path, d.after)}
            for d in result.differences]


def _later(changes: list[documents.LaterChange]) -> list[dict]:
    """此后的变更: each later change of a printed fact, when and before → after."""
    return [{"at": views.minute(utc_text(c.at)),
             "field": views.field_name(c.difference.path, c.before, c.after),
             "before": _value(c.difference.path, c.difference.before),
             "after": _value(c.difference.path, c.difference.after)} for c in changes]


@bp.get("/verify/<document_id>")
@address_limited("verify", "VERIFY_RATE_LIMIT")
def verify_document(document_id: str):
    with force_locale(LANGUAGES["zh"]):
        found = None
        if DOCUMENT_ID.fullmatch(document_id):
            try:
                found = register.registered(current.session(), document_id)
            except NotFound:
                pass
        if found is None:
            return render_template("web/verify.html", language="zh", document_id=document_id,
                                   found=None), 404
        problem, later = None, []
        try:
            now, changes = documents.again_and_later(
                current.context(register.verifier(found)), found.kind, found.data, found.as_of)
            result = register.verification(found, now.data, now.digest)
            later = _later(changes)
        except DomainError as err:  # e.g. the version or the region is no longer there
            result = register.verification(found, None, None)
            problem = problem_text(err.message)
        return render_template(
            "web/verify.html", language="zh", document_id=document_id, found=found,
            result=result, facts=views.summary(found.kind, found.data),
            changes=_changes(result), problem=problem, later=later,
            as_of=views.moment(found.data["as_of"]),
            first_issued=views.moment(found.first_issued_at.isoformat().replace("+00:00", "Z")))
