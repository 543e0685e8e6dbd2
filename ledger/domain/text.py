"""What a free text may hold: every name, reason and note the ledger
keeps is printed on its documents one day, so a character they cannot print, or one that
changes how the text around it reads, is refused where it comes in — not when a filing form
fails for good (503 `document.missing_glyphs`) or a name prints reversed (U+202E).

A text is refused at its first character that is
- a control character (Unicode category Cc): BEL, ESC, the C1 controls (U+0080–U+009F) … A
  multi-line text (a reason, a note) may hold line feeds; carriage returns are made line feeds
  first (`normalize_lines`: a browser sends a textarea's lines as CR LF). Tabs never: a
  document prints them as spaces, so what was typed is not what prints.
- a bidirectional formatting character (overrides, embeddings, isolates and the marks U+200E,
  U+200F, U+061C): it makes a text read differently from how it is stored (spoofing);
- one a document cannot print: a private-use (Co), surrogate (Cs) or unassigned (Cn) code
  point, any other invisible format character (Cf: zero-width space, soft hyphen, BOM …, two
  names that print alike must be alike), or a character outside `printable`, the code points
  the documents' fonts hold (ledger.fonts.coverage: passed in, so this stays pure).

Pure: no fonts, no I/O. A set look-up per character (and a category look-up when a text is
not plainly printable)."""

from __future__ import annotations

import unicodedata
from collections.abc import Set

from ledger.domain.errors import Problem

BIDI_CONTROLS = frozenset({
    0x061C,                      # ARABIC LETTER MARK
    0x200E, 0x200F,              # LEFT-TO-RIGHT MARK, RIGHT-TO-LEFT MARK
    *range(0x202A, 0x202F),      # LRE RLE PDF LRO RLO
    *range(0x2066, 0x206A),      # LRI RLI FSI PDI
})
_NEVER_PRINTED = frozenset({"Co", "Cs", "Cn", "Cf"})


def name(char: str) -> str:
    """How a refusal names a character: "U+202E" (never the character itself, which could be
    invisible or turn the message around)."""
    return f"U+{ord(char):04X}"


def normalize_lines(text: str) -> str:
    """CR LF and lone CR as LF: the one line break a multi-line text keeps."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def refused(text: str, printable: Set[int], *, lines: bool = False) -> Problem | None:
    """Why `text` may not be kept — the first bad character, named with its position (1 = the
    first character) — or None. `lines`: line feeds are allowed (a multi-line text)."""
    # The common case in C: str.isprintable is false for every category refused here (C*, and
    # Z* but the space), so a text it passes needs only the fonts' look-up.
    body = text.replace("\n", "") if lines else text
    if body.isprintable() and printable.issuperset(map(ord, body)):
        return None
    for position, char in enumerate(text, 1):
        if char == "\n" and lines:
            continue
        category = unicodedata.category(char)
        if category == "Cc":
            return Problem("text.control_character", character=name(char), position=position)
        point = ord(char)
        if point in BIDI_CONTROLS:
            return Problem("text.bidi_control", character=name(char), position=position)
        if category in _NEVER_PRINTED or point not in printable:
            return Problem("text.unprintable", character=name(char), position=position)
    return None
