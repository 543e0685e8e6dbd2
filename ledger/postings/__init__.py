"""The ledger of postings (分算记录): the reconciler that plans them, the appender that alone
writes them and the journal, their hash chains and their verification."""

from ledger.postings.chain import GENESIS_HASH, HASH_VERSION, canonical_encoding, chain_hash, head
from ledger.postings.append import Append
from ledger.postings.reconcile import (
    Planned, applicable, closed_years, filed_terms, funds_projects, plan, project_years, reconcile,
)
from ledger.postings.verify import Verification, verify

__all__ = [
    "Append", "GENESIS_HASH", "HASH_VERSION", "Verification", "applicable", "canonical_encoding",
    "chain_hash", "closed_years", "filed_terms", "funds_projects", "head", "plan", "Planned", "project_years",
    "reconcile", "verify",
]
