"""What the API returns. Amounts as strings with two decimals, times as UTC ISO 8601 with Z."""

from __future__ import annotations

from marshmallow import Schema, fields, missing, post_dump

from ledger.domain.codes import industry_name
from ledger.domain.enums import (
    EvidenceKind, FundsSource, Indicator, IndustryLevel, PostingRole, RegionLevel, Role, Side, Stage, VersionStatus, YearStatus,
    ZoneKind, ZoneLevel, values,
)
from ledger.domain.money import format_share
from ledger.schemas.fields import Amount, Share, SignedAmount, UTCDateTime


def _enum(enum, **kw):
    return fields.String(metadata={"enum": list(values(enum))}, **kw)


class UserSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    role = _enum(Role)
    region_code = fields.String(allow_none=True)
    active = fields.Boolean()
    email = fields.String(allow_none=True)
    created_at = UTCDateTime()


class TokenSchema(Schema):
    access_token = fields.String()
    token_type = fields.String(metadata={"enum": ["bearer"]})
    expires_in = fields.Integer(metadata={"description": "seconds"})


class RegionSchema(Schema):
    code = fields.String()
    name = fields.String()
    level = _enum(RegionLevel)
    parent_code = fields.String(allow_none=True)


class ZoneSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    level = _enum(ZoneLevel)
    kind = _enum(ZoneKind)
    region_code = fields.String()
    blocks = fields.List(fields.String())
    leading_industries = fields.List(fields.String())
    restricted_industries = fields.List(fields.String())


class ZoneMatchSchema(ZoneSchema):
    match_length = fields.Integer(metadata={"description": "length of the leading-industry code that covers the query (longer = closer)"})


class IndustrySchema(Schema):
    code = fields.String()
    name = fields.String()
    level = _enum(IndustryLevel)
    section = fields.String()


class ProjectSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    investor_name = fields.String()
    investor_credit_code = fields.String(allow_none=True)
    investor_foreign = fields.Boolean()
    industry_code = fields.String()
    industry_name = fields.Function(lambda p: industry_name(p.industry_code))
    project_code = fields.String(allow_none=True)
    planned_investment = Amount()
    zone_id = fields.Integer()
    host_code = fields.String()
    stage = _enum(Stage)
    signed_on = fields.Date(allow_none=True)
    started_on = fields.Date(allow_none=True)
    operating_on = fields.Date(allow_none=True)
    cancelled_on = fields.Date(allow_none=True)


class SignatoriesSchema(Schema):
    recommender = fields.String(attribute="recommender_signatory")
    receiver = fields.String(attribute="receiver_signatory")


def line_shares(version) -> list[dict]:
    """Each accounting line with the recommender's share of it."""
    return [{"indicator": line.value, "recommender_share": format_share(version.share_of(line))}
            for line in Indicator]


class VersionSchema(Schema):
    version = fields.Integer()
    status = _enum(VersionStatus)
    recommender_share = Share(metadata={"description": "of completed investment"})
    terms = fields.Function(line_shares, metadata={
        "description": "the recommender's share of each accounting line"})
    first_year = fields.Integer()
    last_year = fields.Integer(attribute="effective_last_year", allow_none=True,
                               metadata={"description": "inclusive; a superseded version ends the year before its successor starts"})
    agreed_last_year = fields.Integer(attribute="last_year", allow_none=True)
    signed_on = fields.Date()
    signatories = fields.Function(lambda v: SignatoriesSchema().dump(v))
    reason = fields.String()
    proposed_by = _enum(Side)
    confirmed_at = UTCDateTime(allow_none=True)
    submitted_at = UTCDateTime(allow_none=True)
    acknowledged_by = fields.List(fields.String())
    return_reason = fields.String(allow_none=True)
    filing_number = fields.String(allow_none=True)
    filed_on = fields.Date(allow_none=True)


class EventSchema(Schema):
    version = fields.Integer()
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    actor_role = fields.String()
    actor_region = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    at = UTCDateTime()


# The top-level fields mirror the newest version.
MIRRORED = ("version", "status", "recommender_share", "terms", "first_year", "last_year", "signed_on",
            "signatories", "reason", "proposed_by", "acknowledged_by", "return_reason",
            "filing_number", "filed_on")


class AgreementSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    project_id = fields.Integer()
    recommender_code = fields.String()
    receiver_code = fields.String()
    version = fields.Integer()
    status = _enum(VersionStatus)
    recommender_share = fields.String()
    terms = fields.List(fields.Dict())
    first_year = fields.Integer()
    last_year = fields.Integer(allow_none=True)
    signed_on = fields.Date()
    signatories = fields.Dict()
    reason = fields.String()
    proposed_by = fields.String()
    acknowledged_by = fields.List(fields.String())
    return_reason = fields.String(allow_none=True)
    filing_number = fields.String(allow_none=True)
    filed_on = fields.Date(allow_none=True)
    versions = fields.List(fields.Nested(VersionSchema))
    events = fields.List(fields.Nested(EventSchema))

    @post_dump(pass_original=True)
    def _mirror_newest(self, data, original, **kwargs):
        """Flatten the newest version onto the agreement (also for many=True lists)."""
        newest = VersionSchema().dump(original.newest)
        data.update({k: newest[k] for k in MIRRORED})
        return data


