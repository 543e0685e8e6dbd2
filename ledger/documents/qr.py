"""The QR code of a document: its verification URL, drawn by segno as SVG in memory and served
to the renderer under a `ledger:` URL (never a file, never a data: URL)."""

from __future__ import annotations

from io import BytesIO

import segno

from ledger.documents.fetcher import SCHEME


def url(document_id: str) -> str:
    """The asset URL the templates use for the document's QR image."""
    return f"{SCHEME}:qr/{document_id}.svg"


def svg(target: str) -> bytes:
    """`target` as a QR code (error correction M, the standard four-module quiet zone)."""
    out = BytesIO()
    segno.make(target, error="m", micro=False, boost_error=False).save(
        out, kind="svg", scale=1, border=4, xmldecl=False, svgclass=None, lineclass=None)
    return out.getvalue()
