"""The QR code of a document: its verification URL, drawn by segno and served to the renderer
under a `ledger:` URL (never a file, never a data: URL).

A grey-level PNG that the stylesheet shows without smoothing (`image-rendering: pixelated`):
WeasyPrint embeds it as it is (Pillow, in C), where the same code as an SVG path was parsed and
drawn module run by module in Python. Eight pixels a module: poppler smooths an image it
enlarges less than four times, and at one pixel a module the code then no longer decodes at
150 dpi; at eight the 26 mm code has about as many pixels as a 300 dpi print of it."""

from __future__ import annotations

from io import BytesIO

import segno
from PIL import Image

from ledger.documents.fetcher import SCHEME

BORDER = 4  # the standard quiet zone, in modules
SCALE = 4  # pixels a module
MIME = "image/png"


def url(document_id: str) -> str:
    """The asset URL the templates use for the document's QR image."""
    return f"{SCHEME}:qr/{document_id}.png"


def png(target: str) -> bytes:
    """`target` as a QR code (error correction M), black on white."""
    code = segno.make(target, error="m", micro=False, boost_error=False)
    pixels = bytes(0 if dark else 255
                   for row in code.matrix_iter(scale=1, border=BORDER) for dark in row)
    width, height = code.symbol_size(scale=1, border=BORDER)
    image = Image.frombytes("L", (width, height), pixels).resize(
        (width * SCALE, height * SCALE), Image.Resampling.NEAREST)
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
