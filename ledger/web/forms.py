"""The web forms (Flask-WTF: rendering, labels and the CSRF token). Their values are checked by
the same marshmallow request schemas as the API's (ledger.schemas.requests): a form turns its
fields into the request body the API would receive, the schema loads it into the commands' typed
input, and each refusal — the schema's or the command's — is shown beside its field."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField, HiddenField, PasswordField, SelectChoice, SelectField, StringField, TextAreaField,
)

from ledger.domain import limits
from ledger.domain.enums import Indicator
from ledger.domain.vocabulary import EVIDENCE_KINDS, SOURCES
from ledger.domain.errors import DomainError, Invalid, NotFound, code_of
from ledger.schemas.requests import load_form
from ledger.web.i18n import problem_text


class DateInput(StringField):
    """A date as the browser's date picker sends it (YYYY-MM-DD); the schema checks it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {})["type"] = "date"
        super().__init__(*args, **kwargs)


def _text(value: str | None) -> str:
    return (value or "").strip()


def _given(value: str | None) -> str | None:
    """A date or a choice as the body holds it: None when left empty (the schema's "required"),
    so that an empty input is refused as empty, not as a malformed date."""
    return _text(value) or None


def _integer(value: str | None) -> object:
    """Digits as an int (what the JSON body would hold), None when empty; anything else stays
    text for the schema to refuse with its own message."""
    text = _text(value)
    if not text:
        return None
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else text


Problems = dict[str, list]


class LedgerForm(FlaskForm):
    """Field names are the request body's; `aliases` maps the path of a refusal whose field has
    no input of its own ("signatories.receiver", "terms") to the input it is shown beside."""

    aliases: dict[str, str] = {}
    written: object = None  # what the command of `attempt` returned
    refused: DomainError | None = None  # its refusal

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.shown_codes: set[str] = set()  # the codes of every refusal shown

    def payload(self) -> dict:
        raise NotImplementedError

    def _input_of(self, path: str):
        """The visible input a refusal of `path` belongs beside (None: above the form)."""
        for name in (path, path.split(".", 1)[0]):
            name = self.aliases.get(name, name)
            field = self._fields.get(name)
            if field is not None:
                return None if isinstance(field, HiddenField) or name == "csrf_token" else field
        return None

    def show(self, err: DomainError, *, beside_clean_only: bool = False) -> None:
        """Each message of a refusal beside its field (an emptiness said once as "Required.",
        a message said twice shown once), the rest above the form. `beside_clean_only`: a
        field already refused keeps its messages (a command's check of a value the schema
        refused would only repeat it)."""
        placed = False
        for path, messages in (err.errors or {}).items():
            field = self._input_of(path)
            if field is not None and beside_clean_only and field.errors:
                continue
            shown = self.form_errors if field is None else list(field.errors)
            self.shown_codes.update(map(code_of, messages))
            for text in map(problem_text, messages):
                if text not in shown:
                    shown.append(text)
            if field is not None:
                field.errors = shown
                placed = True
        if not placed and not beside_clean_only:
            text = problem_text(err.message)
            if text not in self.form_errors:
                self.form_errors.append(text)

    def attempt(self, write: Callable[[], object]) -> bool:
        """Run a command with the form's input: True when it was written (its result in
        `written`); a refusal is shown beside its fields (False). NotFound is not the form's:
        the page is a 404."""
        try:
            self.written = write()
        except NotFound:
            raise
        except DomainError as err:
            self.refused = err
            self.show(err)
            return False
        return True

    def load(self, schema, *, also: Callable[[dict], Problems] | None = None, **extra):
        """The typed input of `schema` (from the form's fields and `extra` values the page
        supplies, such as the project's id), or None after showing every refusal beside its
        field: the schema's, and `also`'s — the command's own checks (read only) of the values
        the schema accepted, so that one submit shows every problem of the form."""
        value, valid, errors = load_form(schema, self.payload() | extra)
        if value is not None:
            return value
        self.show(Invalid("input.invalid", errors=errors))
        if also is not None:
            self.show(Invalid("input.invalid", errors=also(valid)), beside_clean_only=True)
        return None

    @property
    def has_errors(self) -> bool:
        return bool(self.form_errors) or any(f.errors for f in self)


class CsrfForm(FlaskForm):
    """A form with nothing but its CSRF token (log out, close a year, the month grid)."""


class LoginForm(LedgerForm):
    username = StringField(_l("Username"), render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), render_kw={"autocomplete": "current-password"})
    next = HiddenField()

    def payload(self) -> dict:
        return {"username": _text(self.username.data), "password": self.password.data or ""}


class LanguageForm(FlaskForm):
    lang = HiddenField()
    next = HiddenField()


