"""Fixtures of the ledger tests (the shared ones live in tests/conftest.py)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher


@pytest.fixture(autouse=True)
def _fast_hashing(monkeypatch):
    """Cheap Argon2id parameters: these tests build worlds and never test passwords."""
    from ledger.services import users
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