class ByAttribute(Schema):
    """A schema whose dump reads an object's values by attribute (a report's rows as
    attributes, ORM objects) straight with getattr — what marshmallow's accessor does for an
    object without __getitem__, through four calls a field: a third of a report's answer. Each
    value then goes through its field's own formatting; the output is marshmallow's. Anything
    else (a mapping, a field read by a dotted or computed name) is dumped by marshmallow."""

    def _serialize(self, obj, *, many=False):
        if many and obj is not None:
            return [self._serialize(d) for d in obj]
        plan = self.__dict__.get("_by_attribute")
        if plan is None:
            plan = self._by_attribute = [
                (f.data_key if f.data_key is not None else name,
                 name if f.attribute is None else f.attribute, name, f)
                for name, f in self.dump_fields.items()] if all(
                f._CHECK_ATTRIBUTE and type(f).get_value is fields.Field.get_value
                and type(f).serialize is fields.Field.serialize
                and "." not in (f.attribute or name)
                for name, f in self.dump_fields.items()) else False
        if plan is False or hasattr(obj, "__getitem__"):
            return super()._serialize(obj)
        out = self.dict_class()
        for key, attribute, name, field in plan:
            value = getattr(obj, attribute, missing)
            if value is missing:
                default = field.dump_default
                value = default() if callable(default) else default
                if value is missing:
                    continue
            out[key] = field._serialize(value, name, obj)
        return out


class ReportSchema(ByAttribute):
    id = fields.Integer()
    project_id = fields.Integer()
    period = fields.String()
    revision = fields.Integer()
    amount = Amount()
    note = fields.String()
    reported_at = UTCDateTime()


class EvidenceSchema(Schema):
    id = fields.Integer()
    kind = _enum(EvidenceKind)
    filename = fields.String()
    media_type = fields.String()
    size = fields.Integer(metadata={"description": "bytes"})
    sha256 = fields.String()
    uploaded_at = UTCDateTime()


class FundsRevisionSchema(Schema):
    """A receipt as one revision has it."""

    revision = fields.Integer()
    received_on = fields.Date()
    amount = Amount()
    source = _enum(FundsSource)
    payer = fields.String()
    note = fields.String()
    voided = fields.Boolean()
    reason = fields.String(allow_none=True)
    recorded_at = UTCDateTime()


class FundsReceiptSchema(FundsRevisionSchema):
    """A receipt as it stands: its newest revision, with its evidence."""

    class Meta:
        exclude = ("reason",)

    id = fields.Integer()
    project_id = fields.Integer()
    revision = fields.Integer(metadata={"description": "the receipt's ETag"})
    evidence = fields.List(fields.Nested(EvidenceSchema))
    evidence_missing = fields.Boolean(metadata={
        "description": "待补充凭证: a receipt that counts has no evidence file yet"})


class FundsDetailSchema(FundsReceiptSchema):
    revisions = fields.List(fields.Nested(FundsRevisionSchema))


class PostingSchema(ByAttribute):
    seq = fields.Integer()
    project_id = fields.Integer()
    indicator = _enum(Indicator)
    agreement_id = fields.Integer(allow_none=True)
    version = fields.Integer(allow_none=True)
    region_code = fields.String()
    role = _enum(PostingRole)
    period = fields.String()
    amount = SignedAmount()
    cause = fields.String()
    recorded_at = UTCDateTime()
    hash_version = fields.Integer()
    prev_hash = fields.String()
    hash = fields.String()


class FundsResultSchema(FundsDetailSchema):
    postings = fields.List(fields.Nested(lambda: PostingSchema()))


class ReportResultSchema(ByAttribute):
    report = fields.Nested(ReportSchema)
    postings = fields.List(fields.Nested(PostingSchema))
    created = fields.Boolean(metadata={"description": "false when the amount equalled the newest revision (nothing written)"})


class YearSchema(Schema):
    year = fields.Integer()
    status = _enum(YearStatus)
    changed_at = UTCDateTime(allow_none=True)


class PendingVersionSchema(Schema):
    agreement_id = fields.Integer()
    number = fields.String()
    version = fields.Integer()
    status = _enum(VersionStatus)
    project_id = fields.Integer()
    project_name = fields.String()
    recommender_code = fields.String()
    receiver_code = fields.String()
    first_year = fields.Integer()
    last_year = fields.Integer(allow_none=True)


class UnreportedProjectSchema(Schema):
    project_id = fields.Integer()
    project_name = fields.String()
    host_code = fields.String()
    months = fields.List(fields.String(), metadata={"description": "YYYY-MM, in order"})


