"""A repeat download serves the PDF kept at the first one (models.DocumentFile), byte for byte what
a fresh rendering gives, without rendering; a kept file that no longer matches its SHA-256 is
never served: the document is rendered again and kept anew."""

from __future__ import annotations

import hashlib
import json

import pytest
import sqlalchemy as sa

from ledger import current, documents
from ledger.models import AuditEntry, DocumentFile
from ledger.policy import Actor
from ledger.postings import verify
from ledger.signing import public_keys
from tests.helpers import tamper


def kept(seeded) -> list[tuple[str, str, str, bytes]]:
    with seeded.app.app_context():
        return [tuple(r) for r in current.session().execute(sa.select(
            DocumentFile.document_id, DocumentFile.digest, DocumentFile.sha256,
            DocumentFile.content))]


PATHS = {"filing": lambda ids: f"/agreements/{ids['a_filed']}/filing.pdf",
         "receipt": lambda ids: f"/agreements/{ids['a_filed']}/receipt.pdf",
         "statement": lambda ids: "/attribution/statement.pdf?year=2025"}


def fresh_rendering(seeded, kind: str) -> bytes:
    """The document rendered now, with the checkpoint of its as-of time (as issue renders it),
    in a request to the host the downloads asked (a development server's verification link)."""
    with seeded.app.test_request_context(base_url="http://localhost"):
        ctx = current.context(Actor.system("test"))
        agreement_id = seeded.ids["a_filed"]
        document = {"filing": lambda: documents.filing(ctx, agreement_id),
                    "receipt": lambda: documents.receipt(ctx, agreement_id),
                    "statement": lambda: documents.statement(ctx, 2025)}[kind]()
        return documents.render(documents.checkpointed(ctx, document))


def downloads(seeded, document_id: str) -> list[dict]:
    with seeded.app.app_context():
        return [json.loads(after) for after in current.session().scalars(
            sa.select(AuditEntry.after).where(AuditEntry.action == "document.download",
                                              AuditEntry.entity_id == document_id)
            .order_by(AuditEntry.id))]


@pytest.mark.parametrize("kind", sorted(PATHS))
def test_a_repeat_download_is_the_kept_pdf_and_identical_to_a_fresh_rendering(seeded, kind,
                                                                              monkeypatch):
    path = PATHS[kind](seeded.ids)
    first = seeded.as_("statistics").get(path)
    assert first.status_code == 200
    [(document_id, digest, sha256, content)] = kept(seeded)
    assert (document_id, digest) == (first.headers["X-Document-Id"],
                                     first.headers["X-Document-Digest"])
    assert content == first.data and sha256 == hashlib.sha256(content).hexdigest()

    def no_rendering(document):
        raise AssertionError("a kept document was rendered again")
    with monkeypatch.context() as patch:
        patch.setattr(documents, "render", no_rendering)
        second = seeded.as_("commerce").get(path)
    assert second.status_code == 200 and second.data == content
    assert second.headers["X-Document-Id"] == document_id
    # Each download is journalled; the repeat one served the kept file, not a new register row.
    assert [(e["digest"], e["bytes"], e["registered"]) for e in downloads(seeded, document_id)] \
        == [(digest, len(content), True), (digest, len(content), False)]

    # The served bytes are exactly the document: a fresh rendering, checkpoint and all.
    assert fresh_rendering(seeded, kind) == content
    with seeded.app.app_context():
        assert verify(current.session(), public_keys(seeded.app.config["SIGNING_KEY_FILE"])).ok


@pytest.mark.parametrize("change", ["content", "sha256"])
def test_a_kept_pdf_that_does_not_match_its_hash_is_rendered_again(seeded, change):
    agreement_id = seeded.ids["a_filed"]
    path = f"/agreements/{agreement_id}/filing.pdf"
    first = seeded.as_("statistics").get(path)
    forged = b"%PDF-1.7 forged" if change == "content" else "0" * 64
    assert tamper(seeded.app, f"UPDATE document_files SET {change} = :forged",
                  forged=forged) == 1

    again = seeded.as_("statistics").get(path)
    assert again.status_code == 200 and again.data == first.data
    [(_, _, sha256, content)] = kept(seeded)  # kept anew
    assert content == first.data and sha256 == hashlib.sha256(first.data).hexdigest()


def test_a_gunicorn_worker_loads_the_fonts_as_it_starts(monkeypatch):
    """gunicorn.conf.py's post_worker_init makes the worker's renderer and renders with it."""
    import runpy
    from pathlib import Path

    from ledger.documents import pdf

    warmed = []
    monkeypatch.setattr(pdf, "_renderer", None)
    monkeypatch.setattr(pdf.Renderer, "warm", lambda self: warmed.append(self))
    conf = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    conf["post_worker_init"](None)
    assert warmed == [pdf._renderer] and warmed[0] is not None
