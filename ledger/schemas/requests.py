"""What the API (and the web forms) accept, loaded into the commands' typed input.

These schemas are the one place where a value's type, shape and size are checked; the limits
come from ledger.domain.limits. Rules that need the database (does the zone exist, may this
user act) are the commands' business. Unknown fields are refused (marshmallow's RAISE)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import partial

from marshmallow import Schema, ValidationError, fields, missing, post_load, validates_schema
from marshmallow.decorators import POST_LOAD, VALIDATES_SCHEMA

from ledger.commands.inputs import (
    AgreementInput, FundsChange, FundsRow, ProjectInput, RegionInput, ReportRow, StageChange, TermsInput, UserInput,
    ZoneInput,
)
from ledger.domain import codes, dates, limits
from ledger.domain.enums import (
    EvidenceKind, FundsSource, Indicator, ProjectSide, RegionLevel, Role, Stage, VersionStatus,
    ZoneKind, ZoneLevel,
)
from ledger.domain.vocabulary import EVIDENCE_KINDS, SOURCE_WORDS
from ledger.domain.errors import Invalid, Problem
from ledger.schemas.fields import (
    Amount, AsOf, Bool, Choice, CreditCode, Date, Id, IndustryCode, Int, Length, List, Nested,
    Pattern, Period, ProjectCode, RegionCode, Share, Text, Worded, Year, refuse,
)


class Request(Schema):
    """Refusals of the whole body, coded like the fields' own."""

    error_messages = {"unknown": Problem("field.unknown"), "type": Problem("input.not_an_object")}


class Changes(Request):
    """A PATCH (or amendment) body: at least one field, else there is nothing to change."""

    @validates_schema
    def _not_empty(self, data, **_):
        if not data:
            raise refuse("input.empty")


def load(schema: type[Schema], data: object, **kwargs):
    """Load `data` outside a request (command line, demo, tests): the typed input, or Invalid
    naming each bad field (nested errors are reported on their top-level field)."""
    try:
        return schema(**kwargs).load(data)
    except ValidationError as err:
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        raise Invalid("input.invalid", errors={k: _flatten(v) for k, v in messages.items()}) from err


def load_form(schema: type[Schema], data: dict) -> tuple[object | None, dict, dict[str, list]]:
    """Load a web form's body: (the typed input, or None when refused; the values the schema
    accepted, for the commands' own checks of them; every refusal by the path of its field,
    "signatories.receiver" for a nested one), so that a form shows each problem beside its own
    input in one submit. The API's `load` reports the same refusals on top-level fields."""
    try:
        return schema().load(data), {}, {}
    except ValidationError as err:
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        valid = err.valid_data if isinstance(err.valid_data, dict) else {}
        return None, valid, _paths(messages)


def _paths(messages: dict, prefix: str = "") -> dict[str, list]:
    found: dict[str, list] = {}
    for key, value in messages.items():
        if isinstance(value, dict):
            for path, problems in _paths(value, f"{prefix}{key}.").items():
                found.setdefault(path, []).extend(problems)
        else:
            found.setdefault(f"{prefix}{key}", []).extend(_flatten(value))
    return found


def _flatten(messages) -> list:
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flatten(value)]
    return list(messages)


