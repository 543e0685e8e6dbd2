"""Official codes: GB/T 2260 regions, GB/T 4754-2017 industries, GB 32100 credit codes,
GB/T 40058 project codes.

Validation is strict (no case folding, no stripping): a code that is stored is a code that was
sent, so exports and documents show exactly what the reporting office typed.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterable
from importlib import resources

from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, ValidationError

from ledger.domain.errors import Invalid

# --- Regions (GB/T 2260) -----------------------------------------------------------------------

LEVELS = ("province", "prefecture", "county", "committee")

_SIX = re.compile(r"[0-9]{6}")
_COMMITTEE = re.compile(r"([0-9]{6})-([A-Z0-9]{2,8})")


def _six_digit_level(code: str) -> str | None:
    """Level implied by a six-digit code's structure, or None if it is not one."""
    if not _SIX.fullmatch(code) or code[:2] == "00":
        return None
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "prefecture"
    return "county"


def region_level_of(code: str) -> str | None:
    """The level a code's shape implies ('committee' for XXXXXX-ABC), None if malformed."""
    if not isinstance(code, str):
        return None
    m = _COMMITTEE.fullmatch(code)
    if m:
        return "committee" if _six_digit_level(m[1]) else None
    return _six_digit_level(code)


def validate_region(code: str, level: str, parent_code: str | None) -> None:
    """Check a region's code, level and parent against each other (structure only).

    Whether the parent exists is for the caller (it needs the database).
    """
    if level not in LEVELS:
        raise Invalid(f"must be one of {', '.join(LEVELS)}", field="level")
    if not isinstance(code, str):
        raise Invalid("must be a string", field="code")
    parent = parent_code or None  # CSV rows carry "" for "no parent"
    if level == "committee":
        m = _COMMITTEE.fullmatch(code)
        if m is None or _six_digit_level(m[1]) is None:
            raise Invalid("a committee code is the host's six-digit code, '-' and 2–8 uppercase "
                          "letters or digits (e.g. 640000-NDJD)", field="code")
        if parent != m[1]:
            raise Invalid(f"must be the host region {m[1]} named in the code", field="parent_code")
        return
    if not _SIX.fullmatch(code):
        raise Invalid("must be a six-digit GB/T 2260 code", field="code")
    implied = _six_digit_level(code)
    if implied is None:
        raise Invalid("the province part (first two digits) must not be 00", field="code")
    if implied != level:
        raise Invalid(f"{code} is a {implied} code, not a {level} code", field="code")
    province = code[:2] + "0000"
    if level == "province":
        allowed: tuple[str, ...] = ()
    elif level == "prefecture":
        allowed = (province,)
    else:
        # A county sits under its prefecture, or directly under the province
        # (省直辖县级行政区, e.g. middle digits 90).
        allowed = (code[:4] + "00", province)
    if parent is None and allowed:
        raise Invalid(f"a {level} needs a parent ({' or '.join(allowed)})", field="parent_code")
    if parent is not None and parent not in allowed:
        expected = " or ".join(allowed) if allowed else "none"
        raise Invalid(f"parent of {level} {code} must be {expected}", field="parent_code")


