"""Every refusal has a stable code with an English text and a Chinese translation."""

from __future__ import annotations

import io
import re
import string
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from ledger.domain.errors import Invalid, Problem
from ledger.domain.messages import MESSAGES
from ledger.web.i18n import problem_text

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "ledger" / "translations" / "zh_Hans_CN" / "LC_MESSAGES"
# A code in the source: Invalid("amount.too_many_decimals" …), refuse("text.blank") …
CODE_IN_SOURCE = re.compile(
    r'\b(?:Invalid|Conflict|NotFound|Forbidden|PreconditionFailed|PreconditionRequired|'
    r'BadRequest|Unauthorized|Unavailable|TooMany|Problem|refuse)\("([a-z_]+(?:\.[a-z_]+)+)"')


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def codes_in_source() -> set[str]:
    found = set()
    for path in (ROOT / "ledger").rglob("*.py"):
        found |= set(CODE_IN_SOURCE.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_code_in_the_source_has_a_text():
    codes = codes_in_source()
    assert len(codes) > 60  # the scan itself works
    assert sorted(codes - set(MESSAGES)) == []


def test_an_unknown_code_is_a_programming_error():
    with pytest.raises(KeyError):
        Invalid("no.such.code")


def _catalog():
    with (CATALOG / "messages.po").open("rb") as f:
        return read_po(f)


def test_every_text_has_a_chinese_translation_with_the_same_placeholders():
    po = {m.id: m.string for m in _catalog() if m.id}
    for code, english in MESSAGES.items():
        chinese = po.get(english)
        assert chinese, f"{code}: no translation of {english!r}"
        assert re.search(r"[\u4e00-\u9fff]", chinese), (code, chinese)
        assert placeholders(chinese) == placeholders(english), code


def test_the_compiled_catalog_is_current():
    """messages.mo is compiled from messages.po (`make translations`)."""
    compiled = io.BytesIO()
    write_mo(compiled, _catalog())
    with (CATALOG / "messages.mo").open("rb") as f:
        shipped = {m.id: m.string for m in read_mo(f) if m.id}
    assert shipped == {m.id: m.string for m in read_mo(io.BytesIO(compiled.getvalue())) if m.id}


@pytest.mark.parametrize("language,expected", [
    ("zh", "最多保留两位小数（实际 3 位），系统不会自动舍入"),
    ("en", "must have at most two decimal places (got 3); it is not rounded"),
])
def test_a_problem_is_shown_in_the_pages_language(app, language, expected):
    problem = Problem("amount.too_many_decimals", places=3)
    with app.test_request_context("/", headers={"Cookie": f"lang={language}"}):
        assert problem_text(problem) == expected
    assert str(problem) == "must have at most two decimal places (got 3); it is not rounded"
