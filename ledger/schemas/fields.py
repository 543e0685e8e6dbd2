"""The field types of every schema. Each refuses with a coded Problem (ledger.domain.errors), so
the API's `message` is English and the web UI can translate the same code; the validators stay
marshmallow's own classes so the OpenAPI document still shows lengths, ranges and choices.

Amounts and shares come in as exact decimal strings and leave as integers (0.01万元, basis
points): they are parsed once, here, by the domain's parser, never rounded."""

from __future__ import annotations

import re
from datetime import UTC
from enum import StrEnum
from typing import Any

from marshmallow import ValidationError, fields, validate

from ledger import fonts
from ledger.domain import codes, limits, periods, text
from ledger.domain.enums import values
from ledger.domain.errors import Invalid, Problem
from ledger.domain.money import format_amount, format_share, parse_amount, parse_share

# Up to 10^12 万元 inclusive (1000000000000.00 is valid and is returned as such).
AMOUNT_PATTERN = r"^((0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?|1000000000000(\.0{1,2})?)$"
SHARE_PATTERN = r"^(100(\.0{1,2})?|[1-9]?[0-9](\.[0-9]{1,2})?)$"

# marshmallow's error keys → our codes
_KEY_CODES = {"required": "field.required", "null": "field.null", "invalid": "field.invalid",
              "type": "field.invalid", "validator_failed": "field.invalid"}


def refuse(code: str, **params: Any) -> ValidationError:
    return ValidationError(Problem(code, **params))


def _domain(check, *args, **kwargs):
    """Run a domain parser; its Invalid becomes this field's ValidationError."""
    try:
        return check(*args, **kwargs)
    except Invalid as err:
        raise ValidationError(err.message) from err


# ------------------------------------------------------------------ validators (documented)

class Length(validate.Length):
    def __init__(self, min: int | None = None, max: int | None = None, *, what: str = "text"):
        super().__init__(min=min, max=max)
        self.what = what

    def __call__(self, value):
        if self.min is not None and len(value) < self.min:
            raise refuse(f"{self.what}.too_short", min=self.min)
        if self.max is not None and len(value) > self.max:
            raise refuse(f"{self.what}.too_long", max=self.max)
        return value


class Range(validate.Range):
    def __call__(self, value):
        if not self.min <= value <= self.max:
            raise refuse("field.range", min=self.min, max=self.max)
        return value


class Pattern:
    def __init__(self, regex: str, code: str):
        self._pattern, self.code = re.compile(regex), code

    def __call__(self, value):
        if self._pattern.fullmatch(value) is None:
            raise refuse(self.code)
        return value


class OneOf(validate.OneOf):
    def __call__(self, value):
        if value not in self.choices:
            raise refuse("field.one_of", choices=", ".join(self.choices))
        return value


# ------------------------------------------------------------------ fields

def _cap(value: str, max_len: int) -> None:
    """The length check that runs before anything else reads a text: whatever
    parses it afterwards, with a pattern or a parser, reads at most `max_len` characters."""
    if len(value) > max_len:
        raise refuse("text.too_long", max=max_len)


class Coded:
    """Mixin: marshmallow's own refusals (required, null, wrong type) as coded Problems."""

    def make_error(self, key: str, **kwargs) -> ValidationError:
        params = {k: v for k, v in kwargs.items() if k != "input"}  # never echo the input back
        return refuse(_KEY_CODES.get(key, f"field.{key}"), **params)


