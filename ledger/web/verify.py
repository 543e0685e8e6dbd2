"""The public verification page of a printed document (docs/documents.md): /verify/<document_id>,
the address its QR code holds. No login; always Chinese (the documents are); rate limited per
client address (VERIFY_RATE_LIMIT).

It shows the document's kind, id, as-of time and digest and whether the ledger, asked now for
the same as-of time, still gives the same data: 一致, or 不一致. The figures are for the
assessment only, not for publication: what the document printed (project, investor, parties,
shares, amounts), each field that differs and the later changes are shown only with the
document's verification code (`?code=`, printed beside its id and held by its QR code) or to a
logged-in user who may read its subject. A wrong code counts against the address
(VERIFY_CODE_RATE_LIMIT). Every fact a document prints is read as of its time, so a later
change (a project renamed) leaves it 一致; such changes are listed apart, with their time, as
此后的变更."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import force_locale

from ledger import current, documents
from ledger.documents import wording
from ledger.documents.canonical import ID_PATTERN, code_matches
from ledger.domain.enums import DocumentKind
from ledger.domain.periods import utc_text
from ledger.domain.errors import DomainError, NotFound
from ledger.domain.vocabulary import TITLES, VERIFY_NOTICE
from ledger.queries.documents import register
from ledger.queries.reference import province_name
from ledger.throttle import address_limited, failures_limited
from ledger.web import auth
from ledger.web.blueprint import bp
from ledger.web.i18n import LANGUAGES, problem_text

refuse_after_wrong_codes, count_wrong_code = failures_limited("verify", "VERIFY_CODE_RATE_LIMIT")


def _value(path, value) -> str:
    return wording.field_value(path, None if value is register.MISSING else value)


def _changes(result: register.Verification) -> list[dict]:
    before, after = result.document.data, result.data_now
    return [{"field": wording.field_name(d.path, before, after),
             "before": _value(d.path, d.before), "after": _value(d.path, d.after)}
            for d in result.differences]


def _later(changes: list[documents.LaterChange]) -> list[dict]:
    """此后的变更: each later change of a printed fact, when and before → after."""
    return [{"at": wording.minute(utc_text(c.at)),
             "field": wording.field_name(c.difference.path, c.before, c.after),
             "before": _value(c.difference.path, c.difference.before),
             "after": _value(c.difference.path, c.difference.after)} for c in changes]


def _shows_contents(found: register.Registered, code: str) -> tuple[bool, bool]:
    """(whether the page shows what the document printed, whether a code was given wrong)."""
    if code:
        key = current.settings().secret_key.encode("utf-8")
        if code_matches(found.document_id, code, key):
            return True, False
        count_wrong_code()
    actor = auth.actor()
    return actor is not None and register.may_read(actor, found), bool(code)


@bp.get("/verify/<document_id>")
@address_limited("verify", "VERIFY_RATE_LIMIT")
def verify_document(document_id: str):
    code = request.args.get("code", "").strip()
    if code:
        refuse_after_wrong_codes()
    if ID_PATTERN.fullmatch(document_id.upper()):
        document_id = document_id.upper()  # as typed from the paper, in lower case too
    with force_locale(LANGUAGES["zh"]):
        found = None
        if ID_PATTERN.fullmatch(document_id):
            try:
                found = register.registered(current.session(), document_id)
            except NotFound:
                pass
        if found is None:
            if code:
                count_wrong_code()  # a code for no document is a wrong one
            return render_template("web/verify.html", language="zh", document_id=document_id,
                                   found=None, notice=VERIFY_NOTICE), 404
        full, wrong_code = _shows_contents(found, code)
        problem, later, province = None, [], None
        try:
            now, changes = documents.again_and_later(  # later changes only where shown
                current.context(register.verifier(found)), found.kind, found.data, found.as_of,
                later=full)
            result = register.verification(found, now.data, now.digest)
            province = now.province
            later = _later(changes)
        except DomainError as err:  # e.g. the version or the region is no longer there
            result = register.verification(found, None, None)
            problem = problem_text(err.message)
            province = province_name(current.session())  # its word (全区) for the summary
        page = {"language": "zh", "document_id": document_id, "found": found,
                "notice": VERIFY_NOTICE,
                "consistent": result.consistent, "kind": TITLES[DocumentKind(found.kind)],
                "as_of": wording.moment(found.data["as_of"]), "full": full,
                "wrong_code": wrong_code}
        if full:
            page |= {"result": result, "facts": wording.summary(found.kind, found.data, province),
                     "changes": _changes(result), "problem": problem, "later": later,
                     "first_issued": wording.moment(
                         found.first_issued_at.isoformat().replace("+00:00", "Z"))}
        return render_template("web/verify.html", **page)
