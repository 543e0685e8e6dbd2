from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base, UTCDateTime
from ledger.domain import limits


class IssuedDocument(Base):
    """The document register: one row per printed document (docs/documents.md), written when it is
    first issued and never changed. A document's id is fixed by its kind, subject and as-of time
    (keyed with the deployment's secret, ledger/documents/canonical.py; a row written before
    ids were keyed keeps its unkeyed id, and the same document is issued under it again); its
    verification code is an HMAC of the id, so none is stored. The row keeps the digest and the
    canonical data it was first issued with, so the public verification page can say what has
    changed since. Who downloaded it and when is in the journal (action `document.download`)."""

    __tablename__ = "document_register"

    document_id: Mapped[str] = mapped_column(sa.String(limits.DOCUMENT_ID), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(12))                  # filing | receipt | statement
    subject: Mapped[str] = mapped_column(sa.String(limits.DOCUMENT_SUBJECT), index=True)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime)
    digest: Mapped[str] = mapped_column(sa.String(64))                # hex SHA-256 of `canonical`
    canonical: Mapped[str] = mapped_column(sa.Text)                   # the canonical JSON text
    first_issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    first_issued_by: Mapped[str] = mapped_column(sa.String(limits.USERNAME_MAX))


class DocumentFile(Base):
    """The PDF of an issued document as it was first handed out, kept by document id and digest:
    a repeat download serves these bytes instead of rendering again (a document renders to
    the same bytes every time; tests/documents check the kept file against a fresh rendering).
    `sha256` is the file's own hash, checked before the file is served: a file that does not
    match it is rendered anew and kept again. Written with the register row or at a later
    download, in its transaction; removing rows only costs a rendering."""

    __tablename__ = "document_files"

    document_id: Mapped[str] = mapped_column(
        sa.ForeignKey("document_register.document_id"), primary_key=True)
    digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # the register's digest
    sha256: Mapped[str] = mapped_column(sa.String(64))                    # hex SHA-256 of content
    # The base of the verification link printed in it: not canonical data, so a file printed
    # for another base (a development server asked at another host) is rendered again.
    public_url: Mapped[str] = mapped_column(sa.String(2048))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
