"""Two requests with the same Idempotency-Key at the same moment: one acts, the other waits for
it and replays its response. The lookup, the action and the stored response share one write
transaction, so nothing is done twice."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from ledger.models import IdempotencyRecord, Project, User
from tests.factories import VALID_CREDIT_CODE
from tests.helpers import issue_token_for

THREADS = 6


def test_same_key_at_once_acts_once(app, world, session):
    user = session.scalar(sa.select(User).where(User.username == "lingwu"))
    token, _ = issue_token_for(session, user, 3600)
    body = {"name": "并发项目", "investor_name": "某公司", "investor_credit_code": VALID_CREDIT_CODE,
            "industry_code": "C2614", "planned_investment": "10.00", "zone_id": world.zone_lw.id}
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "race-1"}
    barrier, results = threading.Barrier(THREADS), []

    def post():
        client = app.test_client()
        barrier.wait()
        r = client.post("/api/v1/projects", json=body, headers=headers)
        results.append((r.status_code, r.headers.get("Idempotency-Replayed", "no"), r.json["id"]))

    threads = [threading.Thread(target=post) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r[:2] for r in results) == [(201, "no")] + [(201, "true")] * (THREADS - 1)
    assert len({r[2] for r in results}) == 1
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(Project)) == 1
    assert session.scalar(sa.select(sa.func.count()).select_from(IdempotencyRecord)) == 1