class RowLoader:
    """`schema.load(row)` for the many rows of one file, with exactly its outcome row by row,
    at a fraction of the cost. Each field is a function of its own value (the fields above
    read nothing else), and a file repeats its values (the same periods, projects, notes), so
    each distinct value of a column is deserialized once by that column's field and kept. A row
    whose every value passes goes through the schema's own whole-row rules (validates_schema)
    and post_load; any other row — a value refused, a rule refusing, anything unexpected — is
    loaded by schema.load itself, so that its refusal is the schema's, message for message.
    A schema with hooks this does not run (pre_load, field validators, pass_original …: read
    from marshmallow's own record of them, `_hooks`) is loaded row by row by schema.load,
    nothing skipped."""

    def __init__(self, schema: Schema):
        self.schema = schema
        hooks = {tag: list(found) for tag, found in schema._hooks.items() if found}
        simple = all(not many and not options.get("pass_original")
                     for found in hooks.values() for _, many, options in found)
        self.fast = simple and set(hooks) <= {VALIDATES_SCHEMA, POST_LOAD} and all(
            f.data_key is None for f in schema.load_fields.values())
        # each field with what its values load as: value → loaded | _REFUSED, keyed by the
        # value itself for a str or an int (no two of them are equal), else by (type, value)
        # (1 and True are equal keys)
        self.fields = [(name, field, {}, _direct(field))
                       for name, field in schema.load_fields.items()]
        self.names = set(schema.load_fields)
        options = {"partial": schema.partial, "many": False, "unknown": schema.unknown}
        self.rules = [_called(getattr(schema, name), options)
                      for name, _, _ in hooks.get(VALIDATES_SCHEMA, ())]
        self.post = [_called(getattr(schema, name), options)
                     for name, _, _ in hooks.get(POST_LOAD, ())]

    def load(self, raw: dict):
        """The row as schema.load(raw) loads it; its ValidationError when refused."""
        if not self.fast or not raw.keys() <= self.names:
            return self.schema.load(raw)
        data = {}
        get = raw.get
        for name, field, values, direct in self.fields:
            value = get(name, missing)
            kind = type(value)
            key = value if kind is str or kind is int else (kind, value)
            loaded = values.get(key, _UNSEEN)
            if loaded is _UNSEEN:
                loaded = values[key] = _field_value(field, name, value, raw, direct)
            if loaded is _REFUSED:
                return self.schema.load(raw)
            if loaded is not missing:
                data[name] = loaded
        try:
            for rule in self.rules:
                rule(data)
        except ValidationError:
            return self.schema.load(raw)
        for post in self.post:
            data = post(data)
        return data


_REFUSED, _UNSEEN = object(), object()


def _called(hook: Callable, options: dict) -> Callable[[dict], object]:
    """A hook as schema.load calls it with a row's data: with marshmallow's keyword arguments
    (many, partial, unknown), unless it takes them as `**_`, unread, as ours do — a keyword
    dict made for every call was a third of a row's load."""
    *_, last = inspect.signature(hook).parameters.values()
    if last.kind is inspect.Parameter.VAR_KEYWORD and last.name == "_":
        return hook
    return partial(hook, **options)


def _field_value(field: fields.Field, name: str, value: object, raw: dict,
                 direct: bool) -> object:
    try:
        if direct and value is not missing and value is not None:
            # Field.deserialize of a value neither missing nor None, without the checks
            # and loops that have nothing to do for it (every row has a row number and an
            # amount of its own: half of their time). Its validators one by one: whether one
            # refuses is all that counts here (a refused row is loaded by schema.load, which
            # gathers their messages), and the first that does decides it.
            output = field._deserialize(value, name, raw)
            for validator in field.validators:
                validator(output)
            return output
        return field.deserialize(value, name, raw)
    except ValidationError:
        return _REFUSED


def _direct(field: fields.Field) -> bool:
    """Whether Field.deserialize of a value neither missing nor None is exactly
    _deserialize then its validators one by one for this field: neither method is overridden
    where a value is checked before them, nor _validate (OptionalCode's skips None), and no
    pre_load or post_load functions of the field."""
    return (type(field).deserialize is fields.Field.deserialize
            and type(field)._validate_missing is fields.Field._validate_missing
            and type(field)._validate is fields.Field._validate
            and not getattr(field, "pre_load", None) and not getattr(field, "post_load", None))


# ------------------------------------------------------------------ accounts

class TokenRequest(Request):
    username = Text(limits.USERNAME_MAX, required=True, printed=False)
    password = Text(limits.PASSWORD_MAX, required=True, strip=False, printed=False)


def Password(**kwargs) -> fields.String:
    return Text(limits.PASSWORD_MAX, min_len=limits.PASSWORD_MIN, strip=False, blank=True,
                printed=False, load_only=True, **kwargs)


def Email(**kwargs) -> fields.String:
    """An account's e-mail address (the messages are mailed to it); null clears it."""
    return Text(limits.EMAIL, allow_none=True, printed=False,
                pattern=Pattern(r"[^@\s]+@[^@\s]+\.[^@\s]+", "email.shape"), **kwargs)


