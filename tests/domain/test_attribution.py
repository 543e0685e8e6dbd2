"""Cumulative attribution of one project-year (docs/attribution.md)."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.attribution import desired_for_year
from ledger.domain.money import parse_amount
from ledger.domain.split import split
from tests.worked_example import BALANCES, SHARE_BP, STEP_IDS, STEPS

PERIODS = [f"2025-{m:02d}" for m in range(1, 13)]
# Keep a year's total far inside 10^12 万元 while still exercising large values.
month_amounts = st.integers(min_value=0, max_value=10**12)
shares = st.integers(min_value=1, max_value=10_000)
monthly_maps = st.dictionaries(st.sampled_from(PERIODS), month_amounts, max_size=12)


def post_differences(posted: dict, desired: dict) -> list[tuple[tuple[str, str], int]]:
    """What the reconciler does: append desired − posted for every key (nothing when equal)."""
    keys = sorted(set(posted) | set(desired))
    diffs = [(k, desired.get(k, 0) - posted.get(k, 0)) for k in keys]
    return [(k, d) for k, d in diffs if d != 0]


@pytest.mark.parametrize("step", range(len(STEPS)), ids=STEP_IDS)
def test_the_worked_example(step):
    """docs/attribution.md's example (tests/worked_example.py) replayed up to `step`: the step
    appends exactly its differences, and what is posted always equals the year's targets."""
    posted: dict = defaultdict(int)
    reports: dict[str, int] = {}
    for period, amount, expected in STEPS[:step + 1]:
        reports[period] = parse_amount(amount)
        differences = post_differences(posted, desired_for_year(reports, SHARE_BP))
        for key, difference in differences:
            posted[key] += difference
    assert sorted(differences) == sorted(((period, role), parse_amount(amount, allow_negative=True))
                                         for period, role, amount in expected)
    assert dict(posted) == desired_for_year(reports, SHARE_BP)  # a month revised to 0 keeps 0s
    if step == len(STEPS) - 1:
        balances = {role: sum(v for (_, r), v in posted.items() if r == role)
                    for role in BALANCES}
        assert balances == {role: parse_amount(a) for role, a in BALANCES.items()}
        assert (balances["recommender"], balances["receiver"]) == split(1005, SHARE_BP)


@pytest.mark.parametrize(
    ("monthly", "share_bp", "expected"),
    [
        ({}, 3000, {}),
        ({}, None, {}),
        ({"2025-03": 500}, None, {("2025-03", "host"): 500}),
        ({"2025-01": 0, "2025-02": 7}, None, {("2025-01", "host"): 0, ("2025-02", "host"): 7}),
        ({"2025-05": 100}, 10_000, {("2025-05", "recommender"): 100, ("2025-05", "receiver"): 0}),
        # Months need not be contiguous; order is by period, not by insertion.
        (
            {"2025-12": 1, "2025-02": 1},
            5000,
            {
                ("2025-02", "recommender"): 0,  # YTD 1 → 0.5 → tie → 0
                ("2025-02", "receiver"): 1,
                ("2025-12", "recommender"): 1,  # YTD 2 → 1
                ("2025-12", "receiver"): 0,
            },
        ),
        (
            {"2025-01": 1, "2025-02": 1, "2025-03": 1},
            3333,
            {
                ("2025-01", "recommender"): 0,  # 0.3333 → 0
                ("2025-01", "receiver"): 1,
                ("2025-02", "recommender"): 1,  # 0.6666 → 1
                ("2025-02", "receiver"): 0,
                ("2025-03", "recommender"): 0,  # 0.9999 → 1, already 1
                ("2025-03", "receiver"): 1,
            },
        ),
    ],
)
def test_desired_table(monthly, share_bp, expected):
    result = desired_for_year(monthly, share_bp)
    assert result == expected
    periods = [period for period, _ in result]
    assert periods == sorted(periods)  # period order, whatever the mapping's order


@given(monthly_maps, shares)
def test_targets_lie_within_each_month(monthly, share_bp):
    # Targets never go negative (split is monotone and shifts by whole units); negative
    # amounts only appear as postings, i.e. differences between old and new targets.
    desired = desired_for_year(monthly, share_bp)
    for period, amount in monthly.items():
        assert 0 <= desired[(period, "recommender")] <= amount


@pytest.mark.parametrize(
    ("monthly", "share_bp"),
    [
        ({"2025-1": 1}, 3000),
        ({"2025-13": 1}, 3000),
        ({"2025-00": 1}, None),
        ({"2025-01": -1}, None),
        ({"2025-01": 1.0}, 3000),
        ({"2025-01": 1, "2026-01": 1}, 3000),
        ({"2025-01": 1}, 0),
        ({"2025-01": 1}, 10_001),
    ],
)
def test_desired_rejects_programming_errors(monthly, share_bp):
    with pytest.raises(ValueError):
        desired_for_year(monthly, share_bp)


def totals(desired: dict) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for (_, role), amount in desired.items():
        out[role] += amount
    return out


@given(monthly_maps, shares)
def test_year_totals_equal_split_of_annual(monthly, share_bp):
    desired = desired_for_year(monthly, share_bp)
    annual = sum(monthly.values())
    assert totals(desired)["recommender"] == split(annual, share_bp)[0]
    assert totals(desired)["receiver"] == split(annual, share_bp)[1]
    assert sum(desired.values()) == annual
    assert set(desired) == {(p, r) for p in monthly for r in ("recommender", "receiver")}
    for period, amount in monthly.items():
        # Each month's parts sum to its report, and YTD prefixes are split exactly too.
        assert desired[(period, "recommender")] + desired[(period, "receiver")] == amount


@given(monthly_maps, shares)
def test_every_ytd_prefix_is_split_exactly(monthly, share_bp):
    desired = desired_for_year(monthly, share_bp)
    ytd = rec = 0
    for period in sorted(monthly):
        ytd += monthly[period]
        rec += desired[(period, "recommender")]
        assert rec == split(ytd, share_bp)[0]


@given(monthly_maps)
def test_host_only_is_the_report(monthly):
    desired = desired_for_year(monthly, None)
    assert desired == {(p, "host"): a for p, a in monthly.items()}


@given(
    st.lists(st.tuples(st.sampled_from(PERIODS), month_amounts), max_size=30),
    st.lists(shares | st.none(), min_size=1, max_size=3),
)
def test_reports_revisions_and_share_changes_keep_invariants(steps, share_history):
    """Apply reports/revisions one by one (and re-file with other shares at the end); after
    each step, appending desired − posted leaves the ledger exactly at split(annual)."""
    reports: dict[str, int] = {}
    posted: dict = defaultdict(int)

    def reconcile(share_bp):
        for key, delta in post_differences(posted, desired_for_year(reports, share_bp)):
            posted[key] += delta
        # A second pass is a no-op: reconciliation is idempotent.
        assert post_differences(posted, desired_for_year(reports, share_bp)) == []
        annual = sum(reports.values())
        by_role = totals(posted)
        assert sum(posted.values()) == annual
        if share_bp is None:
            assert by_role["host"] == annual
            assert by_role["recommender"] == by_role["receiver"] == 0
        else:
            assert by_role["host"] == 0
            assert by_role["recommender"] == split(annual, share_bp)[0]

    for period, amount in steps:
        reports[period] = amount
        reconcile(share_history[0])
    for share_bp in share_history[1:]:
        reconcile(share_bp)
