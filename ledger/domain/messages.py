"""The English text of every error code (`{name}` placeholders take the error's parameters).

The API sends these as `message`; the web UI translates the same texts through the Flask-Babel
catalog (translations/zh_CN), which `N_` marks for extraction without translating here."""

from __future__ import annotations

from typing import Any


def N_(text: str) -> str:  # noqa: N802  (the gettext marker's conventional name)
    return text


# Shared by amounts (amount.*) and shares (share.*): the ways a decimal string can be wrong.
_DECIMAL = {
    "not_a_string": N_('must be a decimal string such as "1234.56"'),
    "empty": N_("must not be empty"),
    "spaces": N_("must not contain spaces"),
    "not_finite": N_("must be a finite number (NaN and infinity are not accepted)"),
    "exponent": N_('must be written without an exponent (e.g. "1000", not "1e3")'),
    "separators": N_("must not contain thousands separators"),
    "non_ascii_digits": N_("must use the ASCII digits 0-9"),
    "not_a_number": N_('must be a decimal number such as "1234.56"'),
    "plus_sign": N_("must not have a plus sign"),
    "negative": N_("must not be negative"),
    "digits_around_point": N_("must have digits on both sides of the decimal point"),
    "too_many_decimals": N_("must have at most two decimal places (got {places}); it is not rounded"),
    "too_large": N_("must not exceed {max}"),
    "too_long": N_("must be at most {max} characters long"),
    "leading_zeros": N_('must not have leading zeros (e.g. "7.10", not "007.10")'),
}