class MissingEvidenceSchema(Schema):
    receipt_id = fields.Integer()
    revision = fields.Integer()
    project_id = fields.Integer()
    project_name = fields.String()
    host_code = fields.String()
    received_on = fields.String(metadata={"description": "YYYY-MM-DD"})
    amount = fields.String(metadata={"description": "万元, two decimals"})


class ChecklistSchema(Schema):
    year = fields.Integer()
    through = fields.String(allow_none=True, metadata={
        "description": "the last month counted (YYYY-MM): December of a past year, the current "
                       "month of this year; null for a year not yet begun"})
    agreements = fields.List(fields.Nested(PendingVersionSchema), metadata={
        "description": "agreement versions covering the year that are not filed"})
    unreported = fields.List(fields.Nested(UnreportedProjectSchema), metadata={
        "description": "landed projects with months of the year not reported"})
    missing_evidence = fields.List(fields.Nested(MissingEvidenceSchema), metadata={
        "description": "receipts of funds in place received in the year, not voided, without "
                       "an evidence file (待补充凭证)"})
    open_items = fields.Integer()
    digest = fields.String(metadata={
        "description": "SHA-256 (hex) of the canonical JSON of year, through, agreements, "
                       "unreported and missing_evidence: a close with open items sends it as "
                       "`checklist_digest`"})


class AuditSchema(Schema):
    id = fields.Integer()
    at = UTCDateTime()
    actor_username = fields.String()
    actor_role = fields.String()
    action = fields.String()
    entity = fields.String()
    entity_id = fields.String()
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


class SourcesSchema(Schema):
    """Funds in place by source; the two add up to in_place."""

    domestic = SignedAmount()  # 境内区外资金
    foreign = SignedAmount()   # 境外资金


class FiguresSchema(Schema):
    in_place = SignedAmount()
    ceded = SignedAmount()
    credited = SignedAmount()
    attributed = SignedAmount()
    sources = fields.Nested(SourcesSchema, metadata={
        "description": "funds_in_place only: in_place by source, from the receipts not void as "
                       "their revisions stood at as_of"})


class RegionFiguresSchema(FiguresSchema):
    code = fields.String()
    name = fields.String()
    level = fields.String()
    parent_code = fields.String(allow_none=True)
    rolled_up = fields.Boolean(metadata={"description": "true when the row includes the regions below it"})


class ReconciliationSchema(Schema):
    in_place = SignedAmount()
    attributed = SignedAmount()
    difference = SignedAmount()


class AttributionSchema(Schema):
    year = fields.Integer()
    indicator = _enum(Indicator)
    as_of = UTCDateTime()
    note = fields.String()
    regions = fields.List(fields.Nested(RegionFiguresSchema))
    totals = fields.Nested(FiguresSchema)
    reconciliation = fields.Nested(ReconciliationSchema)


class ProjectLineSchema(Schema):
    project_id = fields.Integer()
    project_name = fields.String()
    host_code = fields.String()
    recommender_code = fields.String(allow_none=True)
    agreement_number = fields.String(allow_none=True)
    version = fields.Integer(allow_none=True)
    recommender_share = Share(allow_none=True)
    amount = SignedAmount()
    recommender_part = SignedAmount()
    host_part = SignedAmount()


class ProjectLinesSchema(Schema):
    year = fields.Integer()
    indicator = _enum(Indicator)
    as_of = UTCDateTime()
    note = fields.String()
    projects = fields.List(fields.Nested(ProjectLineSchema))


class JournalCheckSchema(Schema):
    entries = fields.Integer()
    head = fields.Dict(allow_none=True, metadata={"description": "{seq, hash} of the newest entry: "
                                                  "keep it elsewhere and pass it to `ledger verify "
                                                  "--expect-head`"})
    first_bad_entry = fields.Integer(allow_none=True, metadata={
        "description": "the first entry broken, or contradicted by the tables or postings"})


class VerifySchema(Schema):
    ok = fields.Boolean()
    postings = fields.Integer()
    head = fields.Dict(allow_none=True, metadata={"description": "{seq, hash} of the newest posting"})
    first_bad_seq = fields.Integer(allow_none=True)
    journal = fields.Nested(JournalCheckSchema)
    checkpoints = fields.Integer(metadata={"description": "signed checkpoints checked"})
    problems = fields.List(fields.String())


class ImportSummarySchema(Schema):
    rows = fields.Integer(metadata={"description": "data rows in the file"})
    created = fields.Integer(metadata={"description": "months reported for the first time"})
    revised = fields.Integer(metadata={"description": "months given a new revision"})
    unchanged = fields.Integer(metadata={"description": "rows equal to the newest revision: "
                                                        "nothing written"})
    postings = fields.Integer(metadata={"description": "postings appended"})


class FundsImportSummarySchema(Schema):
    rows = fields.Integer(metadata={"description": "data rows in the file"})
    created = fields.Integer(metadata={"description": "receipts recorded (one per row)"})
    postings = fields.Integer(metadata={"description": "postings appended"})
