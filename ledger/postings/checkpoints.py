"""Signed checkpoints: the heads of both chains as of a time, signed with the deployment's key.

Canonical message, version 1 — the UTF-8 bytes of the compact JSON array
    [1, "<at YYYY-MM-DDTHH:MM:SS.ffffffZ>", journal_seq, journal_hash, postings_seq,
     postings_hash, reason]
signed with Ed25519. A checkpoint is written when a year is closed, and at the start of an hour
(UTC) when a document is first issued for an as-of time in that hour and no checkpoint of that
hour at or before its as-of time exists yet (`covering`): downloads sign at most one checkpoint
per hour of as-of times, whatever their number. The document prints the newest checkpoint of
its hour at or before its as-of time — always the same one, so printing it again gives the same
bytes (a checkpoint written later is at an hour's start, which is older, or at a year's close,
which is after every as-of time already printed)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.orm import Session

from ledger import signing
from ledger.domain.periods import utc_text
from ledger.models import AuditEntry, Checkpoint, Posting
from ledger.postings.chain import GENESIS_HASH
from ledger.postings.journal import canonical


def message(c: Checkpoint) -> bytes:
    return canonical([1, utc_text(c.at), c.journal_seq, c.journal_hash, c.postings_seq,
                      c.postings_hash, c.reason]).encode("utf-8")


def hour_of(at: datetime) -> datetime:
    """The start of the hour (UTC, so also Beijing's) of `at`: where a document's checkpoint
    is written when its hour has none at or before its as-of time."""
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def covering(session: Session, at: datetime) -> Checkpoint | None:
    """The checkpoint a document as of `at` prints: the newest one of the hour of `at` that is
    at or before `at` (None: write one at `hour_of(at)`)."""
    return session.scalar(sa.select(Checkpoint).where(Checkpoint.at <= at,
                                                      Checkpoint.at >= hour_of(at))
                          .order_by(Checkpoint.at.desc()).limit(1))


def journal_head_at(session: Session, at: datetime) -> tuple[int, str] | None:
    """(seq, hash) of the newest journal entry recorded at or before `at` (None: none).

    One seek down the (time, sequence) index: the chains are appended under the write lock
    with the clock's time, so their times rise with their sequence numbers, and the last row in
    that order at or before `at` is the newest. (ORDER BY the sequence alone, or max() of it,
    walked every later row or read every earlier one.)"""
    return session.execute(sa.select(AuditEntry.id, AuditEntry.hash).where(AuditEntry.at <= at)
                           .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                           .limit(1)).first()


def postings_head_at(session: Session, at: datetime):
    """(seq, hash, recorded_at) of the newest posting recorded at or before `at` (None: none),
    by the same one seek as journal_head_at."""
    return session.execute(sa.select(Posting.seq, Posting.hash, Posting.recorded_at)
                           .where(Posting.recorded_at <= at)
                           .order_by(Posting.recorded_at.desc(), Posting.seq.desc())
                           .limit(1)).first()


def heads_as_of(session: Session, at: datetime) -> tuple[int, str, int, str]:
    """(journal seq, hash, postings seq, hash) of the newest entries recorded at or before
    `at` (0 and the genesis hash for an empty chain)."""
    journal = journal_head_at(session, at)
    posting = postings_head_at(session, at)
    return (*(journal or (0, GENESIS_HASH)), *(posting[:2] if posting else (0, GENESIS_HASH)))


def checkpoint(session: Session, key: Ed25519PrivateKey, at: datetime, reason: str) -> Checkpoint:
    """The checkpoint as of `at`: the one already written for that time, or a new one (the
    caller holds the write lock)."""
    found = session.scalar(sa.select(Checkpoint).where(Checkpoint.at == at))
    if found is not None:
        return found
    j_seq, j_hash, p_seq, p_hash = heads_as_of(session, at)
    c = Checkpoint(at=at, journal_seq=j_seq, journal_hash=j_hash, postings_seq=p_seq,
                   postings_hash=p_hash, reason=reason, key_id=signing.key_id(key.public_key()))
    c.signature = signing.sign(key, message(c))
    session.add(c)
    session.flush()
    return c


def problems(session: Session, keys: dict[str, Ed25519PublicKey]) -> list[str]:
    """Each checkpoint must carry a good signature of a known key, and both chains must still
    hold the entries it names (re-hashing or truncating them cannot keep a signature valid)."""
    out = []
    for c in session.scalars(sa.select(Checkpoint).order_by(Checkpoint.at)):
        label = f"checkpoint of {utc_text(c.at)} ({c.reason})"
        key = keys.get(c.key_id)
        if key is None:
            out.append(f"{label}: signed by unknown key {c.key_id}")
        elif not signing.is_valid(key, message(c), c.signature):
            out.append(f"{label}: the signature does not match its contents")
        for name, model, column, seq, digest in (
                ("journal", AuditEntry, AuditEntry.id, c.journal_seq, c.journal_hash),
                ("postings", Posting, Posting.seq, c.postings_seq, c.postings_hash)):
            if seq == 0:
                continue
            held = session.scalar(sa.select(model.hash).where(column == seq))
            if held != digest:
                out.append(f"{label}: the {name} no longer holds entry {seq} with hash "
                           f"{digest[:16]}…")
    return out