MESSAGES: dict[str, str] = {
    **{f"{kind}.{key}": text for kind in ("amount", "share") for key, text in _DECIMAL.items()},
    "share.zero": N_("must be greater than 0"),

    # Requests and fields
    "input.invalid": N_("the request has invalid fields"),
    "input.missing_fields": N_("missing required field(s)"),
    "input.empty": N_("no fields given"),
    "input.not_an_object": N_("must be a JSON object"),
    "field.required": N_("Missing data for required field."),
    "field.null": N_("must not be null"),
    "field.empty": N_("Required."),  # what a web form says of each of EMPTY
    "field.invalid": N_("is not valid"),
    "field.unknown": N_("unknown field"),
    "field.not_a_string": N_("must be a string"),
    "field.not_an_integer": N_("must be an integer"),
    "field.not_a_boolean": N_("must be true or false"),
    "field.one_of": N_("must be one of {choices}"),
    "field.range": N_("must be between {min} and {max}"),
    "text.blank": N_("must not be blank"),
    "text.too_short": N_("must be at least {min} characters"),
    "text.too_long": N_("must be at most {max} characters"),
    "text.control_character": N_("must not contain the control character {character} "
                                 "(character {position})"),
    "text.bidi_control": N_("must not contain {character} (character {position}), a character "
                            "that changes the direction of the text around it"),
    "text.unprintable": N_("must not contain {character} (character {position}): the documents "
                           "cannot print it"),
    "list.too_long": N_("must have at most {max} items"),
    "date.shape": N_("must be a date (YYYY-MM-DD)"),
    "date.range": N_("must be a date between {min} and {max}"),
    "date.future": N_("must not be after today ({today})"),
    "period.shape": N_("must be a month YYYY-MM between {min} and {max}"),
    "period.future": N_("must not be a future month"),
    "year.range": N_("must be a year between {min} and {max}"),
    "as_of.future": N_("must not be in the future"),
    "digest.shape": N_("must be a SHA-256 digest: 64 lowercase hexadecimal digits"),
    "as_of.out_of_range": N_("is outside the range of UTC times"),
    "username.shape": N_("3–50 letters, digits, '.', '_' or '-'"),
    "email.shape": N_("must be an e-mail address such as name@example.cn"),

    # Codes (GB/T 2260, GB/T 4754, GB 32100, GB/T 40058)
    "region.committee_code": N_("a committee code is the host's six-digit code, '-' and 2–8 "
                                "uppercase letters or digits (e.g. 640000-NDJD)"),
    "region.committee_parent": N_("must be the host region {host} named in the code"),
    "region.six_digits": N_("must be a six-digit GB/T 2260 code"),
    "region.province_00": N_("the province part (first two digits) must not be 00"),
    "region.level_mismatch": N_("{code} is a {implied} code, not a {level} code"),
    "region.parent_required": N_("a {level} needs a parent ({allowed})"),
    "region.parent_wrong": N_("parent of {level} {code} must be {expected}"),
    "industry.lowercase": N_("the section letter must be uppercase"),
    "industry.shape": N_("must be a GB/T 4754-2017 section letter optionally followed by 2, 3 "
                         "or 4 digits (e.g. C, C26, C2614)"),
    "industry.section_unknown": N_("{section} is not a GB/T 4754-2017 section (A–T)"),
    "industry.division_unknown": N_("{division} is not a division of section {section}"),
    "industry.twice": N_("{item} is listed twice"),
    "industry.leading_restricted": N_("{code} is both leading and restricted"),
    "credit_code.shape": N_("must be 18 digits or uppercase letters (统一社会信用代码), without spaces"),
    "credit_code.check_digit": N_("check digit does not match (统一社会信用代码 GB 32100)"),
    "credit_code.invalid": N_("is not a valid 统一社会信用代码: the first 8 characters must be "
                              "digits and the letters I, O, S, V, Z are not used"),
    "project_code.shape": N_("must have the shape YYYY-RRRRRR-DD-TT-NNNNNN (GB/T 40058)"),
    "project_code.year": N_("year part must be between {min} and {max}"),
    "project_code.region": N_("region part must be a valid six-digit GB/T 2260 code"),

    # Reference data and accounts
    "region.exists": N_("region {code} already exists"),
    "region.parent_missing": N_("parent region {code} does not exist"),
    "region.unknown": N_("no such region"),
    "zone.unknown": N_("no such zone"),
    "zone.name_taken": N_("a zone named {name} already exists"),
    "zone.move_with_projects": N_("a zone with projects cannot move to another region"),
    "blocks.too_long": N_("a zone has at most {max} blocks"),
    "blocks.duplicate": N_("block names must be distinct"),
    "user.exists": N_("user {username} already exists"),
    "user.last_admin": N_("the only active administrator cannot be demoted or deactivated"),
    "user.region_required": N_("a region user needs an existing region_code"),
    "user.region_only_for_regions": N_("only region users have a region_code"),
    "audit.until_before_since": N_("the end of the date range is before its start"),
    "password.wrong": N_("is not your present password"),
    "password.unchanged": N_("must differ from the present password"),
    "password.repeat": N_("does not match the new password"),
    "password.must_change": N_("is a one-time password: sign in to the web pages and choose "
                               "your own password before asking for a token"),

    # Projects and reports
    "project.credit_code_required": N_("is required unless the investor is foreign"),
    "project.restricted_industry": N_("industry {code} is on the restricted list of {zone} "
                                      "({restricted})"),
    "project.code_taken": N_("project code {code} is already registered"),
    "project.move_with_history": N_("a project with an agreement or reported investment cannot "
                                    "move to another region"),
    "stage.alone": N_("send stage with stage_on, and nothing else"),
    "stage.cancelled": N_("a cancelled project cannot change stage"),
    "stage.backwards": N_("stages only move forward (now '{stage}')"),
    "stage.date_before": N_("must not be before {date}"),
    "stage.date_after": N_("must not be after {date}, the date of a later stage"),
    "project.stage_not_reached": N_("the project has not reached this stage (now '{stage}')"),
    "project.reason_required": N_("give the reason for correcting a date"),
    "project.start_after_report": N_("completed investment is reported for {period}; "
                                     "construction cannot have started after that month"),
    "report.not_landed": N_("only a landed project (under construction or in operation) can "
                            "report completed investment; this one is '{stage}'"),
    "report.before_start": N_("must not be before {started}, the month the project started "
                              "construction"),

    # Agreements
    "agreement.last_before_first": N_("must not be before first_year"),
    "funds.amount_zero": N_("must be more than 0: a receipt brings funds in"),
    "project.signed_after_funds": N_("funds were already received on {received}, before this date"),
    "funds.unchanged": N_("nothing would change: the receipt already reads so"),
    "funds.voided": N_("this receipt is void and can no longer change"),
    "funds.project_cancelled": N_("the project is cancelled: no funds can be recorded for it"),
    "funds.before_signing": N_("must not be before the project was signed ({signed})"),
    "evidence.no_file": N_("choose a file to upload (multipart field file)"),
    "evidence.empty": N_("the file is empty"),
    "evidence.too_large": N_("the file is larger than {max} MiB"),
    "evidence.type": N_("only PDF, JPEG or PNG files are accepted (judged by the content)"),
    "evidence.name_mismatch": N_("the file {name} is a {type} file by its content, not what its name says"),
    "evidence.too_many": N_("a receipt has at most {max} evidence files"),
    "terms.too_long": N_("at most {max} lines (one per accounting line)"),
    "terms.duplicate": N_("the line {indicator} is listed more than once"),
    "terms.conflict": N_("the share of completed_investment differs from recommender_share"),
    "agreement.before_project": N_("the agreement covers from {first_year}, before the project "
                                   "was signed in {year}"),
    "agreement.receiver_not_host": N_("must be the project's host region {host}"),
    "agreement.self_referral": N_("a project hosted in the recommender's own region cannot be "
                                  "recommended (self-referral)"),
    "agreement.project_cancelled": N_("the project is cancelled"),
    "agreement.exists": N_("the project already has agreement {number}; its coverage would "
                           "overlap — amend that agreement instead"),
    "agreement.closed_year_coverage": N_("filing would change the coverage of closed assessment "
                                         "year(s) {years}; reopen them first"),
    "coverage.overlap": N_("versions {versions} overlap in {year}"),
    "workflow.not_allowed": N_("cannot {action} a version in status '{status}' (allowed in: "
                               "{allowed})"),
    "workflow.confirm_own": N_("the counterparty must confirm; this party proposed the version"),
    "workflow.already_acknowledged": N_("{body} has already acknowledged this version"),
    "workflow.withdraw_filed": N_("a chain that was filed cannot be withdrawn; amend it or end "
                                  "it with a last year instead"),
    "workflow.decline_filed": N_("a chain that was filed cannot be declined; leave the amendment "
                                 "unconfirmed or edit it instead"),
    "workflow.amend_unfiled": N_("cannot amend while the newest version is '{status}'; it must "
                                 "be filed first"),

    # Years
    "year.closed": N_("assessment year {year} is closed"),
    "year.closed_figures": N_("assessment year {year} is closed; reopen it before changing its "
                              "figures"),
    "year.already_closed": N_("assessment year {year} is already closed"),
    "year.not_closed": N_("assessment year {year} is not closed"),
    "year.outside_ledger": N_("The ledger holds no year {year}: its years are {first} to {last}. "
                              "Choose one of them."),
    "year.checklist_open": N_("assessment year {year} still has {count} open items: confirm "
                              "the checklist shown (its digest) to close it anyway"),

    # The deployment
    "signing.unavailable": N_("the checkpoint signing key is not available ({detail}); ask the "
                              "administrator to configure LEDGER_SIGNING_KEY_FILE"),

    # Import files (POST /investments/import, `ledger import`)
    "import.no_file": N_("send the file as the multipart form field 'file'"),
    "import.choose_file": N_("choose a CSV or XLSX file to import"),
    "import.too_large": N_("the file is larger than {max} MiB"),
    "import.empty": N_("the file is empty: it has no header row"),
    "import.no_rows": N_("the file has a header row but no data rows"),
    "import.too_many_rows": N_("the file goes on more than {max} rows below its header (blank "
                               "rows count); split it into smaller files"),
    "import.not_a_table": N_("the file is neither CSV nor XLSX"),
    "import.xls": N_("Excel 97-2003 workbooks (.xls) are not accepted; save the file as .xlsx "
                     "or as CSV"),
    "import.bad_encoding": N_("the CSV is neither UTF-8 (with or without BOM) nor GB18030 text; "
                              "save it as \"CSV UTF-8\" or as .xlsx"),
    "import.bad_csv": N_("the CSV is malformed near line {line} (check the quotation marks)"),
    "import.bad_xlsx": N_("the XLSX workbook cannot be read (damaged, encrypted or not a "
                          "workbook)"),
    "import.xlsx_bomb": N_("the XLSX would expand to more than {max} MiB or holds more than "
                           "{members} parts; it is refused unopened"),
    "import.missing_column": N_("the column is missing (header {english} or {chinese})"),
    "import.no_project_column": N_("a column project_id (项目ID) or project_code (项目代码) is "
                                   "needed"),
    "import.duplicate_column": N_("the column appears more than once"),
    "import.project_missing": N_("give project_id or project_code"),
    "import.project_mismatch": N_("project_id {project_id} and project_code {project_code} name "
                                  "different projects"),
    "import.duplicate_row": N_("the same project and period as row {row}"),
    "import.extra_cells": N_("the row has values right of the header's last column (column "
                             "{columns}), so its cells do not line up with the header (a number "
                             "written with a thousands separator?); none of them was read"),
    "import.invalid_rows": N_("{count} row(s) of the file are invalid; nothing was imported"),

    # Documents (PDF)
    "document.not_filed": N_("agreement {number} version {version} is '{status}': a receipt "
                             "exists only for a filed version"),
    "document.ledger_empty": N_("the ledger has no postings yet: give as_of to print a statement"),
    "document.no_cjk_font": N_("no Chinese font is installed, so documents cannot be printed; "
                               "install fonts-noto-cjk (see `ledger doctor`)"),
    "document.missing_glyphs": N_("no installed font can show {characters}; the document is not "
                                  "printed with blank boxes — install a font that covers them"),
    "document.too_many_downloads": N_("at most {count} documents can be downloaded in {window} "
                                      "seconds by one user; try again in {seconds} seconds"),
    "document.changed": N_("document {document_id} was first issued at {issued_at} with other "
                           "data: the ledger has changed what it says for that as-of time, so "
                           "it is not issued again under the same id; print it as of now"),

    # Access and concurrency
    "idempotency.key_reused": N_("this Idempotency-Key was used with a different request"),
    "resource.not_found": N_("{what} {key} not found"),
    "resource.version_required": N_("name the version you act on: send If-Match with the ETag "
                                    "you read"),
    "resource.stale": N_("the resource changed since you read it; reload and retry"),
    "forbidden.reference": N_("your role may not change users, regions or zones"),
    "forbidden.users": N_("your role may not manage users"),
    "forbidden.host_only": N_("only the host region may do this for its projects"),
    "forbidden.not_a_party": N_("your role may not act on an agreement you are not a party to"),
    "forbidden.receiver_only": N_("only the host region (the receiving party) may do this"),
    "forbidden.recommender_only": N_("only the recommending party may do this"),
    "forbidden.filing_body": N_("your role may not acknowledge or return a filing"),
    "forbidden.years": N_("your role may not close or reopen an assessment year"),
    "forbidden.checklist": N_("your role may not read the checklist of an assessment year"),
    "forbidden.ledger": N_("your role may not verify the ledger or read the audit log"),
    "forbidden.import": N_("your role may not import investment reports"),
    "forbidden.attribution_region": N_("a region may read only its own rows and the province "
                                       "totals"),
}


# The codes that say a value is missing, null or blank, whichever field type said it: a web form
# shows each as "field.empty" (不能为空), the same words for every empty input.
EMPTY = frozenset({"field.required", "field.null", "text.blank", "amount.empty", "share.empty",
                   "field.empty"})


def render(code: str, params: dict[str, Any]) -> str:
    """The English text of `code`; an unknown code is a programming error (KeyError)."""
    return MESSAGES[code].format(**params)
