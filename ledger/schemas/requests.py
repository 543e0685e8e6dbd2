"""What the API accepts. Types and shapes only: every business rule is the services' business.
Unknown fields are refused (marshmallow's default RAISE)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ledger.models.enums import PROJECT_STAGES, REGION_LEVELS, USER_ROLES, ZONE_KINDS, ZONE_LEVELS
from ledger.schemas.fields import Amount, AsOf, Share

Int = lambda **kw: fields.Integer(strict=True, **kw)  # noqa: E731  ("5" and 5.0 are not ints)
Year = lambda **kw: Int(validate=validate.Range(1990, 2100), **kw)  # noqa: E731
# Query strings are text: their integers are parsed, not type-checked.
QInt = lambda **kw: fields.Integer(**kw)  # noqa: E731
# Ids and sequence numbers stay within their columns' integer range (INTEGER ids,
# BIGINT posting seq): a larger number would overflow the driver or the database (500).
MAX_ID, MAX_SEQ = 2**31 - 1, 2**63 - 1
QId = lambda **kw: QInt(validate=validate.Range(1, MAX_ID), **kw)  # noqa: E731
Id = lambda **kw: Int(validate=validate.Range(1, MAX_ID), **kw)  # noqa: E731  (the same in JSON)
QYear = lambda **kw: QInt(validate=validate.Range(1990, 2100), **kw)  # noqa: E731
Code = lambda **kw: fields.String(validate=validate.Length(1, 16), **kw)  # noqa: E731


class Bool(fields.Boolean):
    """JSON true or false only: marshmallow's Boolean would also take "yes", "on", 1 …"""

    def _deserialize(self, value, attr, data, **kwargs):
        if type(value) is not bool:
            raise self.make_error("invalid", input=value)
        return value


class Changes(Schema):
    """A PATCH (or amendment) body: at least one field, else there is nothing to change."""

    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError("no fields given")


def _text(max_len: int, **kw):
    return fields.String(validate=validate.Length(1, max_len), **kw)


class TokenRequest(Schema):
    username = _text(50, required=True)
    password = _text(200, required=True)


class UserCreate(Schema):
    username = _text(50, required=True)
    password = fields.String(required=True, load_only=True, validate=validate.Length(8, 200))
    role = fields.String(required=True, validate=validate.OneOf(USER_ROLES))
    region_code = Code(allow_none=True)
    active = Bool(load_default=True)


class UserPatch(Changes):
    password = fields.String(load_only=True, validate=validate.Length(8, 200))
    role = fields.String(validate=validate.OneOf(USER_ROLES))
    region_code = Code(allow_none=True)
    active = Bool()


class RegionCreate(Schema):
    code = Code(required=True)
    name = _text(100, required=True)
    level = fields.String(required=True, validate=validate.OneOf(REGION_LEVELS))
    parent_code = Code(allow_none=True)


IndustryList = lambda **kw: fields.List(fields.String(validate=validate.Length(1, 5)), **kw)  # noqa: E731


class ZoneCreate(Schema):
    name = _text(100, required=True)
    level = fields.String(required=True, validate=validate.OneOf(ZONE_LEVELS))
    kind = fields.String(required=True, validate=validate.OneOf(ZONE_KINDS))
    region_code = Code(required=True)
    blocks = fields.List(_text(100), validate=validate.Length(max=3))
    leading_industries = IndustryList()
    restricted_industries = IndustryList()


class ZonePatch(Changes):
    name = _text(100)
    level = fields.String(validate=validate.OneOf(ZONE_LEVELS))
    kind = fields.String(validate=validate.OneOf(ZONE_KINDS))
    region_code = Code()
    blocks = fields.List(_text(100), validate=validate.Length(max=3))
    leading_industries = IndustryList()
    restricted_industries = IndustryList()


class ProjectFields(Schema):
    name = _text(200)
    investor_name = _text(200)
    investor_credit_code = fields.String(allow_none=True, validate=validate.Length(max=18))
    investor_foreign = Bool()
    industry_code = fields.String(validate=validate.Length(1, 5))
    project_code = fields.String(allow_none=True, validate=validate.Length(max=24))
    planned_investment = Amount()
    zone_id = Id()


class ProjectCreate(ProjectFields):
    name = _text(200, required=True)
    investor_name = _text(200, required=True)
    industry_code = fields.String(required=True, validate=validate.Length(1, 5))
    planned_investment = Amount(required=True)
    zone_id = Id(required=True)
    signed_on = fields.Date()


class ProjectPatch(ProjectFields, Changes):
    stage = fields.String(validate=validate.OneOf(PROJECT_STAGES))
    stage_on = fields.Date(metadata={"description": "the date of the new stage (required with stage)"})


class InvestmentPut(Schema):
    amount = Amount(required=True)
    note = fields.String(validate=validate.Length(max=500), load_default="")


class SignatoriesRequest(Schema):
    recommender = _text(50, required=True)
    receiver = _text(50, required=True)


class AgreementTerms(Changes):
    recommender_share = Share()
    first_year = Year()
    last_year = Year(allow_none=True)
    signed_on = fields.Date()
    signatories = fields.Nested(SignatoriesRequest)
    reason = _text(2000)


class AgreementCreate(AgreementTerms):
    project_id = Id(required=True)
    recommender_code = Code(required=True)
    receiver_code = Code()
    recommender_share = Share(required=True)
    first_year = Year(required=True)
    signed_on = fields.Date(required=True)
    signatories = fields.Nested(SignatoriesRequest, required=True)
    reason = _text(2000, required=True)


class ReasonRequest(Schema):
    reason = _text(2000, required=True)


class ProjectQuery(Schema):
    region = Code()
    zone = QId()
    stage = fields.String(validate=validate.OneOf(PROJECT_STAGES))
    q = fields.String(validate=validate.Length(max=100))


class YearQuery(Schema):
    year = QYear()


class IndustryQuery(Schema):
    q = fields.String(validate=validate.Length(max=50))


class ZoneMatchQuery(Schema):
    industry = fields.String(required=True, validate=validate.Length(1, 5))


class AttributionQuery(Schema):
    year = QYear(required=True)
    as_of = AsOf(metadata={"description": "ISO 8601; totals as recorded at this time"})
    region = Code()
    format = fields.String(load_default="json", validate=validate.OneOf(["json"]))


class ProjectLinesQuery(Schema):
    year = QYear(required=True)
    as_of = AsOf()
    format = fields.String(load_default="json", validate=validate.OneOf(["json"]))


class PostingQuery(Schema):
    project = QId()
    region = Code()
    year = QYear()
    after_seq = QInt(validate=validate.Range(0, MAX_SEQ))


class AuditQuery(Schema):
    entity = fields.String(validate=validate.Length(max=30))
    actor = fields.String(validate=validate.Length(max=50))
