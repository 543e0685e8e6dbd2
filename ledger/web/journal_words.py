"""The journal in words, for the audit log page, its export and a project's correction
history: each action's name, each recorded fact's label, and each value in the product's
units (shares as percent, amounts in 万元 with two decimals, times in Beijing time, regions,
zones and projects by name). The words are lazy texts of the catalog (Chinese by default)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ledger.domain.money import format_amount
from ledger.queries.audit import AuditRow, Names
from ledger.web.helpers import local_time, percent_bp, region_name
from ledger.web.labels import label

# Every action the journal records, by its code (tests/web/test_audit.py holds this table
# against the actions the commands write).
AUDIT_ACTIONS = {
    "token.issue": _l("Logged in"),
    "token.revoke": _l("Logged out"),
    "user.create": _l("Created an account"),
    "user.update": _l("Changed an account"),
    "user.password": _l("Changed their own password"),
    "user.password_reset": _l("Reset a password"),
    "region.create": _l("Added a region"),
    "zone.create": _l("Added a zone"),
    "zone.update": _l("Changed a zone"),
    "project.create": _l("Registered a project"),
    "project.correct": _l("Corrected a project"),
    "project.stage": _l("Changed a project's stage"),
    "investment.report": _l("Reported completed investment"),
    "investment.import": _l("Imported completed investment"),
    "agreement.create": _l("Opened an agreement"),
    "agreement.confirm": _l("Confirmed an agreement"),
    "agreement.submit": _l("Submitted an agreement for filing"),
    "agreement.acknowledge": _l("Acknowledged a filing"),
    "agreement.return": _l("Returned an agreement"),
    "agreement.edit": _l("Edited an agreement's terms"),
    "agreement.amend": _l("Proposed an amendment"),
    "agreement.decline": _l("Declined an agreement"),
    "agreement.withdraw": _l("Withdrew an agreement"),
    "agreement.supersede": _l("Superseded by an amendment"),
    "year.close": _l("Closed an assessment year"),
    "year.reopen": _l("Reopened an assessment year"),
    "document.download": _l("Downloaded a document"),
    "funds.record": _l("Recorded funds in place"),
    "funds.correct": _l("Corrected funds in place"),
    "funds.void": _l("Voided funds in place"),
    "funds.evidence": _l("Added evidence of funds in place"),
    "funds.import": _l("Imported funds in place"),
    "journal.baseline": _l("Journal baseline"),
}

# What an entry is about (AuditEntry.entity).
ENTITY_KINDS = {
    "project": _l("Project"),
    "agreement": _l("Agreement"),
    "funds_receipt": _l("Funds in place"),
    "import": _l("Import"),
    "year": _l("Assessment year"),
    "user": _l("User"),
    "region": _l("Region"),
    "zone": _l("Zone"),
    "document": _l("Printed document"),
}

# The recorded facts (ledger.postings.journal.RECORDED and the entries' other keys).
FACT_LABELS = {
    # projects
    "name": _l("Name"), "investor_name": _l("Investor"),
    "investor_credit_code": _l("Unified social credit code"),
    "investor_foreign": _l("Foreign investor"), "industry_code": _l("Industry code"),
    "project_code": _l("Project code"), "planned_investment": _l("Planned investment"),
    "zone_id": _l("Development zone"), "host_code": _l("Host region"), "stage": _l("Stage"),
    "signed_on": _l("Signed on"), "started_on": _l("Started construction on"),
    "operating_on": _l("In operation since"), "cancelled_on": _l("Cancelled on"),
    # agreements
    "number": _l("Agreement number"), "project_id": _l("Project"), "version": _l("Version"),
    "status": _l("Status"), "recommender_share": _l("Recommending region's share"),
    "funds_share": _l("Recommending region's share of funds in place"),
    "first_year": _l("First year"), "last_year": _l("Last year"),
    "recommender_signatory": _l("Signatory of the recommending region"),
    "receiver_signatory": _l("Signatory of the receiving region"),
    "reason": _l("Reason"), "proposed_by": _l("Proposed by"),
    "confirmed_at": _l("Confirmed at"), "submitted_at": _l("Submitted at"),
    "statistics_ack_at": _l("Acknowledged by the statistics bureau at"),
    "commerce_ack_at": _l("Acknowledged by the commerce department at"),
    "return_reason": _l("Reason for return"), "filing_year": _l("Filing year"),
    "filing_seq": _l("Filing sequence"), "filing_number": _l("Filing number"),
    "filed_on": _l("Filed on"), "superseded_from": _l("Supersedes version"),
    "recommender_code": _l("Recommending region"), "receiver_code": _l("Receiving region"),
    "ended_as": _l("Ended as"), "action_reason": _l("Reason"),
    # reports and funds
    "period": _l("Month"), "revision": _l("Revision"), "amount": _l("Amount"),
    "note": _l("Note"), "received_on": _l("Received on"), "source": _l("Source of funds"),
    "payer": _l("Payer"), "voided": _l("Void"), "evidence_id": _l("Evidence"),
    "kind": _l("Kind"), "filename": _l("File name"), "media_type": _l("File type"),
    "size": _l("Size (bytes)"), "sha256": _l("SHA-256"),
    # accounts, reference data, years, documents, imports
    "username": _l("Username"), "role": _l("Role"), "region_code": _l("Region"),
    "active": _l("Active"), "password": _l("Password"), "code": _l("Code"),
    "level": _l("Level"), "parent_code": _l("Parent region"), "blocks": _l("Blocks"),
    "leading_industries": _l("Leading industries"),
    "restricted_industries": _l("Restricted industries"),
    "subject": _l("Subject"), "as_of": _l("As of"), "digest": _l("Digest"),
    "bytes": _l("Size (bytes)"), "registered": _l("First issued"), "file": _l("File"),
    "created": _l("New"), "revised": _l("Revised"), "unchanged": _l("Unchanged"),
    "expires_at": _l("Expires at"),
}
# Keys that name no fact a reader weighs: the postings' sequence numbers, a token's row.
HIDDEN = {"postings", "token_id"}
SHARES = {"recommender_share", "funds_share"}
UNITS = {"planned_investment"}            # int of 0.01万元
AMOUNT_TEXTS = {"amount"}                 # the journal's exact decimal text of 万元
TIMES = {"confirmed_at", "submitted_at", "statistics_ack_at", "commerce_ack_at", "as_of",
         "expires_at"}
BOOLS = {"investor_foreign", "active", "voided", "registered"}
REGIONS = {"host_code", "recommender_code", "receiver_code", "region_code", "parent_code"}
WORDS = {"stage", "status", "role", "level", "kind", "source", "proposed_by", "ended_as"}
PASSWORD_WORDS = {"changed": _l("changed"), "reset": _l("reset to a one-time password"),
                  "one_time": _l("a one-time password")}
DIGESTS = {"sha256", "digest"}


def action_name(code: str) -> str:
    found = AUDIT_ACTIONS.get(code)
    return str(found) if found is not None else code


def in_words(name: str, value, names: Names | None = None) -> str:
    """A fact's value as the journal holds it, as a reader says it."""
    if value is None or value == "" or value == []:
        return _("(none)")
    if name in UNITS and isinstance(value, int):
        return f"{format_amount(value)} {_('10,000 yuan')}"
    if name in AMOUNT_TEXTS:
        return f"{value} {_('10,000 yuan')}"
    if name in SHARES and isinstance(value, int):
        return f"{percent_bp(value)}%"
    if name in BOOLS:
        return _("yes") if value else _("no")
    if name in TIMES:
        return local_time(value)
    if name in REGIONS:
        return f"{region_name(value)}（{value}）"
    if name in WORDS:
        return label(value)
    if name == "password":
        return str(PASSWORD_WORDS.get(value, value))
    if names is not None and name == "zone_id":
        return names.zones.get(value, str(value))
    if names is not None and name == "project_id":
        return names.projects.get(value, str(value))
    if name in DIGESTS and isinstance(value, str):
        return value[:12] + "…"
    if isinstance(value, list):
        return "、".join(map(str, value))
    return str(value)


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None   # None: the entry has no before (a creation, a login)
    after: str