class UserCreate(Request):
    username = Text(limits.USERNAME_MAX, strip=False, required=True, pattern=Pattern(
        rf"[A-Za-z0-9_.-]{{{limits.USERNAME_MIN},{limits.USERNAME_MAX}}}", "username.shape"))
    password = Password(required=True)
    role = Choice(Role, required=True)
    region_code = RegionCode(allow_none=True)
    active = Bool(load_default=True)
    email = Email()

    @post_load
    def _input(self, data, **_) -> UserInput:
        return UserInput(**data)


class UserPatch(Changes):
    password = Password()
    role = Choice(Role)
    region_code = RegionCode(allow_none=True)
    active = Bool()
    email = Email()

    @post_load
    def _input(self, data, **_) -> UserInput:
        return UserInput(**data)


class PasswordChange(Request):
    """A user's own new password: the present one, the new one under the same rule as an
    account's (Password), and the new one once more."""

    old_password = Text(limits.PASSWORD_MAX, required=True, strip=False, printed=False,
                        load_only=True)
    new_password = Password(required=True)
    new_password_repeat = Text(limits.PASSWORD_MAX, required=True, strip=False, blank=True,
                               printed=False, load_only=True)

    @validates_schema(skip_on_field_errors=False)  # shown with the other fields' problems
    def _repeated(self, data, **_):
        if "new_password" in data and data.get("new_password_repeat") != data["new_password"]:
            raise ValidationError({"new_password_repeat": [Problem("password.repeat")]})


class UserQuery(Request):
    """The administrators' list of accounts: by role, region, active or not, and a part of
    the username."""

    role = Choice(Role)
    region = RegionCode()
    active = Choice(("yes", "no"))
    q = Text(limits.USERNAME_MAX, printed=False)


# ------------------------------------------------------------------ reference data

class RegionCreate(Request):
    code = RegionCode(required=True)
    name = Text(limits.REGION_NAME, required=True)
    level = Choice(RegionLevel, required=True)
    parent_code = RegionCode(allow_none=True)

    @validates_schema
    def _structure(self, data, **_):
        try:
            codes.validate_region(data["code"], data["level"], data.get("parent_code"))
        except Invalid as err:
            raise ValidationError({f: list(m) for f, m in err.errors.items()}) from err

    @post_load
    def _input(self, data, **_) -> RegionInput:
        return RegionInput(**data | {"parent_code": data.get("parent_code") or None})


def IndustryList(**kwargs) -> List:
    return List(IndustryCode(), **kwargs)


class ZoneFields(Request):
    name = Text(limits.ZONE_NAME)
    level = Choice(ZoneLevel)
    kind = Choice(ZoneKind)
    region_code = RegionCode()
    blocks = List(Text(limits.BLOCK_NAME), validate=Length(max=limits.MAX_BLOCKS, what="blocks"))
    leading_industries = IndustryList()
    restricted_industries = IndustryList()

    @validates_schema
    def _distinct(self, data, **_):
        for name, code in (("blocks", "blocks.duplicate"), ("leading_industries", "industry.twice"),
                           ("restricted_industries", "industry.twice")):
            items = data.get(name) or []
            twice = sorted({x for x in items if items.count(x) > 1})
            if twice:
                raise ValidationError({name: [Problem(code, item=twice[0])]})

    @post_load
    def _input(self, data, **_) -> ZoneInput:
        return ZoneInput(**data)


class ZoneCreate(ZoneFields):
    name = Text(limits.ZONE_NAME, required=True)
    level = Choice(ZoneLevel, required=True)
    kind = Choice(ZoneKind, required=True)
    region_code = RegionCode(required=True)


class ZonePatch(ZoneFields, Changes):
    pass


# ------------------------------------------------------------------ projects

class ProjectFields(Request):
    name = Text(limits.PROJECT_NAME)
    investor_name = Text(limits.INVESTOR_NAME)
    investor_credit_code = CreditCode()
    investor_foreign = Bool()
    industry_code = IndustryCode()
    project_code = ProjectCode()
    planned_investment = Amount()
    zone_id = Id()


