"""The ledger of postings (分算记录): the reconciler that alone appends them, their hash chain
and its verification."""

from ledger.postings.chain import GENESIS_HASH, HASH_VERSION, canonical_encoding, chain_hash, head
from ledger.postings.reconcile import (
    Planned, applicable, closed_years, filed_terms, insert_postings, plan, posting_rows,
    project_years, reconcile,
)
from ledger.postings.verify import Verification, verify

__all__ = [
    "GENESIS_HASH", "HASH_VERSION", "Verification", "applicable", "canonical_encoding",
    "chain_hash", "closed_years", "filed_terms", "head", "insert_postings", "plan", "Planned",
    "posting_rows", "project_years", "reconcile", "verify",
]