@dataclass(frozen=True)
class Described:
    """One entry as the audit page and its export show it."""

    id: int
    at: str                   # Beijing time
    who: str
    role: str
    region: str
    action: str
    action_code: str
    kind: str
    object: str
    href: str | None
    changes: list[Change]


def _object(row: AuditRow, names: Names) -> tuple[str, str | None]:
    """What the entry is about, by name, and its page (when it has one)."""
    entity, key = row.entity, row.entity_id
    project = row.project_id
    if entity == "project" and project is not None:
        return names.projects.get(project, key), url_for("web.project_detail", project_id=project)
    if entity == "agreement":
        agreement = names.agreements.get(key)
        href = url_for("web.agreement_detail", agreement_id=agreement) if agreement else None
        return key, href
    if entity == "funds_receipt" and project is not None:
        return (_("%(project)s · receipt %(id)s", project=names.projects.get(project, project),
                  id=key), url_for("web.project_detail", project_id=project))
    if entity == "user" and key.isdigit():
        return names.users.get(int(key), key), None
    if entity == "zone" and key.isdigit():
        return names.zones.get(int(key), key), None
    if entity == "region":
        return f"{region_name(key)}（{key}）", None
    if entity == "year":
        return _("%(year)s assessment year", year=key), None
    if entity == "import" and isinstance(row.after, dict) and row.after.get("file"):
        return str(row.after["file"]), None
    return key, None


def _changes(row: AuditRow, names: Names) -> list[Change]:
    """before → after, labelled, in the order the labels are listed: every fact an update
    changed; the facts an entry sets without a before (a creation, a reason, the agreement
    an action is on) as values alone. Empty values set, and the object's own key, are left
    out."""
    before = row.before if isinstance(row.before, dict) else {}
    after = row.after if isinstance(row.after, dict) else {}
    keys = [k for k in (set(after) | set(before)) if k not in HIDDEN]
    order = list(FACT_LABELS)
    keys.sort(key=lambda k: (order.index(k) if k in order else len(order), k))
    shown = []
    for k in keys:
        if k not in after or after[k] == before.get(k):
            continue
        new = after[k]
        field = str(FACT_LABELS.get(k, k))
        if k in before:
            shown.append(Change(field, in_words(k, before[k], names), in_words(k, new, names)))
        elif new not in (None, "", []) and not (k == "number" and new == row.entity_id):
            shown.append(Change(field, None, in_words(k, new, names)))
    return shown


def describe(row: AuditRow, names: Names) -> Described:
    obj, href = _object(row, names)
    kind = ENTITY_KINDS.get(row.entity)
    return Described(
        id=row.id, at=local_time(row.at), who=row.actor_username, role=label(row.actor_role),
        region=region_name(row.actor_region) if row.actor_region else "",
        action=action_name(row.action), action_code=row.action,
        kind=str(kind) if kind is not None else row.entity, object=obj, href=href,
        changes=_changes(row, names))