class ProjectCreate(ProjectFields):
    name = Text(limits.PROJECT_NAME, required=True)
    investor_name = Text(limits.INVESTOR_NAME, required=True)
    industry_code = IndustryCode(required=True)
    planned_investment = Amount(required=True)
    zone_id = Id(required=True)
    signed_on = Date()

    @post_load
    def _input(self, data, **_) -> ProjectInput:
        return ProjectInput(**data)


class ProjectPatch(ProjectFields, Changes):
    """A correction of the project's facts or dates (with a `reason`, required when a date
    changes), or a stage change (`stage` with `stage_on`, nothing else)."""

    signed_on = Date()
    started_on = Date(metadata={"description": "only of a project that has started construction"})
    operating_on = Date(metadata={"description": "only of a project in operation"})
    cancelled_on = Date(metadata={"description": "only of a cancelled project"})
    reason = Text(limits.REASON, metadata={"description": "why; required when a date changes"})
    stage = Choice(Stage)
    stage_on = Date(metadata={"description": "the date of the new stage (required with stage)"})

    @post_load
    def _input(self, data, **_) -> ProjectInput | StageChange:
        """A stage change is a request of its own: every write is one transaction."""
        if "stage" in data or "stage_on" in data:
            if set(data) != {"stage", "stage_on"}:
                raise ValidationError({"stage": [Problem("stage.alone")]})
            return StageChange(data["stage"], data["stage_on"])
        return ProjectInput(**data)


class InvestmentPut(Request):
    amount = Amount(required=True)
    note = Text(limits.NOTE, blank=True, lines=True, load_default="")


class ImportRowRequest(InvestmentPut):
    """One data row of an import file, its cells as text (ledger.io reads them exactly): the
    amount and note of PUT /projects/{id}/investments/{period}, the period as in its path, and
    the project by id or by project code. `row` is the row's number as the spreadsheet shows
    it (2 for the first row under a header on row 1), set by the reader, not by the file."""

    row = Int(1, limits.MAX_ID, required=True)
    project_id = Id(query=True)  # digits, as in a query string
    project_code = ProjectCode()
    period = Period(required=True)

    @validates_schema
    def _project(self, data, **_):
        if data.get("project_id") is None and data.get("project_code") is None:
            raise ValidationError({"project_id": [Problem("import.project_missing")]})

    @post_load
    def _input(self, data, **_) -> ReportRow:
        return ReportRow(**data)


# ------------------------------------------------------------------ funds in place

def _positive(data: dict) -> None:
    if data.get("amount") == 0:
        raise ValidationError({"amount": [Problem("funds.amount_zero")]})


class FundsCreate(Request):
    """POST /projects/{id}/funds: one receipt of funds actually in place."""

    received_on = Date(required=True)
    amount = Amount(required=True)
    source = Worded(FundsSource, SOURCE_WORDS, required=True)
    payer = Text(limits.INVESTOR_NAME, required=True)
    note = Text(limits.NOTE, blank=True, lines=True, load_default="")

    @validates_schema(skip_on_field_errors=False)  # shown with the other fields' problems
    def _amount(self, data, **_):
        _positive(data)


class FundsPatch(Changes):
    """PATCH /projects/{id}/funds/{fid}: the fields to correct, and why (required)."""

    received_on = Date()
    amount = Amount()
    source = Worded(FundsSource, SOURCE_WORDS)
    payer = Text(limits.INVESTOR_NAME)
    note = Text(limits.NOTE, blank=True, lines=True)
    reason = Text(limits.REASON, required=True, lines=True)

    @validates_schema(skip_on_field_errors=False)  # shown with the other fields' problems
    def _amount(self, data, **_):
        _positive(data)

    @post_load
    def _input(self, data, **_) -> FundsChange:
        return FundsChange(**data)


class FundsImportRowRequest(FundsCreate):
    """One data row of a funds import file, its cells as text (ledger.io reads them): the
    receipt of POST /projects/{id}/funds and the project by id or by project code; `row` as in
    ImportRowRequest."""

    row = Int(1, limits.MAX_ID, required=True)
    project_id = Id(query=True)
    project_code = ProjectCode()

    @validates_schema
    def _project(self, data, **_):
        if data.get("project_id") is None and data.get("project_code") is None:
            raise ValidationError({"project_id": [Problem("import.project_missing")]})

    @post_load
    def _input(self, data, **_) -> FundsRow:
        return FundsRow(**data)


