"""The journal: the audit log, hash-chained. Every state change is appended here, in the
transaction that makes it, under the write lock, by the appender (ledger.postings.append;
commands call it through ledger.commands.common.audit) and nowhere else.

Canonical encoding, hash_version 2 — the UTF-8 bytes of the compact JSON array (keys of the
objects sorted, separators "," and ":", non-ASCII characters unescaped)
    [2, seq, "<at YYYY-MM-DDTHH:MM:SS.ffffffZ>", actor_id|null, actor_username, actor_role,
     actor_region|null, action, entity, entity_id, before|null, after|null,
     postings_seq, postings_hash]
where before and after are the JSON values the entry stores as canonical text; hash =
hex(SHA-256(prev_hash as 64 ASCII hex digits ‖ encoding)), prev_hash being the previous
entry's hash (the first's is 64 zeros). Each entry carries the postings head at the time it was
appended, so the journal's head hash stands for the postings too. The hashes are stored as
their 32 bytes (ledger.db.Hash) and hashed as their hex text.

hash_version 2 is version 1's array with a 2 first, and compact: an update of a recorded row
(RECORDED, `before` and `after` both given) keeps in both only the facts it changed (`compact`);
its replay adds them to the facts already known (ledger.postings.replay). Entries of version 1
keep verifying under it: they hold every fact before and after.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from json.encoder import encode_basestring as _text  # canonical() of a string
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.domain.periods import utc_text
from ledger.models import AuditEntry
from ledger.postings.chain import GENESIS_HASH, HEAD as postings_head_statement

HASH_VERSION = 2
VERSIONS = (1, 2)

# What the journal records of each kind of row: the facts `ledger verify` replays against the
# tables (never a password hash).
RECORDED: dict[str, tuple[str, ...]] = {
    "region": ("code", "name", "level", "parent_code"),
    "zone": ("name", "level", "kind", "region_code", "blocks", "leading_industries",
             "restricted_industries"),
    "user": ("username", "role", "region_code", "active"),
    "project": ("name", "investor_name", "investor_credit_code", "investor_foreign",
                "industry_code", "project_code", "planned_investment", "zone_id", "host_code",
                "stage", "signed_on", "started_on", "operating_on", "cancelled_on"),
    "version": ("version", "status", "recommender_share", "funds_share", "first_year", "last_year",
                "signed_on", "recommender_signatory", "receiver_signatory", "reason",
                "proposed_by", "confirmed_at", "submitted_at", "statistics_ack_at",
                "commerce_ack_at", "return_reason", "filing_year", "filing_seq",
                "filing_number", "filed_on", "superseded_from"),
    "chain": ("number", "project_id", "recommender_code", "receiver_code", "ended_as"),
}


def record(kind: str, obj: Any) -> dict[str, Any]:
    """The facts the journal keeps of `obj`, JSON-ready (dates and times as ISO text)."""
    return {name: _plain(getattr(obj, name)) for name in RECORDED[kind]}


def compact(action: str, before: Any, after: Any) -> tuple[Any, Any]:
    """What a version-2 entry stores of an update of a recorded row: only the keys whose values
    changed (or that one side alone has). Other entries are stored as given."""
    if not (isinstance(before, dict) and isinstance(after, dict)) \
            or action.partition(".")[0] not in RECORDED:
        return before, after
    same = {k for k in before.keys() & after.keys() if before[k] == after[k]}
    return ({k: v for k, v in before.items() if k not in same},
            {k: v for k, v in after.items() if k not in same})


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return utc_text(value)
    return value.isoformat() if isinstance(value, date) else value


def canonical(value: Any) -> str:
    """The one JSON text of a value: sorted keys, no spaces, characters as themselves."""
    return _CANONICAL(value)


# json.dumps with these arguments builds this encoder on every call
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


class Canonical(str):
    """A JSON value given as its canonical() text, written out by a caller that makes
    thousands of entries of one shape (a report's: ledger.commands.reports): stored and
    hashed as it is, not encoded again. compact() leaves it as given."""


def _stored(value: Any) -> str | None:
    """The text an entry's before or after is stored as."""
    if value is None:
        return None
    return str(value) if type(value) is Canonical else canonical(value)


def parsed(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def encoding(e: AuditEntry, values: tuple[Any, Any] | None = None) -> bytes:
    """`values`: (before, after) already parsed from the entry's texts — verify parses each
    entry once, for the hash and for the replay."""
    before, after = values if values is not None else (parsed(e.before), parsed(e.after))
    return _encoded({"id": e.id, "at": e.at, "actor_id": e.actor_id,
                     "actor_username": e.actor_username, "actor_role": e.actor_role,
                     "actor_region": e.actor_region, "action": e.action, "entity": e.entity,
                     "entity_id": e.entity_id, "before": before, "after": after,
                     "postings_seq": e.postings_seq, "postings_hash": e.postings_hash},
                    e.hash_version)


def _encoded(row: dict, version: int = HASH_VERSION) -> bytes:
    """The canonical encoding of an entry given by its columns, before and after as JSON
    values (canonical() of the values equals canonical() of the values parsed back from
    their canonical text: string keys, JSON values)."""
    return canonical([version, row["id"], utc_text(row["at"]), row["actor_id"],
                      row["actor_username"], row["actor_role"], row["actor_region"],
                      row["action"], row["entity"], row["entity_id"], row["before"],
                      row["after"], row["postings_seq"], row["postings_hash"]]).encode("utf-8")


def chain_hash(prev_hash: str, e: AuditEntry, values: tuple[Any, Any] | None = None) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + encoding(e, values)).hexdigest()


_log = AuditEntry.__table__
_HEAD = sa.select(_log.c.id, _log.c.hash).order_by(_log.c.id.desc()).limit(1)  # built once


def head(session: Session) -> tuple[int, str]:
    """(seq, hash) of the newest entry; (0, GENESIS_HASH) for an empty journal."""
    row = session.connection().execute(_HEAD).first()
    return (row.id, row.hash) if row else (0, GENESIS_HASH)


def _newest(head_stmt: sa.Select) -> list[sa.ScalarSelect]:
    """A head statement's two columns as scalar subqueries (NULL for an empty chain)."""
    return [head_stmt.with_only_columns(c).scalar_subquery() for c in head_stmt.selected_columns]


# Both heads as four columns, for `heads` and for a statement that reads them beside what
# it reads (ledger.commands.reports._at_once): heads_of turns them back into Heads.
HEAD_COLUMNS = (*_newest(postings_head_statement), *_newest(_HEAD))
_HEADS = sa.select(*HEAD_COLUMNS)


Heads = tuple[tuple[int, str], tuple[int, str]]  # (postings head, journal head)


def heads(session: Session) -> Heads:
    """(postings head, journal head), as postings.head and head read them, in one statement."""
    return heads_of(*session.connection().execute(_HEADS).one())


def heads_of(p_seq: int | None, p_hash: str | None, seq: int | None, prev: str | None
             ) -> Heads:
    """The values of HEAD_COLUMNS as Heads."""
    return ((0, GENESIS_HASH) if p_seq is None else (p_seq, p_hash),
            (0, GENESIS_HASH) if seq is None else (seq, prev))


def chain_rows(prev: tuple[int, str], batches: list[tuple[dict, list[dict]]]) -> list[dict]:
    """Entries (ledger.postings.append.Append: batches of what their entries share — at,
    actor_*, action, entity and the postings head they carry — and each entry's entity_id,
    before and after, as JSON values with string keys) chained after `prev` as rows of
    audit_log. The appender holds the write lock and inserts them.

    Each hash is of the text whose UTF-8 bytes are _encoded(row), written around the stored
    texts of before and after instead of their values encoded again — the same bytes,
    canonical() of a value being the same alone and inside the array — with what the entries
    of a batch share encoded once for all of them (tests/postings/test_encoding.py holds it to
    verify's hashing)."""
    seq, prev_hash = prev
    rows = []
    for shared, changes in batches:
        at, actor_id, username, role, region, action, entity, postings_seq, postings_hash = (
            shared["at"], shared["actor_id"], shared["actor_username"], shared["actor_role"],
            shared["actor_region"], shared["action"], shared["entity"], shared["postings_seq"],
            shared["postings_hash"])
        who = canonical([utc_text(at), actor_id, username, role, region, action, entity])[1:-1]
        tail = f",{int.__repr__(postings_seq)},{_text(postings_hash)}]"
        for change in changes:
            seq += 1
            before, after = compact(action, change["before"], change["after"])
            before, after = _stored(before), _stored(after)
            entity_id = change["entity_id"]
            # prev_hash is ASCII: its UTF-8 bytes are its ASCII bytes, encoded with the rest
            prev_hash = hashlib.sha256(
                f"{prev_hash}[{HASH_VERSION},{int.__repr__(seq)},{who},{_text(entity_id)},"
                f"{'null' if before is None else before},"
                f"{'null' if after is None else after}{tail}".encode("utf-8")).hexdigest()
            rows.append({"id": seq, "at": at, "actor_id": actor_id, "actor_username": username,
                         "actor_role": role, "actor_region": region, "action": action,
                         "entity": entity, "entity_id": entity_id, "before": before,
                         "after": after, "postings_seq": postings_seq,
                         "postings_hash": postings_hash, "hash_version": HASH_VERSION,
                         "hash": prev_hash})
    return rows


