"""Field types shared by every schema: amounts and shares as exact decimal strings, UTC times."""

from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import ValidationError, fields

from ledger.domain.errors import Invalid
from ledger.domain.money import format_amount, format_share, parse_amount, parse_share

# Up to 10^12 万元 inclusive (1000000000000.00 is valid and is returned as such).
AMOUNT_PATTERN = r"^((0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?|1000000000000(\.0{1,2})?)$"
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
        return None if value is None else utc(value)


def utc(value: datetime) -> str:
    # isoformat, not strftime("%Y"): strftime does not zero-pad years before 1000 ("95-04-09…").
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


class AsOf(fields.AwareDateTime):
    """An ISO 8601 instant (naive = UTC) that exists in UTC: 0001-01-01T00:00+08:00 does not,
    and would overflow later (500)."""

    def __init__(self, **kwargs):
        super().__init__(default_timezone=UTC, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(UTC)
        except OverflowError as err:
            raise ValidationError("is outside the range of UTC times") from err
