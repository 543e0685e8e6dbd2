"""Region, industry, credit and project codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc

from ledger.domain.enums import RegionLevel, values
from ledger.domain.codes import (
    best_cover_length,
    covers,
    industries,
    industry_name,
    reference_regions,
    region_level_of,
    validate_credit_code,
    validate_industry,
    validate_project_code,
    validate_region,
)
from ledger.domain.errors import Invalid

# --- Regions -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("640000", "province", None),
        ("640000", "province", ""),
        ("110000", "province", None),
        ("640100", "prefecture", "640000"),
        ("640181", "county", "640100"),
        ("640181", "county", "640000"),  # a county may hang directly under its province
        ("419001", "county", "410000"),  # 省直辖县级行政区 (济源市)
        ("640000-NDJD", "committee", "640000"),
        ("640181-LW", "committee", "640181"),
        ("640100-AB12CD34", "committee", "640100"),
    ],
)
def test_valid_regions(code, level, parent):
    assert validate_region(code, level, parent) is None


@pytest.mark.parametrize(
    ("code", "level", "parent", "field"),
    [
        ("64000", "province", None, "code"),
        ("6400000", "province", None, "code"),
        ("64000A", "province", None, "code"),
        ("６４００００", "province", None, "code"),
        ("000000", "province", None, "code"),
        ("000100", "prefecture", None, "code"),
        ("640100", "province", None, "code"),  # structure says prefecture
        ("640000", "prefecture", "640000", "code"),
        ("640181", "prefecture", "640000", "code"),
        ("640100", "county", "640000", "code"),
        ("640000", "province", "640000", "parent_code"),  # a province has no parent
        ("640100", "prefecture", None, "parent_code"),
        ("640100", "prefecture", "650000", "parent_code"),
        ("640100", "prefecture", "640200", "parent_code"),
        ("640181", "county", None, "parent_code"),
        ("640181", "county", "640200", "parent_code"),
        ("640181", "county", "650000", "parent_code"),
        ("640181", "county", "640181", "parent_code"),
        ("640000-nd", "committee", "640000", "code"),
        ("640000-N", "committee", "640000", "code"),
        ("640000-ABCDEFGHI", "committee", "640000", "code"),
        ("640000NDJD", "committee", "640000", "code"),
        ("640000-ND JD", "committee", "640000", "code"),
        ("000000-NDJD", "committee", "000000", "code"),
        ("64000-NDJD", "committee", "64000", "code"),
        ("640000-NDJD", "committee", "640100", "parent_code"),
        ("640000-NDJD", "committee", None, "parent_code"),
        ("640000-NDJD", "county", "640000", "code"),  # committee code at another level
        ("640000", "committee", None, "code"),
        ("640000", "city", None, "level"),
        ("640000", "Province", None, "level"),
        (640000, "province", None, "code"),
    ],
)
def test_invalid_regions(code, level, parent, field):
    with pytest.raises(Invalid) as exc:
        validate_region(code, level, parent)
    assert list(exc.value.errors) == [field]


def test_region_messages_are_specific():
    with pytest.raises(Invalid, match="640100 is a prefecture code, not a county code"):
        validate_region("640100", "county", "640000")
    with pytest.raises(Invalid, match="must be 640100 or 640000"):
        validate_region("640181", "county", "640200")


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("640000", "province"),
        ("640100", "prefecture"),
        ("640181", "county"),
        ("640000-NDJD", "committee"),
        ("000000", None),
        ("64018", None),
        ("640000-x", None),
        ("000000-AB", None),
        (None, None),
    ],
)
def test_region_level_of(code, level):
    assert region_level_of(code) == level


def test_reference_regions_are_ningxia_and_valid():
    rows = reference_regions()
    assert len(rows) == 28
    assert rows[0] == {"code": "640000", "name": "宁夏回族自治区", "level": "province", "parent_code": None}
    assert {"code": "640181", "name": "灵武市", "level": "county", "parent_code": "640100"} in rows
    assert sum(r["level"] == "prefecture" for r in rows) == 5
    assert sum(r["level"] == "county" for r in rows) == 22
    for row in rows:
        assert row["level"] in values(RegionLevel)
        validate_region(row["code"], row["level"], row["parent_code"])
    codes = {r["code"] for r in rows}
    assert all(r["parent_code"] in codes for r in rows if r["parent_code"])


def test_reference_regions_returns_fresh_copies():
    reference_regions()[0]["name"] = "changed"
    assert reference_regions()[0]["name"] == "宁夏回族自治区"


# --- Industries --------------------------------------------------------------------------------


def test_industry_table():
    rows = industries()
    sections = [r for r in rows if r["level"] == "section"]
    divisions = [r for r in rows if r["level"] == "division"]
    assert [r["code"] for r in sections] == list("ABCDEFGHIJKLMNOPQRST")
    assert len(divisions) == 97
    assert {"code": "C26", "name": "化学原料和化学制品制造业", "level": "division", "section": "C"} in rows
    assert {"code": "C", "name": "制造业", "level": "section", "section": "C"} in rows
    for row in rows:
        assert row["code"].startswith(row["section"])
        assert validate_industry(row["code"]) == row["code"]
    rows[0]["name"] = "changed"
    assert industries()[0]["name"] != "changed"


@pytest.mark.parametrize("code", ["C", "A", "T", "C26", "C261", "C2614", "A01", "A0511", "T97", "S96"])
def test_valid_industries(code):
    assert validate_industry(code) == code


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("c26", "uppercase"),
        ("c", "uppercase"),
        ("C2", "section letter optionally followed by 2, 3 or 4 digits"),
        ("C26141", "section letter"),
        ("C-26", "section letter"),
        ("26", "section letter"),
        ("", "section letter"),
        (" C26", "section letter"),
        ("CC", "section letter"),
        ("Ｃ26", "section letter"),
        ("C99", "99 is not a division of section C"),
        ("A26", "26 is not a division of section A"),
        ("A1300", "13 is not a division of section A"),
        ("U", "U is not a GB/T 4754-2017 section"),
        ("Z01", "not a GB/T 4754-2017 section"),
        (None, "must be a string"),
    ],
)
def test_invalid_industries(code, fragment):
    with pytest.raises(Invalid) as exc:
        validate_industry(code, field="leading_industries")
    assert fragment in exc.value.message
    assert list(exc.value.errors) == ["leading_industries"]


@pytest.mark.parametrize(
    ("code", "name"),
    [("C", "制造业"), ("C26", "化学原料和化学制品制造业"), ("C2614", "化学原料和化学制品制造业"),
     ("A01", "农业"), ("T", "国际组织")],
)
def test_industry_name(code, name):
    assert industry_name(code) == name


def test_industry_name_rejects_invalid():
    with pytest.raises(Invalid):
        industry_name("C99")


@pytest.mark.parametrize(
    ("prefix", "code", "expected"),
    [
        ("C25", "C2511", True),
        ("C", "C26", True),
        ("C", "C", True),
        ("C26", "C26", True),
        ("C261", "C2614", True),
        ("C26", "C2", False),
        ("C26", "C", False),
        ("C25", "C2611", False),
        ("C2511", "C25", False),
        ("A", "C26", False),
    ],
)
def test_covers(prefix, code, expected):
    assert covers(prefix, code) is expected


@pytest.mark.parametrize(
    ("prefixes", "code", "expected"),
    [
        (["C", "C26", "C2614"], "C2614", 5),
        (["C", "C26"], "C2614", 3),
        (["C", "C25"], "C2614", 1),
        (["A", "C25"], "C2614", None),
        ([], "C26", None),
    ],
)
def test_best_cover_length(prefixes, code, expected):
    assert best_cover_length(prefixes, code) == expected


# --- Credit codes ------------------------------------------------------------------------------

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
uscc_bodies = st.builds(
    lambda head, tail: head + tail,
    st.text("0123456789", min_size=8, max_size=8),
    st.text(_ALPHABET, min_size=9, max_size=9),
)


def test_known_credit_code():
    assert validate_credit_code("91110000600037341L") == "91110000600037341L"


def test_computed_credit_code():
    body = "91640181MA76ABCDE"
    code = body + uscc.calc_check_digit(body)
    assert validate_credit_code(code, field="x") == code


@given(uscc_bodies)
def test_generated_credit_codes(body):
    good = body + uscc.calc_check_digit(body)
    assert validate_credit_code(good) == good
    wrong = next(c for c in _ALPHABET if c != good[-1])
    with pytest.raises(Invalid, match="check digit"):
        validate_credit_code(body + wrong)


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91110000600037341M", "check digit"),
        ("91110000600037341", "18 digits or uppercase letters"),
        ("91110000600037341LL", "18 digits or uppercase letters"),
        ("91110000600037341l", "18 digits or uppercase letters"),
        ("9111 0000600037341L", "18 digits or uppercase letters"),
        (" 91110000600037341L", "18 digits or uppercase letters"),
        ("A1110000600037341L", "first 8 characters must be digits"),
        ("91110000I00037341L", "letters I, O, S, V, Z"),
        ("", "18 digits"),
        (None, "18 digits"),
    ],
)
def test_invalid_credit_codes(code, fragment):
    with pytest.raises(Invalid) as exc:
        validate_credit_code(code)
    assert fragment in exc.value.message
    assert list(exc.value.errors) == ["investor_credit_code"]


# --- Project codes -----------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["2025-640181-26-03-000123", "1990-110000-00-00-000000", "2099-640100-99-99-999999"])
def test_valid_project_codes(code):
    assert validate_project_code(code) == code


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("1989-640181-26-03-000123", "between 1990 and 2099"),
        ("2100-640181-26-03-000123", "between 1990 and 2099"),
        ("2025-000181-26-03-000123", "region part"),
        ("2025-64018-26-03-000123", "shape"),
        ("2025-640181-2-03-000123", "shape"),
        ("2025-640181-26-3-000123", "shape"),
        ("2025-640181-26-03-00123", "shape"),
        ("2025-640181-26-03-0001234", "shape"),
        ("2025_640181_26_03_000123", "shape"),
        ("25-640181-26-03-000123", "shape"),
        ("2025-640181-26-03-000123 ", "shape"),
        ("2025-640181-C2-03-000123", "shape"),
        ("", "shape"),
        (None, "shape"),
    ],
)
def test_invalid_project_codes(code, fragment):
    with pytest.raises(Invalid) as exc:
        validate_project_code(code, field="project_code")
    assert fragment in exc.value.message
    assert list(exc.value.errors) == ["project_code"]