class EvidenceForm(Request):
    """The form fields of an evidence upload (the file itself is the multipart `file`)."""

    kind = Worded(EvidenceKind, {word: kind for kind, word in EVIDENCE_KINDS.items()},
                  required=True)


# ------------------------------------------------------------------ agreements

class SignatoriesRequest(Request):
    recommender = Text(limits.SIGNATORY, required=True)
    receiver = Text(limits.SIGNATORY, required=True)


class LineShareRequest(Request):
    """The recommender's share of one accounting line, where it differs from `recommender_share`."""

    indicator = Choice(Indicator, required=True)
    recommender_share = Share(required=True)


def LineShares() -> List:
    return List(Nested(LineShareRequest), validate=Length(max=len(Indicator), what="terms"),
                metadata={"description": "a share per accounting line; a line not listed takes "
                                         "`recommender_share` (of completed investment)"})


def _terms(data: dict) -> TermsInput:
    """The terms as the command takes them: the signatories flattened, the share of each line
    from `terms` (completed investment's is `recommender_share` itself)."""
    signatories = data.pop("signatories", None)
    if signatories is not None:
        data["recommender_signatory"] = signatories["recommender"]
        data["receiver_signatory"] = signatories["receiver"]
    lines = data.pop("terms", None) or []
    shares: dict[str, int] = {}
    for line in lines:
        if line["indicator"] in shares:
            raise ValidationError({"terms": [Problem("terms.duplicate", indicator=line["indicator"])]})
        shares[line["indicator"]] = line["recommender_share"]
    completed = shares.get(Indicator.COMPLETED_INVESTMENT)
    if completed is not None:
        if data.get("recommender_share", completed) != completed:
            raise ValidationError({"terms": [Problem("terms.conflict")]})
        data["recommender_share"] = completed
    if Indicator.FUNDS_IN_PLACE in shares:
        data["funds_share"] = shares[Indicator.FUNDS_IN_PLACE]
    return TermsInput(**data)


class _Years:
    """Mixin: a last year before the first is refused on last_year, whatever else is wrong
    (ledger.domain.dates holds the rule; the command holds it again against the version a
    change starts from)."""

    @validates_schema(skip_on_field_errors=False)
    def _years(self, data, **_):
        problem = dates.years_reversed(data.get("first_year"), data.get("last_year"))
        if problem is not None:
            raise ValidationError({"last_year": [problem]})


class AgreementTerms(_Years, Changes):
    recommender_share = Share()
    terms = LineShares()
    first_year = Year()
    last_year = Year(allow_none=True)
    signed_on = Date()
    signatories = Nested(SignatoriesRequest)
    reason = Text(limits.REASON, lines=True)

    @post_load
    def _input(self, data, **_) -> TermsInput:
        return _terms(data)


class AgreementCreate(_Years, Request):
    project_id = Id(required=True)
    recommender_code = RegionCode(required=True)
    receiver_code = RegionCode()
    recommender_share = Share(required=True)
    terms = LineShares()
    first_year = Year(required=True)
    last_year = Year(allow_none=True)
    signed_on = Date(required=True)
    signatories = Nested(SignatoriesRequest, required=True)
    reason = Text(limits.REASON, required=True, lines=True)

    @post_load
    def _input(self, data, **_) -> AgreementInput:
        parties = {k: data.pop(k) for k in ("project_id", "recommender_code", "receiver_code")
                   if k in data}
        return AgreementInput(terms=_terms(data | {"last_year": data.get("last_year")}), **parties)


class ReasonRequest(Request):
    reason = Text(limits.REASON, required=True, lines=True)


class YearCloseRequest(Request):
    """The body of a close (optional): the digest of the checklist it confirms, as shown by
    GET /years/{year}/checklist; needed only while the checklist lists open items."""

    checklist_digest = Text(64, pattern=Pattern(r"[0-9a-f]{64}", "digest.shape"), metadata={
        "description": "the `digest` of the year's checklist being confirmed"})


# ------------------------------------------------------------------ query strings

