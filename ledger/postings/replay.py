"""Replaying the journal: the facts it records, rebuilt entry by entry, to hold against the tables
and the postings. Every fact that can change a figure, a filing or a document — regions and their
parents, projects with their host and stage, every report revision with who reported it and when,
every agreement version and workflow event with its filing number, actor and time, every year's
closing and reopening, every document registered with its digest — is in the journal, so a
table that disagrees with the replay was changed behind the application's back.

Who and when come from the entry itself (`at`, `actor_id`): a command writes its rows and their
entry at one reading of the clock (ledger.commands.common.audit). Facts from the baseline have
no entry of their own, so they carry no who and when, and those columns go unchecked for them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ledger.domain.enums import YearAction
from ledger.domain.money import parse_amount
from ledger.domain.periods import utc_text
from ledger.models import AuditEntry
from ledger.postings.journal import RECORDED


# The entry a migration writes when it starts the journal's replay from the tables as they were.
BASELINE = "journal.baseline"
# The kinds of row whose entries (any action: create, update, stage, correct …) carry in `after`
# the row's recorded facts (ledger.postings.journal.RECORDED) — all of them or those changed;
# other keys of `after` (a reason, "password": "changed") are not facts of the row. Other
# entries (tokens, imports as a whole …) change no fact a figure, filing or document depends on.
ROW_KINDS = {"region": str, "zone": int, "user": int, "project": int}
# The entries of a receipt's revisions, and what they record of it (with its amount, its
# project and its revision number); what an evidence entry records of its file.
FUNDS_REVISIONS = ("funds.record", "funds.correct", "funds.void")
RECEIPT = ("received_on", "source", "payer", "note", "voided")
EVIDENCE = ("kind", "filename", "media_type", "size", "sha256")
# Of a `document.download` entry's `after`, what is about the download, not the document.
DOWNLOAD_ONLY = ("bytes", "registered")

@dataclass
class Fact:
    """A row as the journal has it, and the entry that last set it."""

    values: dict[str, Any]
    seq: int


@dataclass
class Replay:
    regions: dict[str, Fact] = field(default_factory=dict)
    zones: dict[int, Fact] = field(default_factory=dict)
    users: dict[int, Fact] = field(default_factory=dict)
    projects: dict[int, Fact] = field(default_factory=dict)
    reports: dict[tuple[int, str, int], Fact] = field(default_factory=dict)
    chains: dict[str, Fact] = field(default_factory=dict)                    # by number
    versions: dict[tuple[str, int], Fact] = field(default_factory=dict)      # (number, version)
    events: dict[str, list[Fact]] = field(default_factory=dict)              # number → workflow
    years: dict[int, Fact] = field(default_factory=dict)                     # closed or reopened
    year_events: list[Fact] = field(default_factory=list)
    documents: dict[str, Fact] = field(default_factory=dict)                 # by document id
    funds: dict[int, Fact] = field(default_factory=dict)                     # receipt id → now
    funds_revisions: dict[tuple[int, int], Fact] = field(default_factory=dict)  # (receipt, rev.)
    evidence: dict[int, Fact] = field(default_factory=dict)                  # by evidence id

    def apply(self, e: AuditEntry, before: Any, after: Any) -> None:
        """`before` and `after`: the entry's texts, parsed."""
        kind, _, verb = e.action.partition(".")
        if e.action == BASELINE:
            self._baseline(after, e.id)
        elif kind in ROW_KINDS and isinstance(after, dict):
            key = ROW_KINDS[kind](e.entity_id)
            table = getattr(self, f"{kind}s")
            known = table[key].values if key in table else {}
            recorded = RECORDED[kind]
            table[key] = Fact(known | {k: v for k, v in after.items() if k in recorded}, e.id)
        elif e.action == "investment.report":
            project_id = int(e.entity_id)
            self.reports[(project_id, after["period"], after["revision"])] = Fact(
                {"amount": parse_amount(after["amount"]), "note": after["note"],
                 "reported_by": e.actor_id, "reported_at": e.at}, e.id)
        elif e.action in FUNDS_REVISIONS:
            self._funds(e, after)
        elif e.action == "funds.evidence":
            self.evidence[after["evidence_id"]] = Fact(
                {"receipt_id": int(e.entity_id), **{k: after[k] for k in EVIDENCE},
                 "uploaded_by": e.actor_id, "uploaded_at": e.at}, e.id)
        elif e.action == "document.download":
            self._download(e, after)
        elif kind == "agreement":
            self._agreement(e, verb, before, after)
        elif e.action in ("year.close", "year.reopen"):
            year = int(e.entity_id)
            self.years[year] = Fact({"status": after["status"], "changed_at": e.at}, e.id)
            self.year_events.append(Fact({"year": year, "action": YearAction(verb),
                                          "reason": after.get("reason"), "actor_id": e.actor_id,
                                          "at": e.at}, e.id))

    def _baseline(self, facts: dict, seq: int) -> None:
        """Every fact as the tables held it when the journal began recording them all (documents
        are not in it: every one registered has its own entry, kept across a baseline)."""
        documents = self.documents
        self.__init__()
        self.documents = documents
        for kind in ("regions", "zones", "users", "projects", "chains"):
            int_keys = kind in ("zones", "users", "projects")
            getattr(self, kind).update({int(k) if int_keys else k: Fact(v, seq)
                                        for k, v in facts[kind].items()})
        self.reports = {(p, period, rev): Fact({"amount": amount, "note": note}, seq)
                        for p, period, rev, amount, note in facts["reports"]}
        self.versions = {(number, version): Fact(values, seq)
                         for number, version, values in facts["versions"]}
        self.events = {number: [Fact(v, seq) for v in values]
                       for number, values in facts["events"].items()}
        self.years = {int(y): Fact({"status": s}, seq) for y, s in facts["years"].items()}
        self.year_events = [Fact({"year": y, "action": a, "reason": r}, seq)
                            for y, a, r in facts["year_events"]]

    def _agreement(self, e: AuditEntry, verb: str, before: dict | None, after: dict) -> None:
        number = e.entity_id
        chain = {k: after[k] for k in ("project_id", "recommender_code", "receiver_code", "ended_as")}
        self.chains[number] = Fact(chain, e.id)
        version = {k: v for k, v in after.items()
                   if k not in chain and k not in ("number", "action_reason")}
        self.versions[(number, after["version"])] = Fact(version, e.id)
        self.events.setdefault(number, []).append(Fact({
            "version": after["version"], "action": verb,
            "from_status": before["status"] if before else None, "to_status": after["status"],
            "actor_id": e.actor_id, "actor_role": e.actor_role, "actor_region": e.actor_region,
            "reason": after.get("action_reason"), "at": e.at}, e.id))

    def _funds(self, e: AuditEntry, after: dict) -> None:
        """A receipt recorded, corrected or voided: its new revision, which is what it now is."""
        receipt = int(e.entity_id)
        revision = {k: after[k] for k in RECEIPT} | {
            "amount": parse_amount(after["amount"]), "recorded_by": e.actor_id, "recorded_at": e.at}
        self.funds_revisions[(receipt, after["revision"])] = Fact(
            revision | {"reason": after["reason"]}, e.id)
        self.funds[receipt] = Fact(revision | {
            "project_id": after["project_id"], "revision": after["revision"],
            "period": after["received_on"][:7]}, e.id)

    def _download(self, e: AuditEntry, after: dict) -> None:
        """The first download registers the document (its row: what it is, its digest, who
        issued it first and when — times as the journal writes them, like the entry's as_of);
        a later one must name the same document, for the
        application refuses another digest under a registered id (409 document.changed)."""
        document = {k: v for k, v in after.items() if k not in DOWNLOAD_ONLY}
        known = self.documents.get(e.entity_id)
        if after["registered"]:
            if known is not None:
                raise ValueError(f"document {e.entity_id} registered twice")
            self.documents[e.entity_id] = Fact(document | {
                "first_issued_at": utc_text(e.at), "first_issued_by_id": e.actor_id,
                "first_issued_by": e.actor_username}, e.id)
        elif known is None or any(k in known.values and known.values[k] != v
                                   for k, v in document.items()):
            raise ValueError(f"document {e.entity_id} downloaded as another than registered")
