"""Field types shared by every schema: amounts and shares as exact decimal strings, UTC times."""

from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import ValidationError, fields

from ledger.domain.errors import Invalid
from ledger.domain.money import format_amount, format_share, parse_amount, parse_share

AMOUNT_PATTERN = r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?$"
SHARE_PATTERN = r"^(100(\.0{1,2})?|[1-9]?[0-9](\.[0-9]{1,2})?)$"


class _Exact(fields.Field):
    """A decimal string in, validated by the domain parser (never rounded); the same string
    goes on to the service. Out: the stored integer formatted with exactly two decimals."""

    parse = staticmethod(parse_amount)
    fmt = staticmethod(format_amount)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else self.fmt(value)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            self.parse(value)
        except Invalid as err:
            raise ValidationError(err.message) from err
        return value


class Amount(_Exact):
    """万元 with at most two decimals, e.g. "1234.56"."""

    def __init__(self, **kwargs):
        meta = {"type": "string", "pattern": AMOUNT_PATTERN, "example": "1234.56",
                "description": "万元, a decimal string with at most two decimals"}
        super().__init__(metadata=meta | kwargs.pop("metadata", {}), **kwargs)


class SignedAmount(Amount):
    """A posting amount: may be negative (corrections)."""

    parse = staticmethod(lambda v: parse_amount(v, allow_negative=True))

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


class UTCDateTime(fields.DateTime):
    """ISO 8601 in UTC with a Z, to the microsecond."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
