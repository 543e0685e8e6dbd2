"""Periods ('YYYY-MM'), years and civil dates (ledger.domain.periods): strict shapes, the year
range of ledger.domain.limits, and Beijing's civil date of a UTC time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain import periods
from ledger.domain.errors import Invalid
from ledger.domain.limits import DATE_MAX, DATE_MIN, YEAR_MAX, YEAR_MIN


@pytest.mark.parametrize("value", ["2025-01", "2025-12", f"{YEAR_MIN}-01", f"{YEAR_MAX}-12"])
def test_a_period(value):
    assert periods.is_period(value)
    assert periods.parse_period(value) == value


@pytest.mark.parametrize("value", [
    "2025-1", "2025-13", "2025-00", "25-01", "2025/01", "2025-01-01", " 2025-01", "2025-01\n",
    "２０２５-01",  # full-width digits are not digits here
    "2025-0１", "", None, 202501, date(2025, 1, 1),
])
def test_not_a_period(value):
    assert not periods.is_period(value)
    with pytest.raises(Invalid) as err:
        periods.parse_period(value, field="month")
    assert err.value.code == "period.shape"
    assert list(err.value.errors) == ["month"]


@pytest.mark.parametrize("value", [f"{YEAR_MIN - 1}-12", f"{YEAR_MAX + 1}-01", "0000-01"])
def test_a_period_outside_the_years_is_refused(value):
    assert periods.is_period(value)  # the shape is right …
    with pytest.raises(Invalid) as err:  # … the year is not
        periods.parse_period(value)
    assert err.value.code == "period.shape"
    assert err.value.message.params["min"] == YEAR_MIN


@pytest.mark.parametrize(("value", "ok"), [
    (YEAR_MIN, True), (YEAR_MAX, True), (2025, True), (YEAR_MIN - 1, False),
    (YEAR_MAX + 1, False), ("2025", False), (2025.0, False), (True, False), (None, False),
])
def test_parse_year(value, ok):
    if ok:
        assert periods.parse_year(value) == value
    else:
        with pytest.raises(Invalid) as err:
            periods.parse_year(value)
        assert err.value.code == "year.range"


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-02-29", date(2024, 2, 29)),
    (date(2025, 3, 1), date(2025, 3, 1)),
    (DATE_MIN.isoformat(), DATE_MIN),
    (DATE_MAX.isoformat(), DATE_MAX),
])
def test_parse_date(value, expected):
    assert periods.parse_date(value, "signed_on") == expected


@pytest.mark.parametrize(("value", "code"), [
    ("2025-02-29", "date.shape"),  # no such day
    ("2025-2-1", "date.shape"),
    ("20250201", "date.shape"),
    ("２０２５-02-01", "date.shape"),
    (datetime(2025, 2, 1, tzinfo=UTC), "date.shape"),  # a time is not a date
    (None, "date.shape"),
    ("0001-01-01", "date.range"),
    (date(YEAR_MAX + 1, 1, 1), "date.range"),
])
def test_a_bad_date(value, code):
    with pytest.raises(Invalid) as err:
        periods.parse_date(value, "signed_on")
    assert err.value.code == code
    assert list(err.value.errors) == ["signed_on"]


@pytest.mark.parametrize(("moment", "expected"), [
    # 16:00 UTC is midnight in Beijing (UTC+8, no daylight saving).
    (datetime(2025, 12, 31, 15, 59, 59, tzinfo=UTC), date(2025, 12, 31)),
    (datetime(2025, 12, 31, 16, 0, tzinfo=UTC), date(2026, 1, 1)),
    (datetime(2025, 7, 1, 0, 0, tzinfo=timezone(timedelta(hours=-5))), date(2025, 7, 1)),
])
def test_local_date_is_beijings(moment, expected):
    assert periods.local_date(moment) == expected


def test_year_helpers():
    assert periods.year_of("2025-07") == 2025
    assert periods.period_of(date(2025, 7, 31)) == "2025-07"
    assert periods.period_of(date(995, 1, 1)) == "0995-01"
    assert periods.year_prefix(2025) == "2025-"
    assert periods.year_prefix(995) == "0995-"


@given(st.dates(min_value=DATE_MIN, max_value=DATE_MAX))
def test_a_dates_period_parses_back_into_its_year(day):
    """period_of, parse_period, year_of and year_prefix agree on every date in range."""
    period = periods.parse_period(periods.period_of(day))
    assert periods.year_of(period) == day.year
    assert period.startswith(periods.year_prefix(day.year))
    assert periods.parse_date(day.isoformat(), "d") == day


# China kept summer time until 1991, so the offset is a flat eight hours only from 1992 on.
@given(st.datetimes(min_value=datetime(1992, 1, 1), max_value=datetime(YEAR_MAX, 12, 31),
                    timezones=st.just(UTC)))
def test_the_local_date_is_eight_hours_ahead(moment):
    """Every clock reading after 1991 has the civil date of UTC + 8 h."""
    assert periods.local_date(moment) == (moment.replace(tzinfo=None) + timedelta(hours=8)).date()


def test_a_time_is_written_in_beijing_time_in_chinese():
    moment = datetime(2025, 12, 31, 16, 4, 5, 999999, tzinfo=UTC)  # already 2026 in Beijing
    assert periods.beijing_text(moment) == "2026年1月1日 00:04:05（北京时间）"
    assert periods.beijing_stamp(moment) == "2026年1月1日00时04分05秒"
    assert periods.beijing_minute(moment) == "2026-01-01 00:04"
    for written in (periods.beijing_text, periods.beijing_minute):
        with pytest.raises(TypeError):
            written(datetime(2025, 1, 1))  # naive: no guess