def QId(**kwargs) -> Int:
    return Id(query=True, **kwargs)


def QYear(**kwargs) -> Int:
    return Year(query=True, **kwargs)


class ProjectQuery(Request):
    region = RegionCode()
    zone = QId()
    stage = Choice(Stage)
    q = Text(limits.SEARCH, strip=False, blank=True, printed=False)


class ProjectPageQuery(ProjectQuery):
    """The projects page's filters: besides the API's, a region's own list (`side`)."""

    side = Choice(ProjectSide)


class AgreementPageQuery(Request):
    """The agreements page's filters: the newest version's status, a party's region (or one
    above it), a year a version covers, part of the number or filing number, and `waiting=1`:
    only those whose newest version waits for the user."""

    status = Choice(VersionStatus)
    region = RegionCode()
    year = QYear()
    number = Text(limits.FILING_NUMBER, strip=False, blank=True, printed=False)
    waiting = Choice(("1",))

    @post_load
    def _waiting(self, data, **_):
        return {k: v for k, v in data.items() if k != "waiting"} | (
            {"waiting_for_me": True} if data.get("waiting") else {})


class YearQuery(Request):
    year = QYear()


class IndustryQuery(Request):
    q = Text(limits.INDUSTRY_SEARCH, blank=True, printed=False)


class ZoneMatchQuery(Request):
    industry = IndustryCode(required=True)


EXPORT_FORMATS = ("json", "csv", "xlsx")
_FORMAT_DOC = {"description": "json (default), csv (UTF-8 with BOM) or xlsx: the same figures "
                              "as a file to download (Content-Disposition: attachment)"}


_INDICATOR_DOC = {"description": "the accounting line: completed_investment (完成投资, the "
                                  "default) or funds_in_place (招商引资实际到位资金)"}


def _indicator():
    return Choice(Indicator, load_default=Indicator.COMPLETED_INVESTMENT.value,
                  metadata=_INDICATOR_DOC)


class AttributionQuery(Request):
    year = QYear(required=True)
    as_of = AsOf(metadata={"description": "ISO 8601; totals as recorded at this time"})
    region = RegionCode()
    indicator = _indicator()
    format = Choice(EXPORT_FORMATS, load_default="json", metadata=_FORMAT_DOC)


class ProjectLinesQuery(Request):
    year = QYear(required=True)
    as_of = AsOf()
    indicator = _indicator()
    format = Choice(EXPORT_FORMATS, load_default="json", metadata=_FORMAT_DOC)


class TemplateQuery(Request):
    format = Choice(("xlsx", "csv"), load_default="xlsx")


class DocumentQuery(Request):
    """GET /agreements/{id}/filing.pdf and receipt.pdf."""

    version = QId(metadata={"description": "the agreement version (default: the newest at as_of)"})
    as_of = AsOf(metadata={"description": "ISO 8601; the agreement as it stood at this time "
                                          "(default: its last change, so the same request "
                                          "later gives the same document)"})


class StatementQuery(Request):
    """GET /attribution/statement.pdf and `ledger print`."""

    year = QYear(required=True)
    as_of = AsOf(metadata={"description": "ISO 8601; figures as recorded at this time "
                                          "(default: the ledger head's recording time)"})


class PostingQuery(Request):
    project = QId()
    region = RegionCode()
    year = QYear()
    after_seq = Int(0, limits.MAX_SEQ, query=True)


class AuditQuery(Request):
    entity = Text(limits.AUDIT_ENTITY, strip=False, blank=True, printed=False)
    actor = Text(limits.USERNAME_MAX, strip=False, blank=True, printed=False)


class AuditPageQuery(AuditQuery):
    """The audit log page's filters: besides the API's, the actor's region, the action, Beijing
    days from `since` to `until` (inclusive), and `show`: the changes of facts (the default),
    the logins and logouts, or both."""

    region = RegionCode()
    action = Text(limits.AUDIT_ACTION, strip=False, printed=False)
    since = Date()
    until = Date()
    show = Choice(("facts", "logins", "all"))

    @validates_schema(skip_on_field_errors=False)
    def _ordered(self, data, **_):
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            raise ValidationError({"until": [Problem("audit.until_before_since")]})
