"""Property: for any receipts of funds in place (some voided) and any shares per line, the sum
over the regions of the attributed funds equals the sum in place, per year and line, exactly
(integers of 0.01万元); the in-place funds are the receipts not void, each region's split by
source adds up to its in-place figure, and the figures as of a time equal those read now.
Driven through the real commands, on SQLite and PostgreSQL (LEDGER_TEST_POSTGRES_URL)."""

from __future__ import annotations

import os
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.commands.funds import record_funds, void_funds
from ledger.commands.inputs import FundsRow
from ledger.domain.enums import FundsSource, Indicator
from ledger.queries.attribution import grand_total, region_totals
from tests import drive
from tests.helpers import verify
from tests.postings.oracle import agreement_data, share_text

YEARS = (2025, 2026)
MAX_EXAMPLES = int(os.environ.get("LEDGER_FUNDS_EXAMPLES", "15"))

shares = st.one_of(st.sampled_from([1, 3000, 3333, 5000, 9999, 10_000]), st.integers(1, 10_000))
receipts = st.lists(st.tuples(
    st.integers(0, 2),                                      # which project
    st.sampled_from(YEARS), st.integers(1, 11), st.integers(1, 28),  # none after today
    st.one_of(st.sampled_from([1, 3, 1005, 3333]), st.integers(1, 10**12)),
    st.sampled_from(list(FundsSource)),
    st.booleans()),                                         # voided afterwards
    min_size=1, max_size=8)
# Per project: no agreement, or (completed share, funds share or None: the same)
terms = st.lists(st.one_of(st.none(), st.tuples(shares, st.none() | shares)),
                 min_size=3, max_size=3)


def _setup(backend, session, world):
    p0 = world.project()
    p1 = world.project(name="羊绒深加工项目")
    p2 = world.project(host=world.xingqing, zone=world.zone_xq, industry_code="C3811")
    projects = [(p0.id, world.lingwu, world.xingqing), (p1.id, world.lingwu, world.pingluo),
                (p2.id, world.xingqing, world.lingwu)]
    session.close()
    backend.take("funds_totals", projects)
    return projects


def _file(world, project_id, host, recommender, share, funds_share):
    data = agreement_data(project_id, recommender.region_code, share, 2025, None)
    if funds_share is not None:
        data["terms"] = [{"indicator": "funds_in_place",
                          "recommender_share": share_text(funds_share)}]
    a = drive.create_agreement(world.ctx(host), data)
    drive.confirm(world.ctx(recommender), a.id)
    drive.submit(world.ctx(recommender), a.id)
    drive.acknowledge(world.ctx(world.statistics), a.id)
    drive.acknowledge(world.ctx(world.commerce), a.id)


def test_attributed_funds_sum_to_funds_in_place(backend, session, world):
    projects = _setup(backend, session, world)

    @settings(max_examples=MAX_EXAMPLES, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(terms=terms, receipts=receipts)
    def check(terms, receipts):
        session.close()
        backend.restore("funds_totals")
        for (project_id, host, recommender), rule in zip(projects, terms):
            if rule is not None:
                _file(world, project_id, host, recommender, *rule)
        kept: dict[int, dict[str, dict[str, int]]] = {y: {} for y in YEARS}
        for n, (p, year, month, day, amount, source, voided) in enumerate(receipts):
            project_id, host, _ = projects[p]
            result = record_funds(world.ctx(host), FundsRow(
                row=n + 1, received_on=date(year, month, day), amount=amount, source=source,
                payer="宁夏某某有限公司", project_id=project_id))
            if voided:
                void_funds(world.ctx(host), project_id, result.receipt.id, "重复录入", None)
            else:
                by_source = kept[year].setdefault(host.region_code, dict.fromkeys(FundsSource, 0))
                by_source[source] += amount
        moment = world.ctx(world.statistics).now()
        for year in YEARS:
            for line in Indicator:
                for as_of in (None, moment):
                    rows = region_totals(session, year, as_of, line)
                    total = grand_total(rows)
                    assert sum(r.attributed for r in rows.values()) == total.attributed
                    assert total.attributed == total.in_place
                    assert all(isinstance(r.attributed, int) for r in rows.values())
            funds_now = region_totals(session, year, None, Indicator.FUNDS_IN_PLACE)
            funds_then = region_totals(session, year, moment, Indicator.FUNDS_IN_PLACE)
            for rows in (funds_now, funds_then):
                assert grand_total(rows).in_place == sum(
                    sum(s.values()) for s in kept[year].values())
                for code, row in rows.items():
                    assert sum(row.sources.values()) == row.in_place, (year, code)
                    want = kept[year].get(code, dict.fromkeys(FundsSource, 0))
                    assert row.sources == {s.value: want[s] for s in FundsSource}, (year, code)
            assert {c: (r.in_place, r.ceded, r.credited) for c, r in funds_now.items()} == \
                {c: (r.in_place, r.ceded, r.credited) for c, r in funds_then.items()}
        result = verify(session)
        assert result.ok, result.problems

    check()
