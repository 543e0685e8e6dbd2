"""Amounts (万元) and shares (percent) as exact integers.

Amounts travel as decimal strings with at most two decimals and are stored as integer units of
0.01万元; shares are percents with at most two decimals, stored as basis points (0.01 %).
Bad input is rejected with a code naming the problem, never rounded (docs/attribution.md): a
silently rounded 0.005万元 would make the ledger disagree with the report it came from.
"""

from __future__ import annotations

import re

from ledger.domain.errors import Invalid
from ledger.domain.limits import DECIMAL_TEXT

UNITS_PER_WANYUAN = 100
# 10^12 万元 is the largest absolute amount accepted; in units of 0.01万元.
MAX_UNITS = 10**14
BP_PER_PERCENT = 100
MAX_SHARE_BP = 100 * BP_PER_PERCENT

# Deliberately loose so each way of being wrong gets its own code below; [0-9] (not \d)
# keeps full-width and other Unicode digits out. Both patterns match in time linear in the
# length of the text (no two quantifiers can share a character), and the text is at most
# DECIMAL_TEXT characters long when they run, so an amount of many thousand digits cannot
# hold a worker.
_LOOSE = re.compile(r"(?P<sign>[+-]?)(?P<int>[0-9]*)(?:(?P<dot>\.)(?P<frac>[0-9]*))?")
_NON_FINITE = {"nan", "inf", "infinity"}
_EXPONENT = re.compile(r"[+-]?[0-9]*(?:\.[0-9]*)?[eE][+-]?[0-9]+")


def _parse_hundredths(text: object, field: str, kind: str, *, allow_negative: bool,
                      max_abs: int) -> int:
    """Parse '123', '123.4', '123.45' (optionally '-…') into an int of hundredths.
    `kind` ("amount" or "share") prefixes the error codes."""
    def refuse(problem: str, **params) -> Invalid:
        return Invalid(f"{kind}.{problem}", field=field, **params)

    if not isinstance(text, str):
        raise refuse("not_a_string")
    if len(text) > DECIMAL_TEXT:  # first: nothing below looks at a longer text
        raise refuse("too_long", max=DECIMAL_TEXT)
    if text == "":
        raise refuse("empty")
    if any(ch.isspace() for ch in text):
        raise refuse("spaces")
    if text.lstrip("+-").lower() in _NON_FINITE:
        raise refuse("not_finite")
    if _EXPONENT.fullmatch(text):
        raise refuse("exponent")
    if "," in text or "，" in text or "_" in text:
        raise refuse("separators")
    m = _LOOSE.fullmatch(text)
    if m is None:
        if any(ch.isdigit() and not "0" <= ch <= "9" for ch in text):
            raise refuse("non_ascii_digits")
        raise refuse("not_a_number")
    sign, whole, dot, frac = m["sign"], m["int"], m["dot"], m["frac"] or ""
    if sign == "+":
        raise refuse("plus_sign")
    if sign == "-" and not allow_negative:
        raise refuse("negative")
    if whole == "" or (dot and frac == ""):
        raise refuse("digits_around_point")
    if len(whole) > 1 and whole.startswith("0"):  # "007.10": the OpenAPI pattern forbids it
        raise refuse("leading_zeros")
    if len(frac) > 2:
        raise refuse("too_many_decimals", places=len(frac))
    # Check magnitude on the digit string first: int() of a huge string is slow or refused.
    significant = whole.lstrip("0")
    if len(significant) > len(str(max_abs)):
        raise refuse("too_large", max=_format_hundredths(max_abs))
    value = int(significant or "0") * 100 + int(frac.ljust(2, "0"))
    if value > max_abs:
        raise refuse("too_large", max=_format_hundredths(max_abs))
    return -value if sign == "-" else value


def _format_hundredths(value: int) -> str:
    if type(value) is not int and (not isinstance(value, int) or isinstance(value, bool)):
        raise TypeError(f"expected int, got {type(value).__name__}")
    if value >= 0:  # as a rule (an import's every amount: the quick way first)
        return f"{value // 100}.{value % 100:02d}"
    whole, cents = divmod(-value, 100)
    return f"-{whole}.{cents:02d}"


# An amount exactly as format_amount writes it, not negative and with fewer integer digits than
# the largest amount (so always in range): what the journal holds and most reports send. The
# full parser reads such a text as the same number, so parse_amount reads it directly (the
# journal's replay in `ledger verify` reads a million of them). Matched in bounded time.
_CANONICAL_AMOUNT = re.compile(
    rf"(?:0|[1-9][0-9]{{0,{len(str(MAX_UNITS // UNITS_PER_WANYUAN)) - 2}}})\.[0-9]{{2}}")


def parse_amount(text: object, *, field: str = "amount", allow_negative: bool = False) -> int:
    """'1234.56' → 123456 units of 0.01万元; Invalid (422) for anything not exact and in range.

    Negatives are only for postings (allow_negative=True); reports and plans are ≥ 0.
    """
    if type(text) is str and _CANONICAL_AMOUNT.fullmatch(text):
        return int(text.replace(".", ""))
    return _parse_hundredths(text, field, "amount", allow_negative=allow_negative,
                             max_abs=MAX_UNITS)


def format_amount(units: int) -> str:
    """123456 → '1234.56'; always two decimals, '-0.01' for -1, '0.00' for 0."""
    return _format_hundredths(units)


def parse_share(text: object, *, field: str = "recommender_share") -> int:
    """Percent string → basis points: '30' → 3000, '33.33' → 3333; 0 < share ≤ 100."""
    bp = _parse_hundredths(text, field, "share", allow_negative=False, max_abs=MAX_SHARE_BP)
    if bp == 0:
        raise Invalid("share.zero", field=field)
    return bp


def format_share(bp: int) -> str:
    """3000 → '30.00' (percent, two decimals)."""
    if isinstance(bp, int) and not isinstance(bp, bool) and not 0 < bp <= MAX_SHARE_BP:
        raise ValueError(f"share out of range: {bp} bp")
    return _format_hundredths(bp)
