"""docs/attribution.md's worked example through the commands, on both databases: a filed
agreement (30 %, 兴庆区 recommends, 灵武市 receives) and the reports of tests/worked_example.py
append exactly the postings it gives, each to its region, and the chain verifies."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ledger.domain.money import format_amount
from ledger.models import Posting
from tests.helpers import balances, verify
from tests.worked_example import BALANCES, SHARE, STEP_IDS, STEPS, YEAR

REGION_OF = {"recommender": "640104", "receiver": "640181"}  # 兴庆区, 灵武市


def _appended(session, project_id: int, after: int) -> list[tuple[str, str, str, str]]:
    rows = session.scalars(sa.select(Posting).where(Posting.project_id == project_id,
                                                    Posting.seq > after).order_by(Posting.seq))
    return [(p.period, p.region_code, p.role, format_amount(p.amount)) for p in rows]


def _head(session) -> int:
    return session.scalar(sa.select(sa.func.coalesce(sa.func.max(Posting.seq), 0)))


@pytest.mark.parametrize("step", range(len(STEPS)), ids=STEP_IDS)
def test_the_worked_example(world, session, step):
    project = world.project()
    agreement = world.agreement(project, share=SHARE, first_year=YEAR)
    assert agreement.newest.status == "filed" and agreement.newest.filing_number.startswith("统备〔")
    for period, amount, _ in STEPS[:step]:
        world.report(project, period, amount)
    before = _head(session)
    period, amount, expected = STEPS[step]
    result = world.report(project, period, amount)
    assert result.created == bool(expected)  # the same amount again is no new revision
    assert _appended(session, project.id, before) == [
        (p, REGION_OF[role], role, a) for p, role, a in expected]
    assert [(p.period, p.role, format_amount(p.amount)) for p in result.postings] == list(expected)
    if step == len(STEPS) - 1:
        assert result.report.revision == 2
        assert balances(session, project.id, YEAR) == {
            (REGION_OF[role], role): a for role, a in BALANCES.items()}
        v = verify(session)
        assert v.ok and v.first_bad_seq is None
        assert v.postings == sum(len(e) for _, _, e in STEPS)
