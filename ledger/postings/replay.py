"""Replaying the journal: the facts it records, rebuilt entry by entry, to hold against the tables
and the postings. Every fact that can change a figure or a filing — regions and their parents,
projects with their host and stage, every report revision, every agreement version and workflow
event with its filing number, every year's closing and reopening — is in the journal, so a table
that disagrees with the replay was changed behind the application's back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ledger.domain.enums import YearAction
from ledger.domain.money import parse_amount
from ledger.models import AuditEntry


# The entry a migration writes when it starts the journal's replay from the tables as they were.
BASELINE = "journal.baseline"
# Entries whose `after` holds a row's recorded facts (ledger.postings.journal.RECORDED); other
# entries (tokens, imports as a whole …) change no fact a figure or filing depends on.
ROW_ACTIONS = {"region.create", "zone.create", "zone.update", "user.create", "user.update",
               "project.create", "project.update", "project.correct", "project.stage"}
# Keys of such an `after` that are no fact of the row: a password, a correction's reason.
NOT_FACTS = ("password", "reason")

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

    def apply(self, e: AuditEntry, before: Any, after: Any) -> None:
        """`before` and `after`: the entry's texts, parsed."""
        kind, _, verb = e.action.partition(".")
        if e.action == BASELINE:
            self._baseline(after, e.id)
        elif e.action in ROW_ACTIONS:
            key = e.entity_id if kind == "region" else int(e.entity_id)
            table = getattr(self, f"{kind}s")
            known = table[key].values if key in table else {}
            table[key] = Fact(known | {k: v for k, v in after.items() if k not in NOT_FACTS}, e.id)
        elif e.action == "investment.report":
            project_id = int(e.entity_id)
            self.reports[(project_id, after["period"], after["revision"])] = Fact(
                {"amount": parse_amount(after["amount"]), "note": after["note"]}, e.id)
        elif kind == "agreement":
            self._agreement(e, verb, before, after)
        elif e.action in ("year.close", "year.reopen"):
            year = int(e.entity_id)
            self.years[year] = Fact({"status": after["status"]}, e.id)
            self.year_events.append(Fact({"year": year, "action": YearAction(verb),
                                          "reason": after.get("reason")}, e.id))

    def _baseline(self, facts: dict, seq: int) -> None:
        """Every fact as the tables held it when the journal began recording them all."""
        self.__init__()
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
            "actor_role": e.actor_role, "actor_region": e.actor_region,
            "reason": after.get("action_reason")}, e.id))