class ProjectForm(LedgerForm):
    name = StringField(_l("Project name"), render_kw={"maxlength": limits.PROJECT_NAME})
    investor_name = StringField(_l("Investor"), render_kw={"maxlength": limits.INVESTOR_NAME})
    investor_credit_code = StringField(
        _l("Unified social credit code"), description=_l("18 characters (GB 32100); leave empty only for a foreign investor"),
        render_kw={"maxlength": limits.CREDIT_CODE, "autocomplete": "off"})
    investor_foreign = BooleanField(_l("Foreign investor"))
    industry_code = StringField(
        _l("Industry code"), description=_l("GB/T 4754-2017, e.g. C2614"),
        render_kw={"maxlength": limits.INDUSTRY_CODE, "autocomplete": "off"})
    project_code = StringField(
        _l("Project code"), description=_l("optional; GB/T 40058, e.g. 2024-640181-26-03-004512"),
        render_kw={"maxlength": limits.PROJECT_CODE, "autocomplete": "off"})
    planned_investment = StringField(
        _l("Planned investment (10,000 yuan)"), description=_l("at most two decimals, e.g. 50000.00"),
        render_kw={"inputmode": "decimal", "autocomplete": "off"})
    zone_id = SelectField(_l("Development zone"), choices=[], validate_choice=False)
    signed_on = DateInput(_l("Signed on"))
    row_version = HiddenField()

    def payload(self) -> dict:
        body = {
            "name": _text(self.name.data), "investor_name": _text(self.investor_name.data),
            "investor_credit_code": _text(self.investor_credit_code.data),
            "investor_foreign": bool(self.investor_foreign.data),
            "industry_code": _given(self.industry_code.data),
            "project_code": _text(self.project_code.data),
            "planned_investment": _text(self.planned_investment.data),
            "zone_id": _integer(self.zone_id.data),
        }
        if "signed_on" in self._fields and _text(self.signed_on.data):
            body["signed_on"] = _text(self.signed_on.data)
        return body


class ProjectEditForm(ProjectForm):
    """A correction: the project's facts, its signing date and the date of each stage it has
    reached (the page shows only those), and why."""

    started_on = DateInput(_l("Started construction on"))
    operating_on = DateInput(_l("In operation since"))
    cancelled_on = DateInput(_l("Cancelled on"))
    reason = TextAreaField(_l("Reason for the correction"),
                           description=_l("required when a date changes"),
                           render_kw={"rows": 2, "maxlength": limits.REASON})

    def payload(self) -> dict:
        """A stage date left empty is not sent (a stage's date is never removed)."""
        body = super().payload()
        for name in ("started_on", "operating_on", "cancelled_on", "reason"):
            if _text(self[name].data):
                body[name] = _text(self[name].data)
        return body


class StageForm(LedgerForm):
    stage = SelectField(_l("New stage"), choices=[])
    stage_on = DateInput(_l("Date"))
    row_version = HiddenField()

    def payload(self) -> dict:
        return {"stage": _given(self.stage.data), "stage_on": _given(self.stage_on.data)}


class TermsForm(LedgerForm):
    """The terms of an agreement version (edit, amend)."""

    aliases = {"signatories.recommender": "recommender_signatory",
               "signatories.receiver": "receiver_signatory", "signatories": "recommender_signatory",
               "terms": "funds_share"}

    recommender_share = StringField(
        _l("Recommending region's share (%)"), description=_l("0 < share ≤ 100, at most two decimals; the receiving region gets the rest"),
        render_kw={"inputmode": "decimal", "autocomplete": "off"})
    funds_share = StringField(
        _l("Recommending region's share of funds in place (%)"),
        description=_l("optional; empty: the same as the share of completed investment"),
        render_kw={"inputmode": "decimal", "autocomplete": "off"})
    first_year = StringField(_l("First year"), render_kw={"inputmode": "numeric", "autocomplete": "off"})
    last_year = StringField(_l("Last year"), description=_l("inclusive; empty for open-ended"),
                            render_kw={"inputmode": "numeric", "autocomplete": "off"})
    signed_on = DateInput(_l("Signed on"))
    recommender_signatory = StringField(_l("Signatory of the recommending region"),
                                        render_kw={"maxlength": limits.SIGNATORY})
    receiver_signatory = StringField(_l("Signatory of the receiving region"),
                                     render_kw={"maxlength": limits.SIGNATORY})
    reason = TextAreaField(_l("Why the project did not fit the recommending region's zones"),
                           render_kw={"rows": 3, "maxlength": limits.REASON})
    row_version = HiddenField()

    def payload(self) -> dict:
        body = {
            "recommender_share": _text(self.recommender_share.data),
            "first_year": _integer(self.first_year.data),
            "last_year": _integer(self.last_year.data),
            "signed_on": _given(self.signed_on.data),
            "signatories": {"recommender": _text(self.recommender_signatory.data),
                            "receiver": _text(self.receiver_signatory.data)},
            "reason": _text(self.reason.data),
        }
        # The funds line's share as the API's `terms` list says it. Left empty it is the share
        # of completed investment, said explicitly: an edit or amendment would otherwise keep a
        # different share the version it starts from agreed (ledger.commands.agreements).
        funds = _text(self.funds_share.data) or body["recommender_share"]
        if funds:
            body["terms"] = [{"indicator": Indicator.FUNDS_IN_PLACE.value,
                              "recommender_share": funds}]
        return body

    def show(self, err: DomainError, **kwargs) -> None:
        """A funds share left empty copies the other share: its refusals are that field's,
        already shown beside it."""
        if not _text(self.funds_share.data) and err.errors and any(
                k.startswith("terms") for k in err.errors):
            err = Invalid(err.code, errors={k: v for k, v in err.errors.items()
                                            if not k.startswith("terms")})
        super().show(err, **kwargs)