# --- Reference data ----------------------------------------------------------------------------


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("ledger.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@functools.cache
def _regions() -> tuple[tuple[str, str, str, str | None], ...]:
    return tuple((r["code"], r["name"], r["level"], r["parent_code"] or None)
                 for r in _read_csv("gbt2260_ningxia.csv"))


def reference_regions() -> list[dict[str, str | None]]:
    """The shipped GB/T 2260 rows of 宁夏 (code, name, level, parent_code) for the demo."""
    return [dict(code=c, name=n, level=lv, parent_code=p) for c, n, lv, p in _regions()]


# --- Industries (GB/T 4754-2017) ---------------------------------------------------------------

_INDUSTRY = re.compile(r"([A-Z])([0-9]{2,4})?")


@functools.cache
def _industries() -> tuple[tuple[str, str, str, str], ...]:
    """(code, name, level, section); divisions get their section letter: '26' → 'C26'."""
    rows = []
    for r in _read_csv("gbt4754_2017.csv"):
        code = r["code"] if r["level"] == "section" else r["section"] + r["code"]
        rows.append((code, r["name"], r["level"], r["section"]))
    return tuple(rows)


@functools.cache
def _industry_names() -> dict[str, str]:
    return {code: name for code, name, _, _ in _industries()}


def industries() -> list[dict[str, str]]:
    """Sections (门类) and divisions (大类) in table order: {code, name, level, section}."""
    return [dict(code=c, name=n, level=lv, section=s) for c, n, lv, s in _industries()]


def validate_industry(code: str, field: str = "industry_code") -> str:
    """Accept 'C', 'C26', 'C261', 'C2614' when the division belongs to that section."""
    if not isinstance(code, str):
        raise Invalid("must be a string", field=field)
    m = _INDUSTRY.fullmatch(code)
    if m is None:
        if _INDUSTRY.fullmatch(code.upper()):
            raise Invalid("the section letter must be uppercase", field=field)
        raise Invalid("must be a GB/T 4754-2017 section letter optionally followed by 2, 3 or 4 "
                      "digits (e.g. C, C26, C2614)", field=field)
    section, digits = m[1], m[2]
    names = _industry_names()
    if section not in names:
        raise Invalid(f"{section} is not a GB/T 4754-2017 section (A–T)", field=field)
    if digits and section + digits[:2] not in names:
        raise Invalid(f"{digits[:2]} is not a division of section {section}", field=field)
    return code


def industry_name(code: str) -> str:
    """Name of the section or division the (valid) code falls in: 'C2614' → division 26's name."""
    validate_industry(code)
    return _industry_names()[code[:3]]


def covers(prefix: str, code: str) -> bool:
    """True when industry `prefix` includes `code` (C25 covers C2511; C covers C26).

    The codes are strictly hierarchical (each level appends characters), so a string prefix
    test is exact.
    """
    return code.startswith(prefix)


def best_cover_length(prefixes: Iterable[str], code: str) -> int | None:
    """Length of the longest prefix covering `code` (longer = more specific match), else None."""
    lengths = [len(p) for p in prefixes if covers(p, code)]
    return max(lengths) if lengths else None


# --- Credit and project codes ------------------------------------------------------------------

_USCC_SHAPE = re.compile(r"[0-9A-Z]{18}")


def validate_credit_code(code: str, field: str = "investor_credit_code") -> str:
    """统一社会信用代码 (GB 32100): 18 characters with a valid check digit."""
    if not isinstance(code, str) or not _USCC_SHAPE.fullmatch(code):
        raise Invalid("must be 18 digits or uppercase letters (统一社会信用代码), without spaces",
                      field=field)
    try:
        uscc.validate(code)
    except InvalidChecksum:
        raise Invalid("check digit does not match (统一社会信用代码 GB 32100)", field=field) from None
    except ValidationError:
        raise Invalid("is not a valid 统一社会信用代码: the first 8 characters must be digits "
                      "and the letters I, O, S, V, Z are not used", field=field) from None
    return code


_PROJECT_CODE = re.compile(r"([0-9]{4})-([0-9]{6})-[0-9]{2}-[0-9]{2}-[0-9]{6}")


def validate_project_code(code: str, field: str = "project_code") -> str:
    """GB/T 40058 project code shape YYYY-RRRRRR-DD-TT-NNNNNN."""
    m = _PROJECT_CODE.fullmatch(code) if isinstance(code, str) else None
    if m is None:
        raise Invalid("must have the shape YYYY-RRRRRR-DD-TT-NNNNNN (GB/T 40058)", field=field)
    if not 1990 <= int(m[1]) <= 2099:
        raise Invalid("year part must be between 1990 and 2099", field=field)
    if _six_digit_level(m[2]) is None:
        raise Invalid("region part must be a valid six-digit GB/T 2260 code", field=field)
    return code
