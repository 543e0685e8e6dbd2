"""The QR code of a document: its verification URL, drawn by segno and served to the renderer
under a `ledger:` URL (never a file, never a data: URL).

A PNG that the stylesheet shows without smoothing (`image-rendering: pixelated`): WeasyPrint
embeds it as it is, where the same code as an SVG path was parsed and drawn module run by module
in Python. Four pixels a module: at one, poppler smooths the enlarged image and the code no
longer decodes from a 150 dpi rendering of the page."""

from __future__ import annotations

from io import BytesIO

import segno

from ledger.documents.fetcher import SCHEME

BORDER = 4  # the standard quiet zone, in modules
SCALE = 4  # pixels a module
MIME = "image/png"


def url(document_id: str) -> str:
    """The asset URL the templates use for the document's QR image."""
    return f"{SCHEME}:qr/{document_id}.png"


def png(target: str) -> bytes:
    """`target` as a QR code (error correction M), black on white."""
    out = BytesIO()
    segno.make(target, error="m", micro=False, boost_error=False).save(
        out, kind="png", scale=SCALE, border=BORDER)
    return out.getvalue()
