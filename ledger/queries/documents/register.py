"""The document register read back (docs/documents.md): an issued document as it was first issued,
and whether what the ledger says now for its as-of time is still the same — the data of the public
verification page /verify/{document_id}.

The comparison is of the canonical data (ledger/documents/canonical.py) field by field: objects
key by key, the lists of regions and filing bodies item by item (by region code, by body), so
a difference names the region or body it is about. The words a clerk reads for each field are
the documents' own (ledger.documents.wording)."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.domain.enums import DocumentKind, Role
from ledger.domain.errors import NotFound
from ledger.models import AuditEntry, DocumentFile, IssuedDocument
from ledger.policy import Actor, can_see_agreement, can_see_statement

# Lists of objects that are compared item by item, by this key of each item.
LIST_KEYS = {"regions": "code", "filing_bodies": "body"}
MISSING = object()
LOG = logging.getLogger("ledger.documents")


@dataclass(frozen=True)
class Registered:
    """A document as the register holds it: what it was first issued with."""

    document_id: str
    kind: str
    subject: str
    as_of: datetime
    digest: str
    data: dict
    first_issued_at: datetime
    downloads: int

    @property
    def scope(self) -> str | None:
        """The region whose rows a statement holds (None: every region); None for the rest."""
        return self.data.get("scope") if self.kind == DocumentKind.STATEMENT else None


@dataclass(frozen=True)
class Difference:
    """One field that differs: `path` names it in the canonical data (a list's items by their
    key: ("regions", "640181", "in_place")); `before`/`after` are its values (MISSING when the
    field or item is not there on that side)."""

    path: tuple[str, ...]
    before: Any
    after: Any


@dataclass(frozen=True)
class Verification:
    document: Registered
    consistent: bool
    digest_now: str | None                    # None: the document cannot be made now
    differences: list[Difference] = field(default_factory=list)
    data_now: dict | None = None


# Built once, bound per call (every download asks it, before the kept file is looked for).
_ISSUED_ID = sa.select(IssuedDocument.document_id).where(
    IssuedDocument.subject == sa.bindparam("subject"), IssuedDocument.kind == sa.bindparam("kind"),
    IssuedDocument.as_of == sa.bindparam("as_of")).limit(1)


def issued_id(session: Session, kind: str, subject: str, as_of: datetime) -> str | None:
    """The id a document of this kind, subject and as-of time was registered under, if it was
    ever issued (ids issued before they were keyed stay what they were)."""
    return session.scalar(_ISSUED_ID, {"subject": subject, "kind": kind, "as_of": as_of})


def issued_version(session: Session, document_id: str) -> int | None:
    """The canonical layout (canonical_version) a document was first issued with, if it was."""
    canonical = session.scalar(sa.select(IssuedDocument.canonical).where(
        IssuedDocument.document_id == document_id))
    return None if canonical is None else json.loads(canonical)["canonical_version"]


# Built once: a repeat download's one statement (bound per call, its compiled form cached).
KEPT_PDF = sa.select(DocumentFile.content, DocumentFile.sha256).where(
    DocumentFile.document_id == sa.bindparam("document_id"),
    DocumentFile.digest == sa.bindparam("digest"),
    DocumentFile.public_url == sa.bindparam("public_url"))


def kept_pdf(session: Session, document_id: str, digest: str, public_url: str) -> bytes | None:
    """The PDF kept when the document was first handed out (models.DocumentFile), if it is kept
    for this verification link's base and still its own SHA-256; None: render it again (a file
    that does not match its hash is never served)."""
    row = session.execute(KEPT_PDF, {"document_id": document_id, "digest": digest,
                                     "public_url": public_url}).first()
    if row is None:
        return None
    content, sha256 = row
    if hashlib.sha256(content).hexdigest() != sha256:
        LOG.warning("kept PDF of %s (digest %s) does not match its SHA-256: rendered again",
                    document_id, digest)
        return None
    return content


def may_read(actor: Actor, document: Registered) -> bool:
    """Whether a logged-in user may see what the document printed — as they may read its
    subject: the agreement's parties and the officials for a filing form or receipt; the
    officials, or the region itself for its own statement (ledger.policy)."""
    if document.kind == DocumentKind.STATEMENT:
        return can_see_statement(actor, document.scope)
    data = document.data
    return can_see_agreement(actor, data["recommender"]["code"], data["receiver"]["code"])


def registered(session: Session, document_id: str) -> Registered:
    """The register's row of `document_id` (404 when no such document was ever issued)."""
    row = session.get(IssuedDocument, document_id)
    if row is None:
        raise NotFound("resource.not_found", what="document", key=document_id)
    downloads = session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.entity == "document", AuditEntry.entity_id == document_id,
        AuditEntry.action == "document.download"))
    return Registered(row.document_id, row.kind, row.subject, row.as_of, row.digest,
                      json.loads(row.canonical), row.first_issued_at, downloads)


def verifier(document: Registered) -> Actor:
    """Who the document is made again as: the filing bodies' view for a filing form, a
    receipt or the whole province's statement; the region itself for a region's statement
    (its own rows and the totals, as it was issued)."""
    if document.scope is not None:
        return Actor(None, "verification", Role.REGION, document.scope)
    return Actor(None, "verification", Role.STATISTICS)


def differences(before: Any, after: Any, path: tuple[str, ...] = ()) -> list[Difference]:
    """Field by field, in the order of the first document's data."""
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[Difference] = []
        for key in list(before) + [k for k in after if k not in before]:
            out += differences(before.get(key, MISSING), after.get(key, MISSING), path + (key,))
        return out
    key = LIST_KEYS.get(path[-1]) if path else None
    if (key and isinstance(before, list) and isinstance(after, list)
            and all(isinstance(i, dict) and key in i for i in before + after)):
        old = {str(i[key]): i for i in before}
        new = {str(i[key]): i for i in after}
        out = []
        for name in list(old) + [n for n in new if n not in old]:
            out += differences(old.get(name, MISSING), new.get(name, MISSING), path + (name,))
        return out
    return [] if before == after else [Difference(path, before, after)]


def verification(document: Registered, data_now: dict | None,
                 digest_now: str | None) -> Verification:
    """一致 when the document made now for the same as-of time has the digest it was first
    issued with; else what differs (nothing to compare when it cannot be made now)."""
    if data_now is None or digest_now is None:
        return Verification(document, False, None)
    if digest_now == document.digest:
        return Verification(document, True, digest_now, [], data_now)
    return Verification(document, False, digest_now, differences(document.data, data_now),
                        data_now)