class AgreementOpenForm(TermsForm):
    recommender_code = SelectField(_l("Recommending region"), choices=[], validate_choice=False)

    def payload(self) -> dict:
        return super().payload() | {"recommender_code": _text(self.recommender_code.data)}


class ActionForm(LedgerForm):
    """A workflow action on the version the user saw (its row_version = the ETag)."""

    row_version = HiddenField()

    def payload(self) -> dict:
        return {}


class ReasonForm(ActionForm):
    reason = TextAreaField(_l("Reason"), render_kw={"rows": 3, "maxlength": limits.REASON})

    def payload(self) -> dict:
        return {"reason": _text(self.reason.data)}


class ReopenForm(ReasonForm):
    year = HiddenField()


class PasswordForm(LedgerForm):
    old_password = PasswordField(_l("Present password"),
                                 render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(
        _l("New password"), description=_l("at least %(min)d characters", min=limits.PASSWORD_MIN),
        render_kw={"autocomplete": "new-password", "maxlength": limits.PASSWORD_MAX})
    new_password_repeat = PasswordField(_l("New password again"),
                                        render_kw={"autocomplete": "new-password"})

    def payload(self) -> dict:
        return {"old_password": self.old_password.data or "",
                "new_password": self.new_password.data or "",
                "new_password_repeat": self.new_password_repeat.data or ""}


class UserRoleForm(LedgerForm):
    """An account's role and region (a region user's region; no other role has one)."""

    role = SelectField(_l("Role"), choices=[])
    region_code = SelectField(_l("Region"), choices=[], validate_choice=False,
                              description=_l("only for region users"))
    email = StringField(_l("E-mail"), description=_l("the messages are also mailed here; empty: none"),
                        render_kw={"maxlength": limits.EMAIL, "autocomplete": "off",
                                   "type": "email"})
    row_version = HiddenField()

    def payload(self) -> dict:
        return {"role": self.role.data or "", "region_code": _text(self.region_code.data) or None,
                "email": _text(self.email.data) or None}


class UserCreateForm(UserRoleForm):
    """A new account; its password is a one-time one the page shows once."""

    username = StringField(_l("Username"), description=_l("3–50 letters, digits, '.', '_' or '-'"),
                           render_kw={"maxlength": limits.USERNAME_MAX, "autocomplete": "off"})

    def payload(self) -> dict:
        return super().payload() | {"username": _text(self.username.data)}

# ------------------------------------------------------------------ funds in place

def _words(words: dict) -> list[SelectChoice]:
    """A closed vocabulary as a select's options: its codes, shown as their Chinese words."""
    return [SelectChoice(code.value, word) for code, word in words.items()]


class FundsForm(LedgerForm):
    """A receipt of funds in place (到位资金) as the host records it."""

    received_on = DateInput(_l("Received on"))
    amount = StringField(_l("Amount (10,000 yuan)"), description=_l("at most two decimals, e.g. 1200.00"),
                         render_kw={"inputmode": "decimal", "autocomplete": "off"})
    source = SelectField(_l("Source of funds"), choices=_words(SOURCES), validate_choice=False)
    payer = StringField(_l("Payer"), render_kw={"maxlength": limits.INVESTOR_NAME})
    note = TextAreaField(_l("Note"), render_kw={"rows": 2, "maxlength": limits.NOTE})

    def payload(self) -> dict:
        return {"received_on": _given(self.received_on.data), "amount": _text(self.amount.data),
                "source": _given(self.source.data), "payer": _text(self.payer.data),
                "note": _text(self.note.data)}


class FundsCorrectForm(FundsForm):
    """A correction: every field as it should read, and why (required)."""

    reason = TextAreaField(_l("Reason for the correction"),
                           render_kw={"rows": 2, "maxlength": limits.REASON})
    row_version = HiddenField()

    def payload(self) -> dict:
        return super().payload() | {"reason": _text(self.reason.data)}


class FundsVoidForm(LedgerForm):
    reason = TextAreaField(_l("Reason for voiding"), render_kw={"rows": 2, "maxlength": limits.REASON})
    row_version = HiddenField()

    def payload(self) -> dict:
        return {"reason": _text(self.reason.data)}


class EvidenceUploadForm(LedgerForm):
    """An evidence file (凭证) of a receipt; the file itself is checked by the command."""

    kind = SelectField(_l("Kind of evidence"), choices=_words(EVIDENCE_KINDS),
                       validate_choice=False)
    file = FileField(_l("File"), description=_l("PDF, JPEG or PNG, at most %(mib)d MiB",
                                                     mib=limits.EVIDENCE_FILE_MAX // 2**20),
                     render_kw={"accept": "application/pdf,image/jpeg,image/png"})

    def payload(self) -> dict:
        return {"kind": _given(self.kind.data)}
