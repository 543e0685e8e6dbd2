"""The hash chain of the postings.

Canonical encoding, hash_version 3 (every posting written since the second accounting line
came) — the UTF-8 bytes of the compact JSON array
    [3, seq, project_id, indicator, host_code, agreement_id|null, version|null, region_code,
     role, period, "<amount as an integer string of 0.01万元>", cause,
     "<recorded_at YYYY-MM-DDTHH:MM:SS.ffffffZ>"]
(separators "," and ":", non-ASCII characters unescaped). Older rows keep verifying under their
own version, all of them completed investment: hash_version 2 is the same without the
indicator, hash_version 1 without the indicator and host_code.
hash = hex(SHA-256(prev_hash as 64 ASCII hex digits ‖ encoding)), prev_hash being the previous
posting's hash (the first's is 64 zeros). Hashes are stored as their 32 bytes (ledger.db.Hash);
the predecessor's is not stored again: it is the hash of the row seq - 1.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from json.encoder import encode_basestring as _text  # json's escaping, ensure_ascii=False

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.domain.periods import utc_text
from ledger.models import Posting

HASH_VERSION = 3
VERSIONS = (1, 2, 3)
GENESIS_HASH = "0" * 64


def canonical_encoding(p: Posting) -> bytes:
    return encode(p.hash_version, p.seq, p.project_id, p.host_code, p.agreement_id, p.version,
                  p.region_code, p.role, p.period, p.amount, p.cause, p.recorded_at, p.indicator)


def encode(hash_version: int, seq: int, project_id: int, host_code: str,
           agreement_id: int | None, version: int | None, region_code: str, role: str,
           period: str, amount: int, cause: str, recorded_at: datetime, indicator: str) -> bytes:
    """The canonical encoding of a posting given by its fields (the bulk path hashes rows
    before any object exists). Written out rather than by json.dumps of a list (a tenth of a
    bulk import's time): each string through json's own escaping, integers and null as json
    writes them — the same bytes (tests/postings/test_encoding.py compares them)."""
    line = f"{_text(indicator)}," if hash_version >= 3 else ""
    host = f"{_text(host_code)}," if hash_version >= 2 else ""
    return (f"[{hash_version},{seq},{project_id},{line}{host}{_number(agreement_id)},"
            f"{_number(version)},{_text(region_code)},{_text(role)},{_text(period)},"
            f"{_text(str(amount))},{_text(cause)},{_text(utc_text(recorded_at))}]"
            ).encode("utf-8")


def _number(value: int | None) -> str:
    return "null" if value is None else int.__repr__(value)


def chain_hash(prev_hash: str, p: Posting) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_encoding(p)).hexdigest()


def hasher(project_id: int, host_code: str, indicator: str, cause: str, recorded_at: datetime
           ) -> Callable[[str, int, int | None, int | None, str, str, str, int], str]:
    """chain_hash of the postings of one plan (ledger.postings.append), which share these
    fields, at HASH_VERSION: (prev_hash, seq, agreement_id, version, region_code, role,
    period, amount) → hash. The fields they share are encoded once; what `encode` writes
    (tests/postings/test_encoding.py compares them)."""
    shared = f",{project_id},{_text(indicator)},{_text(host_code)},"
    tail = f",{_text(cause)},{_text(utc_text(recorded_at))}]"

    def hash_(prev_hash: str, seq: int, agreement_id: int | None, version: int | None,
              region_code: str, role: str, period: str, amount: int) -> str:
        # prev_hash is ASCII: its UTF-8 bytes are its ASCII bytes
        return hashlib.sha256(
            f"{prev_hash}[{HASH_VERSION},{int.__repr__(seq)}{shared}{_number(agreement_id)},"
            f"{_number(version)},{_text(region_code)},{_text(role)},{_text(period)},"
            f"{_text(str(amount))}{tail}".encode("utf-8")).hexdigest()

    return hash_


_postings = Posting.__table__
HEAD = sa.select(_postings.c.seq, _postings.c.hash).order_by(_postings.c.seq.desc()).limit(1)


def head(session: Session) -> tuple[int, str]:
    """(seq, hash) of the newest posting; (0, GENESIS_HASH) for an empty ledger."""
    row = session.connection().execute(HEAD).first()
    return (row.seq, row.hash) if row else (0, GENESIS_HASH)
