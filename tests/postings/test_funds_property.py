"""A property of the reconciler on the funds line: whatever receipts are recorded, corrected
(amount, day) and voided, and whatever the agreement's shares of each line, after every
sequence

  - the funds postings of each project-year sum to the receipts of that year that are not void;
  - the recommender's part is the funds share of that sum (split, rounded once for the year),
    the completed-investment line keeping its own share;
  - over the regions, attributed equals in place on each line, read from the running balances
    per (year, indicator) and from a scan of the postings;
  - and the ledger verifies.

Checked against an independent oracle (tests.postings.oracle). Runs on SQLite and on
PostgreSQL; the example count is kept small for the suite (LEDGER_FUNDS_EXAMPLES raises it)."""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import sqlalchemy as sa

from ledger.commands import funds
from ledger.commands.inputs import FundsChange, FundsRow
from ledger.domain.enums import Indicator
from ledger.models import Posting
from ledger.queries.attribution import grand_total, region_totals
from tests import drive
from tests.helpers import verify
from tests.postings.oracle import agreement_data, oracle_split, share_text

YEAR = 2025
FUNDS, COMPLETED = Indicator.FUNDS_IN_PLACE, Indicator.COMPLETED_INVESTMENT
EXAMPLES = int(os.environ.get("LEDGER_FUNDS_EXAMPLES", "8"))
REPORTED = 1005  # one month of completed investment, 10.05 万元: a half at 30 %

days = st.integers(0, 364).map(lambda n: date(YEAR, 1, 1) + timedelta(days=n))
amounts = st.one_of(st.sampled_from([1, 5, 1005, 3333]), st.integers(1, 10**12))
shares = st.one_of(st.sampled_from([1, 3000, 3333, 5000, 9999, 10_000]), st.integers(1, 10_000))
# (0 record | 1 correct | 2 void, project 0/1, which receipt, day, amount)
steps = st.lists(st.tuples(st.sampled_from([0, 0, 1, 2]), st.integers(0, 1), st.integers(0, 30),
                           st.one_of(st.none(), days), st.one_of(st.none(), amounts)),
                 min_size=1, max_size=8)


def _posted(session, project_id: int, line: str) -> dict[str, int]:
    """role → Σ of the project's postings on `line` in YEAR."""
    out: dict[str, int] = defaultdict(int)
    for role, amount in session.execute(sa.select(Posting.role, Posting.amount).where(
            Posting.project_id == project_id, Posting.indicator == line, Posting.year == YEAR)):
        out[role] += amount
    return {k: v for k, v in out.items() if v}


def _expected(total: int, share: int | None) -> dict[str, int]:
    if share is None:
        parts = {"host": total}
    else:
        recommender, receiver = oracle_split(total, share)
        parts = {"recommender": recommender, "receiver": receiver}
    return {k: v for k, v in parts.items() if v}


def test_funds_postings_follow_the_receipts_and_the_funds_share(backend, session, world):
    shared = world.project()                     # its agreement: the example's two shares
    alone = world.project(host=world.xingqing, zone=world.zone_xq, industry_code="C3811")
    ids, hosts = (shared.id, alone.id), (world.lingwu, world.xingqing)
    session.close()
    backend.take("funds_property")

    @settings(max_examples=EXAMPLES, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(completed_share=shares, funds_share=shares, script=steps)
    def run(completed_share, funds_share, script):
        session.close()
        backend.restore("funds_property")
        a = drive.create_agreement(world.ctx(world.lingwu), agreement_data(
            shared.id, "640104", completed_share, YEAR, None) | {
                "terms": [{"indicator": "funds_in_place",
                           "recommender_share": share_text(funds_share)}]})
        drive.confirm(world.ctx(world.xingqing), a.id)
        drive.submit(world.ctx(world.lingwu), a.id)
        drive.acknowledge(world.ctx(world.statistics), a.id)
        drive.acknowledge(world.ctx(world.commerce), a.id)
        world.report(shared, f"{YEAR}-03", "10.05")

        # The model: per project, [receipt id, day, amount, voided, revision].
        model: list[list[list]] = [[], []]
        for op, which, index, day, amount in script:
            p, ctx = ids[which], world.ctx(hosts[which])
            live = [r for r in model[which] if not r[3]]
            if op == 0 or not live:
                on, units = day or date(YEAR, 6, 1), amount or 100
                receipt = funds.record_funds(ctx, FundsRow(
                    row=1, project_id=p, received_on=on, amount=units, source="domestic",
                    payer="宁夏某某有限公司")).receipt
                model[which].append([receipt.id, on, units, False, 1])
                continue
            r = live[index % len(live)]
            if op == 2:
                funds.void_funds(ctx, p, r[0], "作废", r[4])
                r[3] = True
            else:
                change = {k: v for k, v in (("received_on", day), ("amount", amount))
                          if v is not None and v != r[1 if k == "received_on" else 2]}
                if not change:
                    continue
                funds.correct_funds(ctx, p, r[0], FundsChange(**change, reason="更正"), r[4])
                r[1], r[2] = change.get("received_on", r[1]), change.get("amount", r[2])
            r[4] += 1
        session.commit()

        received = [sum(r[2] for r in model[i] if not r[3]) for i in (0, 1)]
        assert _posted(session, shared.id, FUNDS) == _expected(received[0], funds_share)
        assert _posted(session, alone.id, FUNDS) == _expected(received[1], None)
        assert _posted(session, shared.id, COMPLETED) == _expected(REPORTED, completed_share)
        for line, in_place in ((FUNDS, sum(received)), (COMPLETED, REPORTED)):
            for as_of in (None, datetime.now(UTC)):  # the running balances, then a scan
                total = grand_total(region_totals(session, YEAR, as_of, indicator=line))
                assert (total.in_place, total.attributed) == (in_place, in_place), (line, as_of)
                assert total.ceded == total.credited
        result = verify(session)
        assert result.ok, result.problems

    run()
