"""The core story through the services: docs/attribution.md's worked example, end to end."""

import sqlalchemy as sa

from ledger.domain.money import format_amount
from tests.helpers import verify
from ledger.models import Posting


def _postings(session, project_id):
    rows = session.scalars(sa.select(Posting).where(Posting.project_id == project_id)
                           .order_by(Posting.seq))
    return [(p.period, p.region_code, p.role, format_amount(p.amount)) for p in rows]


def test_worked_example(world, session):
    project = world.project()
    agreement = world.agreement(project, share="30", first_year=2025)
    assert agreement.newest.status == "filed"
    assert agreement.newest.filing_number.startswith("统备〔")
    world.report(project, "2025-01", "10.05")
    world.report(project, "2025-02", "10.05")
    result = world.report(project, "2025-01", "0.00")
    assert result.report.revision == 2
    assert _postings(session, project.id) == [
        ("2025-01", "640104", "recommender", "3.01"),
        ("2025-01", "640181", "receiver", "7.04"),
        ("2025-02", "640104", "recommender", "3.02"),
        ("2025-02", "640181", "receiver", "7.03"),
        ("2025-01", "640104", "recommender", "-3.01"),
        ("2025-01", "640181", "receiver", "-7.04"),
        ("2025-02", "640104", "recommender", "-0.01"),
        ("2025-02", "640181", "receiver", "0.01"),
    ]
    again = world.report(project, "2025-01", "0.00")
    assert not again.created and again.postings == []
    v = verify(session)
    assert v.ok and v.postings == 8 and v.first_bad_seq is None
