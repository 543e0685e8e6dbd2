"""The demo's evidence files (凭证), made in code so the demo needs no files beside it: a one-page
PDF with a few lines of text and a small PNG. Both are deterministic (the same receipt gives the
same bytes, so a second `ledger demo` run finds nothing to add) and valid — a PDF reader opens the
PDF, an image decoder the PNG — for a file that only starts with the right bytes would be
recognised by ledger.domain.evidence and then fail in the browser of whoever looks at it."""

from __future__ import annotations

import struct
import zlib


def pdf(lines: list[str]) -> bytes:
    """A one-page PDF 1.4 showing `lines` (ASCII: the standard Helvetica font has no Chinese)
    with a correct cross-reference table."""
    def text(s: str) -> str:
        return s.encode("ascii").decode().replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    shown = " ".join(f"({text(line)}) '" for line in lines)
    stream = f"BT /F1 11 Tf 14 TL 36 {60 + 14 * len(lines)} Td {shown} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 %d] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>" % (100 + 14 * len(lines)),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def png(seed: int, width: int = 96, height: int = 48) -> bytes:
    """An 8-bit RGB PNG of diagonal stripes whose colours follow `seed`."""
    colour = ((seed * 67) % 200 + 30, (seed * 131) % 200 + 30, (seed * 29) % 200 + 30)
    rows = b"".join(
        b"\x00" + b"".join(bytes(colour) if (x + y) // 8 % 2 else b"\xf0\xf0\xf0"
                           for x in range(width))
        for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))
