"""Fixtures of the service tests (the shared ones live in tests/conftest.py)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher


@pytest.fixture
def fast_hashing(monkeypatch):
    """Cheap Argon2id parameters for modules that build many worlds and never test passwords
    (tests/services/test_users.py keeps the real hasher)."""
    from ledger.services import users
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
