"""The hash chain of the postings.

Canonical encoding, hash_version 2 (every posting written since the journal came) — the UTF-8
bytes of the compact JSON array
    [2, seq, project_id, host_code, agreement_id|null, version|null, region_code, role, period,
     "<amount as an integer string of 0.01万元>", cause, "<recorded_at YYYY-MM-DDTHH:MM:SS.ffffffZ>"]
(separators "," and ":", non-ASCII characters unescaped); hash_version 1 is the same without
host_code (older rows keep verifying under it). hash = hex(SHA-256(prev_hash as 64 ASCII hex
digits ‖ encoding)); the first prev_hash is 64 zeros.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.models import Posting

HASH_VERSION = 2
GENESIS_HASH = "0" * 64


def canonical_encoding(p: Posting) -> bytes:
    recorded = p.recorded_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    host = [p.host_code] if p.hash_version == 2 else []
    row = [p.hash_version, p.seq, p.project_id, *host, p.agreement_id, p.version, p.region_code,
           p.role, p.period, str(p.amount), p.cause, recorded]
    return json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def chain_hash(prev_hash: str, p: Posting) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_encoding(p)).hexdigest()


def head(session: Session) -> tuple[int, str]:
    """(seq, hash) of the newest posting; (0, GENESIS_HASH) for an empty ledger."""
    row = session.execute(sa.select(Posting.seq, Posting.hash)
                          .order_by(Posting.seq.desc()).limit(1)).first()
    return (row.seq, row.hash) if row else (0, GENESIS_HASH)
