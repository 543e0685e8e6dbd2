"""Amount and share strings ↔ integers (docs/attribution.md): exact, strict, never rounded."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.domain import money
from ledger.domain.errors import Invalid
from ledger.domain.money import (
    MAX_UNITS,
    UNITS_PER_WANYUAN,
    format_amount,
    format_share,
    parse_amount,
    parse_share,
)


def test_constants():
    assert UNITS_PER_WANYUAN == 100
    assert MAX_UNITS == 10**12 * UNITS_PER_WANYUAN


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("0", 0),
        ("0.00", 0),
        ("0.5", 50),
        ("0.05", 5),
        ("10.05", 1005),
        ("1234.56", 123456),
        ("1234.5", 123450),
        ("1234", 123400),
        ("1000000000000", MAX_UNITS),  # 10^12 万元 exactly is accepted
        ("1000000000000.00", MAX_UNITS),
        ("999999999999.99", MAX_UNITS - 1),
    ],
)
def test_parse_amount_accepts(text, units):
    assert parse_amount(text) == units


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1.005", "at most two decimal places"),
        ("3.015", "at most two decimal places"),
        ("0.000", "at most two decimal places"),
        ("1e3", "exponent"),
        ("1E3", "exponent"),
        ("1.5e-2", "exponent"),
        ("NaN", "finite"),
        ("nan", "finite"),
        ("inf", "finite"),
        ("Infinity", "finite"),
        ("-Infinity", "finite"),
        ("-5", "negative"),
        ("-0.01", "negative"),
        ("+5", "plus sign"),
        (" 5", "spaces"),
        ("5 ", "spaces"),
        ("1 000", "spaces"),
        ("5\n", "spaces"),
        ("", "empty"),
        (".5", "both sides"),
        ("5.", "both sides"),
        (".", "both sides"),
        ("1,000", "thousands separators"),
        ("1，000", "thousands separators"),
        ("1_000", "thousands separators"),
        ("１２３", "ASCII digits"),
        ("٣", "ASCII digits"),
        ("1000000000000.01", "must not exceed 1000000000000.00"),
        ("10000000000000", "must not exceed"),
        ("9" * 5000, "at most 20 characters"),
        ("9" * 60_000 + "e", "at most 20 characters"),
        ("1" * 20 + "e", "at most 20 characters"),
        ("1" * 17 + "e99", "exponent"),
        ("1" * 18 + ".x", "decimal number"),
        ("007.10", "leading zeros"),
        ("00", "leading zeros"),
        ("0000000000000001.00", "leading zeros"),
        ("-01.00", "negative"),
        ("abc", "decimal number"),
        ("1.2.3", "decimal number"),
        ("0x10", "decimal number"),
        ("--5", "decimal number"),
    ],
)
def test_parse_amount_rejects(text, fragment):
    with pytest.raises(Invalid) as exc:
        parse_amount(text, field="amount")
    assert fragment in exc.value.message
    assert exc.value.errors == {"amount": [exc.value.message]}
    assert exc.value.status == 422


@pytest.mark.parametrize("value", [5, 5.0, None, b"5", ["5"], True])
def test_parse_amount_rejects_non_strings(value):
    with pytest.raises(Invalid, match="must be a decimal string"):
        parse_amount(value)


def test_field_name_is_carried():
    with pytest.raises(Invalid) as exc:
        parse_amount("1.234", field="planned_investment")
    assert list(exc.value.errors) == ["planned_investment"]


@pytest.mark.parametrize(
    ("text", "units"),
    [("-0.01", -1), ("-10.05", -1005), ("-0", 0), ("-1000000000000", -MAX_UNITS), ("3.01", 301)],
)
def test_parse_amount_negative_when_allowed(text, units):
    assert parse_amount(text, allow_negative=True) == units


@pytest.mark.parametrize("text", ["-1000000000000.01", "--1", "-", "-.5", "+1"])
def test_parse_amount_negative_still_strict(text):
    with pytest.raises(Invalid):
        parse_amount(text, allow_negative=True)


@pytest.mark.parametrize(
    ("units", "text"),
    [(0, "0.00"), (-1, "-0.01"), (1, "0.01"), (123456, "1234.56"), (1005, "10.05"),
     (-100, "-1.00"), (MAX_UNITS, "1000000000000.00"), (-MAX_UNITS, "-1000000000000.00")],
)
def test_format_amount(units, text):
    assert format_amount(units) == text


@pytest.mark.parametrize("value", [1.5, "1", True, None])
def test_format_amount_rejects_non_int(value):
    with pytest.raises(TypeError):
        format_amount(value)


@given(st.integers(min_value=-MAX_UNITS, max_value=MAX_UNITS))
def test_amount_round_trip(units):
    text = format_amount(units)
    assert parse_amount(text, allow_negative=True) == units
    if units >= 0:
        assert parse_amount(text) == units


@given(st.integers(min_value=0, max_value=10**12 - 1), st.integers(min_value=0, max_value=99))
def test_short_forms_parse_to_same_units(whole, cents):
    # "12", "12.3" and "12.30" are the same amount; only the canonical form is emitted.
    units = whole * 100 + cents
    assert parse_amount(f"{whole}.{cents:02d}") == units
    if cents % 10 == 0:
        assert parse_amount(f"{whole}.{cents // 10}") == units
    if cents == 0:
        assert parse_amount(str(whole)) == units


@pytest.mark.parametrize(
    ("text", "bp"),
    [("30", 3000), ("33.33", 3333), ("100", 10000), ("100.00", 10000), ("0.01", 1), ("50.5", 5050)],
)
def test_parse_share_accepts(text, bp):
    assert parse_share(text) == bp


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("0", "greater than 0"),
        ("0.00", "greater than 0"),
        ("100.01", "must not exceed 100.00"),
        ("101", "must not exceed"),
        ("33.333", "at most two decimal places"),
        ("-5", "negative"),
        ("3e1", "exponent"),
        ("NaN", "finite"),
        ("30%", "decimal number"),
        ("030", "leading zeros"),
        ("3" * 60_000, "at most 20 characters"),
        (" 30", "spaces"),
        (".5", "both sides"),
        ("", "empty"),
    ],
)
def test_parse_share_rejects(text, fragment):
    with pytest.raises(Invalid) as exc:
        parse_share(text)
    assert fragment in exc.value.message
    assert list(exc.value.errors) == ["recommender_share"]


def test_parse_share_rejects_non_string():
    with pytest.raises(Invalid, match="must be a decimal string"):
        parse_share(30)


@pytest.mark.parametrize(("bp", "text"), [(3000, "30.00"), (3333, "33.33"), (1, "0.01"), (10000, "100.00")])
def test_format_share(bp, text):
    assert format_share(bp) == text


@pytest.mark.parametrize("bp", [0, -1, 10001])
def test_format_share_rejects_out_of_range(bp):
    with pytest.raises(ValueError):
        format_share(bp)


@given(st.integers(min_value=1, max_value=10000))
def test_share_round_trip(bp):
    assert parse_share(format_share(bp)) == bp


# ------------------------------------------------------------------ the canonical form read directly

def _outcome(read, text):
    """What reading `text` gives: the value, or the code it is refused with."""
    try:
        return "value", read(text)
    except Invalid as error:
        return "refused", error.code


def _full_parser(allow_negative):
    return lambda text: money._parse_hundredths(text, "amount", "amount",
                                                allow_negative=allow_negative, max_abs=MAX_UNITS)


@pytest.mark.parametrize("allow_negative", [False, True])
@pytest.mark.parametrize("text", [
    "0.00", "0.05", "20.00", "999999999999.99", "1000000000000.00",  # canonical (the last: max)
    "1000000000000.01", "00.00", "020.00", "20.0", "20", "20.", ".50", "20.001", "-20.00",
    "+20.00", "2e1", "20.00 ", " 20.00", "2_0.00", "1,000.00", "２０.00", "٢٠.00", "nan", "",
    "20.00\n", 2000, None, 20.0])
def test_parse_amount_reads_the_canonical_form_exactly_as_the_full_parser(text, allow_negative):
    """parse_amount's direct path for format_amount's form gives the full parser's value or
    refusal for any text (a non-canonical or out-of-range amount takes the full parser)."""
    assert _outcome(lambda t: parse_amount(t, allow_negative=allow_negative), text) \
        == _outcome(_full_parser(allow_negative), text)


@settings(max_examples=500, deadline=None)
@given(st.integers(0, MAX_UNITS).map(format_amount)
       | st.text(alphabet="0123456789.-+e _,０\n", max_size=18))
def test_parse_amount_reads_any_amount_exactly_as_the_full_parser(text):
    assert _outcome(parse_amount, text) == _outcome(_full_parser(False), text)
