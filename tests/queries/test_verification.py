"""The ledger's self-check for those who may run it (ledger/queries/verification.py)."""

from __future__ import annotations

import pytest

from ledger.domain.errors import Forbidden
from ledger.queries.verification import verify_ledger
from tests.helpers import tamper


def test_the_bureau_verifies_the_ledger_and_a_journal_head_recorded_elsewhere(world, app, session):
    p = world.project()
    world.agreement(p)
    world.report(p, "2025-01", "10.05")
    session.commit()
    ctx = world.ctx(world.statistics)
    found = verify_ledger(ctx)
    assert found.ok and found.postings == 2 and found.problems == []
    head = (found.journal_head_seq, found.journal_head_hash)
    assert verify_ledger(ctx, head).ok
    assert not verify_ledger(ctx, (head[0], "0" * 64)).ok
    tamper(app, "UPDATE postings SET amount = amount + 1 WHERE seq = :seq", seq=found.head_seq)
    broken = verify_ledger(ctx)
    assert not broken.ok and broken.first_bad_seq == found.head_seq


@pytest.mark.parametrize("who", ["lingwu", "commerce"])
def test_others_may_not_run_it(world, session, who):
    with pytest.raises(Forbidden):
        verify_ledger(world.ctx(getattr(world, who)))
