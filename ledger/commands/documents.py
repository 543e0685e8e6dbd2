"""The document register (docs/documents.md): every printed document is recorded when it is handed
out — the register row once per document id (kind, subject, as-of time, digest, canonical data, who
issued it first and when), and one journal entry per download (who, when, which digest). The
signed checkpoint a document prints is the newest of its as-of time's hour at or before that
time, written at the hour's start by the first document that finds none
(ledger.postings.checkpoints.covering): at most one a hour of as-of times.

A document id is fixed by kind, subject and as-of time; issuing it again finds the same row.
The same id with a different digest means the ledger now says something else for that as-of
time than when the document was first issued: that is refused (409 document.changed) — the
register keeps what was first issued, and never two different papers under one id."""

from __future__ import annotations

import hashlib
from datetime import datetime

from ledger.commands import checkpoints
from ledger.commands.common import audit
from ledger.context import Context
from ledger.db import writing
from ledger.domain.enums import DocumentKind, values
from ledger.domain.errors import Conflict
from ledger.domain.periods import utc_text
from ledger.models import Checkpoint, DocumentFile, IssuedDocument
from ledger.postings import checkpoints as postings_checkpoints

KINDS = values(DocumentKind)


def _refuse_changed(row: IssuedDocument, kind: str, subject: str, as_of: datetime,
                    digest: str) -> None:
    if (row.kind, row.subject, row.as_of, row.digest) != (kind, subject, as_of, digest):
        raise Conflict("document.changed", document_id=row.document_id,
                       issued_at=utc_text(row.first_issued_at))


def _checkpoint_values(c: Checkpoint) -> dict:
    """The checkpoint as a document prints it (ledger.documents.document.CHECKPOINT_FIELDS)."""
    return {"journal_seq": c.journal_seq, "journal_hash": c.journal_hash,
            "postings_seq": c.postings_seq, "postings_hash": c.postings_hash,
            "signed_at": utc_text(c.at), "key_id": c.key_id, "signature": c.signature}


def checkpoint_for(ctx: Context, document_id: str, kind: str, subject: str, as_of: datetime,
                   digest: str) -> dict:
    """Before a document is rendered: the signed checkpoint it prints (`covering` its as-of
    time), written at the start of its hour if there is none yet. Refuses (409) a document
    whose id is registered with other data, before anything is written or rendered."""
    session = ctx.session
    row = session.get(IssuedDocument, document_id)
    if row is not None:
        _refuse_changed(row, kind, subject, as_of, digest)
    return checkpoints_for(ctx, [as_of], f"document {document_id}")[as_of]


def checkpoints_for(ctx: Context, as_of_times: list[datetime], reason: str) -> dict[datetime, dict]:
    """The checkpoints documents as of these times print (batch printing), those missing
    written in one transaction (at most one an hour)."""
    wanted = sorted(set(as_of_times))
    session = ctx.session
    out = {at: _checkpoint_values(c) for at in wanted
           if (c := postings_checkpoints.covering(session, at)) is not None}
    missing = [at for at in wanted if at not in out]
    if missing:
        key = checkpoints.signing_key(ctx)
        with writing(session):  # under the write lock: another request may have written one
            for at in missing:
                found = postings_checkpoints.covering(session, at) or checkpoints.write(
                    ctx, key, postings_checkpoints.hour_of(at), reason)
                out[at] = _checkpoint_values(found)
    return out


def record_issue(ctx: Context, document_id: str, kind: str, subject: str, as_of: datetime,
                 digest: str, canonical: str, size: int,
                 keep: bytes | None = None, public_url: str = "") -> IssuedDocument:
    """After a document rendered, before it is handed out: the register row the first time
    (the same id again finds it; the same id with another digest is refused, 409), the PDF
    `keep` kept for repeat downloads (models.DocumentFile, with the `public_url` its verification
    link names; replacing a kept file that no longer matched its hash or its base), and a
    journal entry `document.download` for this download — in one transaction (joining the
    caller's, if it is in one)."""
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    with writing(ctx.session) as session:
        now = ctx.now()  # the row's first_issued_at is its journal entry's time
        row = session.get(IssuedDocument, document_id)
        first = row is None
        if first:
            row = IssuedDocument(document_id=document_id, kind=kind, subject=subject, as_of=as_of,
                                 digest=digest, canonical=canonical, first_issued_at=now,
                                 first_issued_by_id=ctx.actor.id,
                                 first_issued_by=ctx.actor.username)
            session.add(row)
            session.flush()
        else:
            _refuse_changed(row, kind, subject, as_of, digest)
        if keep is not None:
            session.merge(DocumentFile(document_id=document_id, digest=digest,
                                       sha256=hashlib.sha256(keep).hexdigest(), content=keep,
                                       public_url=public_url))
        _journal_download(ctx, document_id, kind, subject, as_of, digest, size, first, now)
    return row


def record_kept_download(ctx: Context, document_id: str, kind: str, subject: str,
                         as_of: datetime, digest: str, size: int) -> None:
    """A repeat download served from the kept file of `document_id` and `digest`: its journal
    entry alone. The register is not read again: a file is kept only in the transaction of its
    register row or of a later download of it, under the row's id and digest, and that row never
    changes — so the kept file is the proof that the id is registered with this digest."""
    with writing(ctx.session):
        _journal_download(ctx, document_id, kind, subject, as_of, digest, size, False, ctx.now())


def _journal_download(ctx: Context, document_id: str, kind: str, subject: str,
                      as_of: datetime, digest: str, size: int, first: bool,
                      at: datetime) -> None:
    audit(ctx, "document.download", "document", document_id, None,
          {"kind": kind, "subject": subject, "as_of": utc_text(as_of), "digest": digest,
           "bytes": size, "registered": first}, at=at)
