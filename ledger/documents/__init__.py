"""The printed documents of docs/documents.md — filing form (备案表), receipt (备案回执) and annual
statement (年度分算汇总表) — as PDFs, for the API, the command line and the web pages.

    document = documents.filing(ctx, agreement_id)      # query → canonical data → Document
    pdf = documents.issue(ctx, document)                # checkpoint, render, register, journal

The data comes from ledger.queries.documents (plain values, scoped by the policy: a document
of an agreement the user may not see is 404 like a missing one); the rendering is
pdf.py (sandboxed Jinja over reports/, WeasyPrint, the asset-only fetcher); canonical.py
fixes the data's canonical JSON, digest and the document id.

This package is below the adapters that serve it (api, cli, web) and imports none of them;
it imports neither Flask nor click, so worker processes render without an app."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from ledger.commands import documents as commands
from ledger.context import Context
from ledger.domain.enums import DocumentKind
from ledger.documents.document import (
    Document,
    Issuer,
    checked_checkpoint,
    filing_document,
    receipt_document,
    statement_document,
)
from ledger.queries import documents as queries
from ledger.queries.documents import register
from ledger.queries.documents.register import Difference, differences

__all__ = [
    "Document",
    "LaterChange",
    "again_and_later",
    "checkpointed",
    "checkpointed_all",
    "download_headers",
    "filing",
    "issue",
    "issuer",
    "issued",
    "receipt",
    "render",
    "statement",
    "with_checkpoint",
]
LOG = logging.getLogger("ledger.documents")


def issuer(ctx: Context) -> Issuer:
    """The deployment's issuer: its public URL, its secret key, and the register (a document
    already issued keeps the id it was first issued with)."""
    def registered(kind: str, subject: str, as_of: datetime) -> str | None:
        return register.issued_id(ctx.session, kind, subject, as_of)
    return Issuer(ctx.settings.public_url, ctx.settings.secret_key.encode("utf-8"), registered)


def filing(ctx: Context, agreement_id: int, version: int | None = None,
           as_of: datetime | None = None, checkpoint: Mapping | None = None) -> Document:
    """The filing form of version `version` (default: the newest) of an agreement."""
    facts = queries.agreement_facts(ctx, agreement_id, version, as_of)
    return filing_document(facts, issuer(ctx), checkpoint)


def receipt(ctx: Context, agreement_id: int, version: int | None = None,
            as_of: datetime | None = None, checkpoint: Mapping | None = None) -> Document:
    """The receipt of a filed version (default: the newest); 409 when it is not filed."""
    facts = queries.receipt_facts(ctx, agreement_id, version, as_of)
    return receipt_document(facts, issuer(ctx), checkpoint)


def statement(ctx: Context, year: int, as_of: datetime | None = None,
              checkpoint: Mapping | None = None) -> Document:
    """The annual statement of `year` (a region user's: its own rows and the totals) — in the
    canonical layout it was first issued with, when it was issued before (canonical.py)."""
    facts = queries.statement_facts(ctx, year, as_of)
    by = issuer(ctx)
    document = statement_document(facts, by, checkpoint)
    issued_at = register.issued_version(ctx.session, document.document_id)
    if issued_at is not None and issued_at != document.data["canonical_version"]:
        document = statement_document(facts, by, checkpoint, issued_at)
    return document


@dataclass(frozen=True)
class LaterChange:
    """A change, after a document's as-of time, of a fact the document prints: when, which
    field, its value before and after (canonical data), and the document's data on either
    side (for the field's words)."""

    at: datetime
    difference: Difference
    before: dict
    after: dict


def again_and_later(ctx: Context, kind: str, data: Mapping, as_of: datetime,
                    later: bool = True) -> tuple[Document, list[LaterChange]]:
    """The document of `kind` made now for the same subject and as-of time as an issued one
    whose canonical data is `data` (the verification page compares the two), and what changed
    later in the facts it prints (a project renamed, a zone, a version superseded …), each
    with its time: the document made with the facts as they stood after each later change,
    compared with the one before. The document for `as_of` itself does not change. `later`
    False: the document alone (the later changes are not read)."""
    by = issuer(ctx)
    if kind == DocumentKind.STATEMENT:
        base, steps = (queries.statement_changes(ctx, data["year"], as_of) if later
                       else (queries.statement_facts(ctx, data["year"], as_of), []))
        layout = data["canonical_version"]  # made again in the layout it was issued with

        def make(facts, by):
            return statement_document(facts, by, version=layout)
        document = make(base, by)
    else:
        agreement, version = data["agreement"]["id"], data["agreement"]["version"]
        base, steps = (queries.agreement_changes(ctx, agreement, version, as_of) if later
                       else (queries.agreement_facts(ctx, agreement, version, as_of), []))
        document = (filing_document(base, by) if kind == DocumentKind.FILING
                    else receipt_document(queries.filed(base), by))
        make = filing_document  # the receipt's data differ from the form's in kind and note only
    out: list[LaterChange] = []
    before = make(base, by).data if steps else None
    for at, facts in steps:
        after = make(facts, by).data
        out += [LaterChange(at, d, before, after) for d in differences(before, after)]
        before = after
    return document, out


def with_checkpoint(document: Document, checkpoint: Mapping | None) -> Document:
    """The same document carrying the signed checkpoint of its as-of time (`document.as_of`):
    printed compactly and attached as {id}-checkpoint.json. Not part of the canonical data, so
    neither the id nor the digest changes."""
    return replace(document, checkpoint=checked_checkpoint(checkpoint))


def download_headers(document: Document) -> dict[str, str]:
    """The headers of a PDF handed out by the API or the web pages: its file name, its id and
    digest (what /verify checks), and no caching (a download is journalled per user)."""
    return {"Content-Disposition": f'attachment; filename="{document.filename}"',
            "X-Document-Id": document.document_id,
            "X-Document-Digest": document.digest,
            "Cache-Control": "private, no-store"}


def render(document: Document) -> bytes:
    """The PDF of a document, rendered in this process (one Renderer per process)."""
    from ledger.documents.pdf import renderer
    return renderer().render(document)


def checkpointed(ctx: Context, document: Document) -> Document:
    """The document carrying the signed checkpoint of its as-of time — written now if this is
    the first document issued for that time, so printing it again gives the same bytes.
    Refuses (409 document.changed) a document whose id is registered with other data."""
    checkpoint = commands.checkpoint_for(ctx, document.document_id, document.kind,
                                         document.subject, document.as_of, document.digest)
    return with_checkpoint(document, checkpoint)


def checkpointed_all(ctx: Context, docs: list[Document]) -> list[Document]:
    """As `checkpointed`, for many documents at once (batch printing: one transaction)."""
    found = commands.checkpoints_for(ctx, [d.as_of for d in docs], "documents printed")
    return [with_checkpoint(d, found[d.as_of]) for d in docs]


def issue(ctx: Context, document: Document) -> bytes:
    """The PDF of a document for the acting user — with the checkpoint of its as-of time — and
    the record that it was issued. Rendered the first time and kept; a repeat download serves
    the kept file, rendered again only when it is missing or no longer matches its SHA-256.

    A repeat download reads the kept file in one statement and writes its journal entry, no
    more: the file kept under this id, digest and link base is what rendering the document
    gives — the id fixes kind, subject and as-of time, the digest the data, the as-of time the
    checkpoint printed (ledger.postings.checkpoints.covering: once a document printed it, it
    stays the one of that time), and the register row under that id and digest never changes.
    A document whose id is registered with another digest finds no file and is refused (409)
    by `checkpointed`, as before."""
    pdf = register.kept_pdf(ctx.session, document.document_id, document.digest,
                            document.public_url)
    if pdf is not None:
        commands.record_kept_download(ctx, document.document_id, document.kind,
                                      document.subject, document.as_of, document.digest, len(pdf))
        _logged(ctx, document, len(pdf))
        return pdf
    document = checkpointed(ctx, document)
    pdf = render(document)
    issued(ctx, document, len(pdf), keep=pdf)
    return pdf


def issued(ctx: Context, document: Document, size: int, keep: bytes | None = None) -> None:
    """THE place where an issued document is recorded — every PDF the API and the web pages
    serve and every file `ledger print` writes passes here, after it rendered and before it is
    handed out: the register row (once per document id) and a journal entry for the download,
    in `ctx`'s transaction (ledger.commands.documents.record_issue), and the PDF `keep` kept
    for repeat downloads."""
    commands.record_issue(ctx, document.document_id, document.kind, document.subject,
                          document.as_of, document.digest, document.canonical.decode("utf-8"),
                          size, keep, document.public_url)
    _logged(ctx, document, size)


def _logged(ctx: Context, document: Document, size: int) -> None:
    LOG.info("issued %s %s (%s) as of %s, digest %s, %d bytes, to %s (%s)",
             document.kind, document.document_id, document.subject, document.data["as_of"],
             document.digest, size, ctx.actor.username, ctx.actor.role)
