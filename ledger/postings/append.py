"""The appender: the one code that writes to the two chains — the postings (with the running
balances they move) and the journal. The reconciler, the report pipeline and every command's
journal entry (ledger.commands.common.audit) append through it.

An `Append` belongs to one write transaction. It takes the write lock, reads both heads once
(or starts from the heads the caller read under the lock), chains rows in memory — postings
after the postings head, journal entries after the journal head, each entry carrying the
postings head as it stands after the postings added before it — and `flush()` inserts them
with one statement per table (COPY on PostgreSQL for many rows: ledger.db.insert_rows; for a
few, all of them in one round trip: ledger.db.pipelined). The
heads carry over from one flush to the next, so a large batch may flush as it goes. Nothing
else may append in the transaction while an Append is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ledger.db import insert_rows, lock_for_append, pipelined
from ledger.domain.enums import PostingRole
from ledger.models import AuditEntry, Posting
from ledger.postings import balances, journal
from ledger.postings.chain import HASH_VERSION, hasher


@dataclass
class Planned:
    """What one (project, year, line) needs appended — the reconciler's differences — and what the
    postings name."""

    project_id: int
    host_code: str
    year: int
    indicator: str
    reference: tuple[int | None, int | None]   # (agreement_id, version) on non-host postings
    # (period, region, role) → amount, in the order of the postings: by period, then role
    # (ROLE_ORDER), then region
    diff: dict[tuple[str, str, str], int]


ROLE_ORDER = {PostingRole.HOST: 0, PostingRole.RECOMMENDER: 1, PostingRole.RECEIVER: 2}
_HOST = PostingRole.HOST


class Append:
    def __init__(self, session: Session, at: datetime, heads: journal.Heads | None = None):
        """`at`: the recording time of every posting. `heads`: both heads as the caller read
        them under the lock (ledger.commands.common.read_then_lock_heads), else read here."""
        self.session, self.at = session, at
        lock_for_append(session)
        self._postings_head, self._journal_head = (
            heads if heads is not None else journal.heads(session))
        self._postings: list[dict] = []
        # the journal entries added since the last flush, as batches: what a batch's entries
        # share (who, when, what, the postings head) and each one's entity_id, before and after
        self._entries: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []

    def postings(self, planned: Planned, cause: str) -> list[dict]:
        """The postings of one plan (the reconciler's differences of a project-year), chained
        after those added so far; returns their rows."""
        seq, prev = self._postings_head
        agreement_id, version = planned.reference
        project_id, indicator, host_code, year = (planned.project_id, planned.indicator,
                                                  planned.host_code, planned.year)
        at = self.at
        hash_ = hasher(project_id, host_code, indicator, cause, at)
        rows = []
        for (period, region, role), amount in planned.diff.items():
            seq += 1
            if role == _HOST:
                on_agreement = on_version = None
            else:
                on_agreement, on_version = agreement_id, version
            hash_of = hash_(prev, seq, on_agreement, on_version, region, role, period, amount)
            rows.append({"seq": seq, "project_id": project_id, "indicator": indicator,
                         "host_code": host_code, "agreement_id": on_agreement,
                         "version": on_version, "region_code": region, "role": role,
                         "period": period, "year": year, "amount": amount, "cause": cause,
                         "recorded_at": at, "hash_version": HASH_VERSION, "prev_hash": prev,
                         "hash": hash_of})
            prev = hash_of
        self._postings_head = (seq, prev)
        self._postings += rows
        return rows

    def entry(self, *, at: datetime, actor_id: int | None, actor_username: str,
              actor_role: str, actor_region: str | None, action: str, entity: str,
              entity_id: str, before: Any = None, after: Any = None) -> None:
        """One journal entry (before/after as JSON values with string keys), after the
        postings added so far: it carries their head."""
        seq, hash_ = self._postings_head
        self._entries.append((
            {"at": at, "actor_id": actor_id, "actor_username": actor_username,
             "actor_role": actor_role, "actor_region": actor_region, "action": action,
             "entity": entity, "postings_seq": seq, "postings_hash": hash_},
            [{"entity_id": entity_id, "before": before, "after": after}]))

    def entries(self, fields: dict[str, Any], changes: list[dict[str, Any]]) -> None:
        """Many journal entries at once, after the postings added so far: `fields` are
        entry()'s keywords they share (at, actor_*, action, entity), each of `changes` has an
        entity_id, before and after — as entry() would add them one by one."""
        if fields.keys() | _CHANGE != _ENTRY or fields.keys() & _CHANGE:
            raise TypeError(f"entries() takes {sorted(_ENTRY - _CHANGE)}, got {sorted(fields)}")
        seq, hash_ = self._postings_head
        for change in changes:
            if change.keys() != _CHANGE:
                raise TypeError(f"an entry's change has {sorted(_CHANGE)}, got {sorted(change)}")
        if changes:
            self._entries.append(({**fields, "postings_seq": seq, "postings_hash": hash_},
                                  list(changes)))

    def flush(self) -> None:
        """Insert what was added since the last flush: the postings and the balances they
        move, then the journal entries."""
        conn = self.session.connection()
        with pipelined(conn, len(self._postings) + len(self._entries)):
            if self._postings:
                insert_rows(conn, Posting.__table__, self._postings)
                balances.add(conn, self._postings)
                self._postings = []
            if self._entries:
                rows = journal.chain_rows(self._journal_head, self._entries)
                insert_rows(conn, AuditEntry.__table__, rows)
                self._journal_head = (rows[-1]["id"], rows[-1]["hash"])
                self._entries = []


# entry()'s keywords, and those of them that differ from entry to entry of a batch
_ENTRY = frozenset(("at", "actor_id", "actor_username", "actor_role", "actor_region", "action",
                    "entity", "entity_id", "before", "after"))
_CHANGE = frozenset(("entity_id", "before", "after"))


def entry(session: Session, *, before: Any = None, after: Any = None, **fields: Any) -> None:
    """One journal entry on its own (a command's change, ledger.commands.common.audit), after
    the change's rows: those pending in the session are flushed first, under the lock. Its
    before/after may be any JSON-ready values (integer keys, tuples): they are hashed as they
    read back from their stored text."""
    lock_for_append(session)
    session.flush()
    append = Append(session, fields["at"])
    append.entry(before=_as_stored(before), after=_as_stored(after), **fields)
    append.flush()


def _as_stored(value: Any) -> Any:
    return None if value is None else journal.parsed(journal.canonical(value))
