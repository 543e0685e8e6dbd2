"""Facts as of a time (DESIGN: "Facts as of a time"): what the journal recorded of regions,
zones, projects and agreements up to a journal sequence number — never the current rows.

Every change of such a row is a journal entry whose `after` holds the row's recorded facts, or
those it changed (ledger.postings.journal.RECORDED and `compact`; any action on the kind, as
ledger verify replays it: other keys of `after`, such as a correction's reason, are no facts of
the row; and every `agreement.*` action for an agreement version and its chain). The facts of an entity as of seq
`s` are those of its newest such entry with id <= s. A migrated database's journal starts with a
baseline entry holding every fact the tables held then: it counts as an entry of every entity
it names, and an entity's facts before it are the baseline's (the oldest the journal knows).

`history` reads the records of the wanted entities once — one indexed read (audit_log's
(entity, entity_id) index) per entity kind, each entity's whole history — so a document's facts
at its own time and at every later change come from the same read."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.models import AuditEntry
from ledger.postings.checkpoints import journal_head_at
from ledger.postings.journal import RECORDED
from ledger.postings.replay import BASELINE

KINDS = ("region", "zone", "project", "agreement")
# Where a baseline entry keeps each kind's facts (keys as text; see the journal migration).
_BASELINE_KEYS = {"region": "regions", "zone": "zones", "project": "projects"}


@dataclass(frozen=True)
class Record:
    """One journal entry's record of one entity."""

    seq: int
    at: datetime
    kind: str
    key: str
    action: str
    values: dict

    @property
    def baseline(self) -> bool:
        return self.action == BASELINE


@dataclass
class History:
    """The records of some entities in journal order, and the baseline entries read with them."""

    records: dict[tuple[str, str], list[Record]] = field(default_factory=dict)
    baselines: list[Record] = field(default_factory=list)  # values: the whole baseline

    def of(self, kind: str, key) -> list[Record]:
        return self.records.get((kind, str(key)), [])

    def at(self, kind: str, key, seq: int) -> dict | None:
        """The recorded facts of an entity as of journal seq `seq`; None when the journal has
        none by then (the entity did not exist yet)."""
        found = None
        records = self.of(kind, key)
        for record in records:
            if record.seq > seq:
                break
            found = record
        if found is None and records and records[0].baseline:
            found = records[0]  # before the journal recorded it: the oldest facts known
        return None if found is None else found.values

    def later(self, seq: int) -> list[tuple[int, datetime]]:
        """(seq, at) of every entry after `seq` that changed one of these entities, in order."""
        return sorted({(r.seq, r.at) for records in self.records.values() for r in records
                       if r.seq > seq and not r.baseline})


def head_at(session: Session, moment: datetime) -> int:
    """The journal seq as of `moment` (0: none): the head a document's checkpoint names, by the
    same lookup (ledger.postings.checkpoints.journal_head_at)."""
    head = journal_head_at(session, moment)
    return head[0] if head else 0


# Built once, bound per call: the baselines, and one kind's records (of some entities, or of
# every entity) after the first baseline — each entry of a kind is an action `kind.*`.
_BASELINES = (sa.select(AuditEntry.id, AuditEntry.at, AuditEntry.after)
              .where(AuditEntry.entity == "journal", AuditEntry.action == BASELINE)
              .order_by(AuditEntry.id))
_ALL_RECORDS = (sa.select(AuditEntry.id, AuditEntry.at, AuditEntry.action, AuditEntry.entity_id,
                          AuditEntry.after)
                .where(AuditEntry.entity == sa.bindparam("kind"),
                       AuditEntry.action.like(sa.bindparam("actions")),
                       AuditEntry.id > sa.bindparam("first"))
                .order_by(AuditEntry.id))
_RECORDS = _ALL_RECORDS.where(AuditEntry.entity_id.in_(sa.bindparam("keys", expanding=True)))


def history(session: Session, wanted: dict[str, Iterable | None],
            known: History | None = None) -> History:
    """The records of the wanted entities: kind → keys (None: every entity of that kind);
    added to `known` (read before, with its baselines) when given."""
    if known is None:
        known = History()
        for seq, at, text in session.execute(_BASELINES):
            known.baselines.append(Record(seq, at, "journal", "", BASELINE, json.loads(text)))
    out = known
    first = out.baselines[0].seq if out.baselines else 0
    for kind, keys in wanted.items():
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        query, bound = _ALL_RECORDS, {"kind": kind, "actions": f"{kind}.%", "first": first}
        if keys is not None:
            keys = sorted({str(k) for k in keys})
            if not keys:
                continue
            query, bound["keys"] = _RECORDS, keys
        for seq, at, action, key, text in session.execute(query, bound):
            values = json.loads(text) if text is not None else None
            if not isinstance(values, dict):
                continue
            if kind != "agreement":
                values = {k: v for k, v in values.items() if k in RECORDED[kind]}
            out.records.setdefault((kind, key), []).append(
                Record(seq, at, kind, key, action, values))
        _add_baselines(out, kind, keys)
        if kind != "agreement":
            _accumulate(out, kind)
    return out


def _accumulate(out: History, kind: str) -> None:
    """Each record with every fact of its entity: an update holds only those it changed
    (journal hash_version 2), the facts before it are the entity's earlier records' (a
    baseline holds them all)."""
    for (k, key), records in out.records.items():
        if k != kind:
            continue
        facts: dict = {}
        for i, r in enumerate(records):
            facts = r.values if r.baseline else facts | r.values
            records[i] = replace(r, values=facts)


def _add_baselines(out: History, kind: str, keys: list[str] | None) -> None:
    """Each baseline as a record of every wanted entity it names, in journal order: the
    entries before the first baseline are not read (the journal did not record every fact
    then; ledger verify replays from a baseline too)."""
    name = _BASELINE_KEYS.get(kind)
    if name is None:  # agreements are paired with their workflow events instead
        return
    for baseline in out.baselines:
        facts = baseline.values.get(name, {})
        for key in (facts if keys is None else keys):
            if key in facts:
                records = out.records.setdefault((kind, key), [])
                records.append(Record(baseline.seq, baseline.at, kind, key, BASELINE, facts[key]))
                records.sort(key=lambda r: r.seq)


def baseline_versions(history: History, number: str) -> dict[int, dict]:
    """version → recorded facts of an agreement's versions in the newest baseline."""
    if not history.baselines:
        return {}
    return {version: values for n, version, values in history.baselines[-1].values["versions"]
            if n == number}