class Text(Coded, fields.String):
    """A string, stripped of surrounding whitespace; blank is refused unless `blank=True`;
    the length limit counts the stripped text.

    Every text the ledger keeps is held to what its documents can print (ledger.domain.text,
    the fonts' coverage from ledger.fonts): no control, bidirectional, private-use or
    unassigned character, nothing the fonts lack. `lines=True`: a multi-line text (a reason, a
    note), which keeps line feeds (CR LF and CR become LF). `printed=False` only for what is
    never kept or printed (passwords, the login's username, search filters): a filter may look
    for a character that came in before the rule."""

    def __init__(self, max_len: int, *, min_len: int | None = None, blank: bool = False,
                 strip: bool = True, pattern: Pattern | None = None, lines: bool = False,
                 printed: bool = True, **kwargs):
        self.blank, self.strip, self.max_len = blank, strip, max_len
        self.lines, self.printed = lines, printed
        if min_len is None and not blank:
            min_len = 1  # documents that blank is refused; the blank check runs first
        checks = [Length(min_len, max_len)] + ([pattern] if pattern else [])
        super().__init__(validate=checks, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        if not isinstance(value, str):
            raise refuse("field.not_a_string")
        _cap(value, self.max_len + (limits.SURROUNDING_SPACE if self.strip else 0))
        if self.lines:
            value = text.normalize_lines(value)
        if self.strip:
            value = value.strip()
        if not value and not self.blank:
            raise refuse("text.blank")
        if self.printed:
            problem = text.refused(value, fonts.coverage(), lines=self.lines)
            if problem is not None:
                raise ValidationError(problem)
        return value


class Choice(Coded, fields.String):
    """One value of a StrEnum or of a tuple of strings (documented as an enum)."""

    def __init__(self, choices: type[StrEnum] | tuple[str, ...], **kwargs):
        listed = choices if isinstance(choices, tuple) else values(choices)
        self.max_len = max(map(len, listed))
        super().__init__(validate=OneOf(listed), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        if not isinstance(value, str):
            raise refuse("field.not_a_string")
        if len(value) > self.max_len:  # cannot be one of them; not echoed, not compared
            raise refuse("field.one_of", choices=", ".join(self.validators[0].choices))
        return value


class Worded(Choice):
    """A Choice that also takes each value's Chinese word (资金来源: 境外 → foreign), as a
    clerk types it in a spreadsheet or picks it in a form; loads the code."""

    def __init__(self, choices: type[StrEnum], words: dict[str, str], **kwargs):
        self.words = words
        super().__init__(choices, **kwargs)
        self.max_len = max(self.max_len, *map(len, words))

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        value = super()._deserialize(value, attr, data, **kwargs)
        return self.words.get(value.strip(), value.strip())


class Int(Coded, fields.Integer):
    """A JSON integer ("5" and 5.0 are not); in a query string, digits."""

    def __init__(self, min: int, max: int, *, query: bool = False, **kwargs):
        super().__init__(strict=not query, validate=Range(min, max), **kwargs)
        self.query = query

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        if self.query:
            if isinstance(value, str) and value.isascii() and value.lstrip("-").isdigit() \
                    and len(value) <= 20:
                return int(value)
        elif type(value) is int:
            return value
        raise refuse("field.not_an_integer")


def Id(**kwargs) -> Int:
    return Int(1, limits.MAX_ID, **kwargs)


def Year(**kwargs) -> Int:
    return Int(limits.YEAR_MIN, limits.YEAR_MAX, **kwargs)


class Bool(Coded, fields.Boolean):
    """JSON true or false only: marshmallow's Boolean would also take "yes", "on", 1 …"""

    def _deserialize(self, value, attr, data, **kwargs) -> bool:
        if type(value) is not bool:
            raise refuse("field.not_a_boolean")
        return value


class Date(Coded, fields.Date):
    def _deserialize(self, value, attr, data, **kwargs):
        return _domain(periods.parse_date, value, attr)


class List(Coded, fields.List):
    """Refusals of its items are reported on the list itself, not per index."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except ValidationError as err:
            if isinstance(err.messages, dict):
                raise ValidationError(_messages(err.messages)) from err
            raise


def _messages(found) -> list:
    """The refusals in an error tree (by index, then by field for a nested item), in order."""
    if isinstance(found, dict):
        return [m for value in found.values() for m in _messages(value)]
    return list(found) if isinstance(found, list) else [found]


class Nested(Coded, fields.Nested):
    pass


class Dict(Coded, fields.Dict):
    pass


class RegionCode(Text):
    """A region code as text; whether the region exists is the command's business."""

    def __init__(self, **kwargs):
        super().__init__(limits.REGION_CODE, **kwargs)


class IndustryCode(Coded, fields.String):
    """A GB/T 4754-2017 code of the shipped table: C, C26, C261, C2614."""

    def __init__(self, **kwargs):
        super().__init__(validate=Length(1, limits.INDUSTRY_CODE), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        if isinstance(value, str):
            _cap(value, limits.INDUSTRY_CODE)
        return _domain(codes.validate_industry, value, attr)


class OptionalCode(Coded, fields.String):
    """A credit or project code: null or "" for none, else validated by `check`."""

    def __init__(self, check, max_len: int, **kwargs):
        self.check, self.max_len = check, max_len
        super().__init__(allow_none=True, validate=Length(max=max_len), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str | None:
        if isinstance(value, str):
            _cap(value, self.max_len)
        return None if value == "" else _domain(self.check, value, attr)

    def _validate(self, value) -> None:
        if value is not None:  # "" means none
            super()._validate(value)


def CreditCode(**kwargs) -> OptionalCode:
    return OptionalCode(codes.validate_credit_code, limits.CREDIT_CODE, **kwargs)


def ProjectCode(**kwargs) -> OptionalCode:
    return OptionalCode(codes.validate_project_code, limits.PROJECT_CODE, **kwargs)


class _Exact(Coded, fields.Field):
    """A decimal string in, parsed by the domain (never rounded) into an integer; out: that
    integer formatted with exactly two decimals."""

    parse = staticmethod(parse_amount)
    fmt = staticmethod(format_amount)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else self.fmt(value)

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        return _domain(self.parse, value, field=attr)

    def make_error(self, key: str, **kwargs) -> ValidationError:
        if key == "null":  # null is not a decimal string either: say so as the parser does
            try:
                self.parse(None, field=self.name)
            except Invalid as err:
                return ValidationError(err.message)
        return super().make_error(key, **kwargs)


class Amount(_Exact):
    """万元 with at most two decimals, e.g. "1234.56"."""

    def __init__(self, **kwargs):
        meta = {"type": "string", "pattern": AMOUNT_PATTERN, "example": "1234.56",
                "description": "万元, a decimal string with at most two decimals"}
        super().__init__(metadata=meta | kwargs.pop("metadata", {}), **kwargs)


class SignedAmount(Amount):
    """A posting amount: may be negative (corrections)."""

    parse = staticmethod(lambda v, field: parse_amount(v, field=field, allow_negative=True))

    def __init__(self, **kwargs):
        super().__init__(metadata={"pattern": r"^-?[0-9]+\.[0-9]{2}$", "example": "-3.01"}, **kwargs)


class Share(_Exact):
    """The recommender's share in percent, 0 < share ≤ 100, at most two decimals."""

    parse = staticmethod(parse_share)
    fmt = staticmethod(format_share)

    def __init__(self, **kwargs):
        meta = {"type": "string", "pattern": SHARE_PATTERN, "example": "30",
                "description": "percent, at most two decimals, 0 < share ≤ 100"}
        super().__init__(metadata=meta | kwargs.pop("metadata", {}), **kwargs)


class Period(Coded, fields.String):
    def _deserialize(self, value, attr, data, **kwargs) -> str:
        # parse_period matches a fixed-length pattern: it reads at most 8 characters of any text
        return _domain(periods.parse_period, value, attr)


class UTCDateTime(fields.DateTime):
    """ISO 8601 in UTC with a Z, to the microsecond."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else periods.utc_text(value)


class AsOf(Coded, fields.AwareDateTime):
    """An ISO 8601 instant (naive = UTC) that exists in UTC: 0001-01-01T00:00+08:00 does not,
    and would overflow later (500)."""

    def __init__(self, **kwargs):
        super().__init__(default_timezone=UTC, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(UTC)
        except OverflowError as err:
            raise refuse("as_of.out_of_range") from err
