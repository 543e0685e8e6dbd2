"""What a kept text may hold (ledger.domain.text): the first bad character is named, with its
class and position; the fonts' coverage is passed in."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.text import BIDI_CONTROLS, normalize_lines, refused

# A stand-in for the fonts' coverage: printable ASCII, a few hanzi, one rare hanzi of the
# supplementary planes, and the soft hyphen and zero-width space (format characters a font may
# well map: refused all the same).
PRINTABLE = frozenset([*range(0x20, 0x7F), *map(ord, "招商引资项目说明䶮𠮷"), 0x00AD, 0x200B])


def why(text: str, *, lines: bool = False):
    problem = refused(text, PRINTABLE, lines=lines)
    return None if problem is None else (problem.code, problem.params)


@pytest.mark.parametrize("text", ["招商引资项目", "Project 7 (A-1)", "䶮𠮷", "", " "])
def test_what_the_fonts_print_is_kept(text):
    assert why(text) is None


@pytest.mark.parametrize("text,code,character,position", [
    ("招商\x07项目", "text.control_character", "U+0007", 3),        # BEL
    ("\x1b[31m", "text.control_character", "U+001B", 1),             # ESC
    ("招商\x92", "text.control_character", "U+0092", 3),              # a C1 control
    ("项目\x7f", "text.control_character", "U+007F", 3),              # DEL
    ("招商\t项目", "text.control_character", "U+0009", 3),            # a tab prints as a space
    ("招商\n项目", "text.control_character", "U+000A", 3),            # one line only
    ("招商\r项目", "text.control_character", "U+000D", 3),
    ("项目\u202e说明", "text.bidi_control", "U+202E", 3),              # RIGHT-TO-LEFT OVERRIDE
    ("\u202a项目", "text.bidi_control", "U+202A", 1),
    ("项目\u2066说明\u2069", "text.bidi_control", "U+2066", 3),        # an isolate
    ("项目\u200f", "text.bidi_control", "U+200F", 3),                  # RIGHT-TO-LEFT MARK
    ("项目\u061c", "text.bidi_control", "U+061C", 3),                  # ARABIC LETTER MARK
    ("项目\ue000", "text.unprintable", "U+E000", 3),                   # private use
    ("项目\U000F0001", "text.unprintable", "U+F0001", 3),             # private use, plane 15
    ("项目\ud800", "text.unprintable", "U+D800", 3),                   # a lone surrogate
    ("项目\u0378", "text.unprintable", "U+0378", 3),                   # unassigned
    ("项目\U0002A6D6", "text.unprintable", "U+2A6D6", 3),             # assigned, not in the fonts
    ("项目\u00ad说明", "text.unprintable", "U+00AD", 3),               # soft hyphen: invisible
    ("项目\u200b说明", "text.unprintable", "U+200B", 3),               # zero-width space
    ("项目\ufeff", "text.unprintable", "U+FEFF", 3),
    ("αβ", "text.unprintable", "U+03B1", 1),                           # not in these fonts
])
def test_the_first_bad_character_is_named(text, code, character, position):
    assert why(text) == (code, {"character": character, "position": position})


def test_every_bidirectional_formatting_character_is_refused():
    assert {f"U+{p:04X}" for p in BIDI_CONTROLS} == {
        "U+061C", "U+200E", "U+200F", "U+202A", "U+202B", "U+202C", "U+202D", "U+202E",
        "U+2066", "U+2067", "U+2068", "U+2069"}
    for point in BIDI_CONTROLS:
        assert why(f"项目{chr(point)}", lines=True)[0] == "text.bidi_control"


def test_the_first_of_several_is_named():
    assert why("\u202e项目\x07") == ("text.bidi_control", {"character": "U+202E", "position": 1})


def test_a_multi_line_text_keeps_line_feeds_only():
    assert why("招商\n项目\n", lines=True) is None
    assert why("招商\t项目", lines=True) == (
        "text.control_character", {"character": "U+0009", "position": 3})
    assert why("招商\r\n项目", lines=True)[1]["character"] == "U+000D"  # normalized first
    assert normalize_lines("一\r\n二\r三\n四") == "一\n二\n三\n四"
    assert why(normalize_lines("招商\r\n项目\r"), lines=True) is None


def test_the_message_names_the_character_never_shows_it():
    problem = refused("项目\u202e说明", PRINTABLE)
    assert str(problem) == ("must not contain U+202E (character 3), a character that changes "
                            "the direction of the text around it")
    assert "\u202e" not in str(problem)


def test_a_long_text_is_checked_in_well_under_a_millisecond():
    text = "招商引资项目说明\n" * 222  # 2,000 characters, the longest reason, on many lines
    started = time.perf_counter()
    for _ in range(100):
        assert refused(text, PRINTABLE, lines=True) is None
    assert (time.perf_counter() - started) / 100 < 0.002  # ~0.2 ms on a loaded machine


@given(st.text(alphabet=st.one_of(st.sampled_from("招商引资\n\t\x07\u202e\u3000\u00a0\u00ad䶮 A"),
                                  st.characters()), max_size=30),
       st.booleans())
def test_a_text_is_refused_exactly_at_its_first_character_refused_alone(text, lines):
    alone = [refused(char, PRINTABLE, lines=lines) for char in text]
    first = next((i for i, problem in enumerate(alone) if problem is not None), None)
    problem = refused(text, PRINTABLE, lines=lines)
    if first is None:
        assert problem is None
    else:
        assert (problem.code, problem.params) == (
            alone[first].code, {"character": f"U+{ord(text[first]):04X}", "position": first + 1})
