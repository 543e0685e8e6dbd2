"""Reporting periods ('YYYY-MM') and civil dates, in one place.

Civil dates — the day an agreement is filed, the year that numbers a filing — are Beijing
dates; stored times are UTC."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from ledger.domain.errors import Invalid
from ledger.domain.limits import DATE_MAX, DATE_MIN, YEAR_MAX, YEAR_MIN

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
PATTERN = r"([0-9]{4})-(0[1-9]|1[0-2])"  # [0-9]: no full-width digits
_PERIOD = re.compile(PATTERN)


def utc_text(moment: datetime) -> str:
    """An aware time as UTC to the microsecond with a Z, as the API, the journal, the postings'
    hashes and the documents write times: YYYY-MM-DDTHH:MM:SS.ffffffZ. isoformat, not
    strftime("%Y"), which does not zero-pad years before 1000. A naive time is refused, not
    guessed (as ledger.db.UTCDateTime does)."""
    global _last_utc
    last = _last_utc  # one read: another thread may replace it
    if moment is last[0]:  # a batch formats its one recording time once, not once a row
        return last[1]
    if moment.tzinfo is None:
        raise TypeError("naive datetime: pass an aware datetime")
    text = moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    _last_utc = (moment, text)
    return text


_last_utc: tuple[object, str] = (object(), "")  # the last time utc_text formatted, its text


def local_date(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def _beijing(moment: datetime) -> datetime:
    if moment.tzinfo is None:  # never the machine's own zone by accident
        raise TypeError("naive datetime: pass an aware datetime")
    return moment.astimezone(LOCAL_TZ)


def beijing_text(moment: datetime) -> str:
    """An aware time as a clerk reads it, in Beijing time to the second:
    '2025年3月1日 12:00:00（北京时间）' (the documents, the verify page, the exports)."""
    local = _beijing(moment)
    return (f"{local.year}年{local.month}月{local.day}日 "
            f"{local.hour:02d}:{local.minute:02d}:{local.second:02d}（北京时间）")


def beijing_minute(moment: datetime) -> str:
    """An aware time in Beijing time to the minute, as the pages, the lists' exports and the
    messages show it: '2025-03-01 12:00'."""
    return _beijing(moment).strftime("%Y-%m-%d %H:%M")


def beijing_stamp(moment: datetime) -> str:
    """An aware time in Beijing time, for a file name: '2025年3月1日12时00分00秒'."""
    local = _beijing(moment)
    return (f"{local.year}年{local.month}月{local.day}日"
            f"{local.hour:02d}时{local.minute:02d}分{local.second:02d}秒")


def is_period(value: object) -> bool:
    return isinstance(value, str) and _PERIOD.fullmatch(value) is not None


def parse_period(value: object, field: str = "period") -> str:
    if not is_period(value) or not YEAR_MIN <= int(value[:4]) <= YEAR_MAX:
        raise Invalid("period.shape", field=field, min=YEAR_MIN, max=YEAR_MAX)
    return value


def parse_year(value: object, field: str = "year") -> int:
    if type(value) is not int or not YEAR_MIN <= value <= YEAR_MAX:
        raise Invalid("year.range", field=field, min=YEAR_MIN, max=YEAR_MAX)
    return value


def parse_date(value: object, field: str) -> date:
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            pass
    if isinstance(value, date) and not isinstance(value, datetime):
        if not DATE_MIN <= value <= DATE_MAX:  # 0001-01-01 and 9999-12-31 are dates too
            raise Invalid("date.range", field=field, min=DATE_MIN.isoformat(),
                          max=DATE_MAX.isoformat())
        return value
    raise Invalid("date.shape", field=field)


def year_of(period: str) -> int:
    return int(period[:4])


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def year_prefix(year: int) -> str:
    """'2025-': every period of the year starts with it."""
    return f"{year:04d}-"
