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

from ledger.domain.enums import IndustryLevel, RegionLevel, values
from ledger.domain.errors import Invalid

# --- Regions (GB/T 2260) -----------------------------------------------------------------------

_SIX = re.compile(r"[0-9]{6}")
_COMMITTEE = re.compile(r"([0-9]{6})-([A-Z0-9]{2,8})")


def _six_digit_level(code: str) -> str | None:
    """Level implied by a six-digit code's structure, or None if it is not one."""
    if not _SIX.fullmatch(code) or code[:2] == "00":
        return None
    if code[2:] == "0000":
        return RegionLevel.PROVINCE
    if code[4:] == "00":
        return RegionLevel.PREFECTURE
    return RegionLevel.COUNTY


def region_level_of(code: str) -> str | None:
    """The level a code's shape implies ('committee' for XXXXXX-ABC), None if malformed."""
    if not isinstance(code, str):
        return None
    m = _COMMITTEE.fullmatch(code)
    if m:
        return RegionLevel.COMMITTEE if _six_digit_level(m[1]) else None
    return _six_digit_level(code)


def validate_region(code: str, level: str, parent_code: str | None) -> None:
    """Check a region's code, level and parent against each other (structure only).

    Whether the parent exists is for the caller (it needs the database).
    """
    if level not in values(RegionLevel):
        raise Invalid("field.one_of", field="level", choices=", ".join(values(RegionLevel)))
    if not isinstance(code, str):
        raise Invalid("field.not_a_string", field="code")
    parent = parent_code or None  # CSV rows carry "" for "no parent"
    if level == RegionLevel.COMMITTEE:
        m = _COMMITTEE.fullmatch(code)
        if m is None or _six_digit_level(m[1]) is None:
            raise Invalid("region.committee_code", field="code")
        if parent != m[1]:
            raise Invalid("region.committee_parent", field="parent_code", host=m[1])
        return
    if not _SIX.fullmatch(code):
        raise Invalid("region.six_digits", field="code")
    implied = _six_digit_level(code)
    if implied is None:
        raise Invalid("region.province_00", field="code")
    if implied != level:
        raise Invalid("region.level_mismatch", field="code", code=code, implied=implied,
                      level=level)
    province = code[:2] + "0000"
    if level == RegionLevel.PROVINCE:
        allowed: tuple[str, ...] = ()
    elif level == RegionLevel.PREFECTURE:
        allowed = (province,)
    else:
        # A county sits under its prefecture, or directly under the province
        # (省直辖县级行政区, e.g. middle digits 90).
        allowed = (code[:4] + "00", province)
    if parent is None and allowed:
        raise Invalid("region.parent_required", field="parent_code", level=level,
                      allowed=" or ".join(allowed))
    if parent is not None and parent not in allowed:
        raise Invalid("region.parent_wrong", field="parent_code", level=level, code=code,
                      expected=" or ".join(allowed) if allowed else "none")


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
        code = r["code"] if r["level"] == IndustryLevel.SECTION else r["section"] + r["code"]
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
        raise Invalid("field.not_a_string", field=field)
    m = _INDUSTRY.fullmatch(code)
    if m is None:
        if _INDUSTRY.fullmatch(code.upper()):
            raise Invalid("industry.lowercase", field=field)
        raise Invalid("industry.shape", field=field)
    section, digits = m[1], m[2]
    names = _industry_names()
    if section not in names:
        raise Invalid("industry.section_unknown", field=field, section=section)
    if digits and section + digits[:2] not in names:
        raise Invalid("industry.division_unknown", field=field, division=digits[:2],
                      section=section)
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
        raise Invalid("credit_code.shape", field=field)
    try:
        uscc.validate(code)
    except InvalidChecksum:
        raise Invalid("credit_code.check_digit", field=field) from None
    except ValidationError:
        raise Invalid("credit_code.invalid", field=field) from None
    return code


PROJECT_CODE_YEARS = (1990, 2099)  # the year part of a GB/T 40058 code
_PROJECT_CODE = re.compile(r"([0-9]{4})-([0-9]{6})-[0-9]{2}-[0-9]{2}-[0-9]{6}")


def validate_project_code(code: str, field: str = "project_code") -> str:
    """GB/T 40058 project code shape YYYY-RRRRRR-DD-TT-NNNNNN."""
    m = _PROJECT_CODE.fullmatch(code) if isinstance(code, str) else None
    if m is None:
        raise Invalid("project_code.shape", field=field)
    if not PROJECT_CODE_YEARS[0] <= int(m[1]) <= PROJECT_CODE_YEARS[1]:
        raise Invalid("project_code.year", field=field, min=PROJECT_CODE_YEARS[0],
                      max=PROJECT_CODE_YEARS[1])
    if _six_digit_level(m[2]) is None:
        raise Invalid("project_code.region", field=field)
    return code


def check_industry_lists(leading: Iterable[str], restricted: Iterable[str]) -> None:
    """A zone may not restrict one of its own leading industries."""
    restricted = list(restricted)
    for lead in leading:
        if any(covers(r, lead) for r in restricted):
            raise Invalid("industry.leading_restricted", field="restricted_industries", code=lead)


def restricted_by(restricted: Iterable[str], code: str) -> list[str]:
    """The entries of a restricted list that cover `code` (a project there may not land)."""
    return [r for r in restricted if covers(r, code)]


def match_length(leading: Iterable[str], restricted: Iterable[str], code: str) -> int | None:
    """How closely a zone fits industry `code`: the length of its most specific leading
    industry covering the code, or None when none does or its restricted list covers it."""
    if restricted_by(restricted, code):
        return None
    return best_cover_length(leading, code)
