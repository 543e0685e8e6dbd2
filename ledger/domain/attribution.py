"""Desired postings of one project-year (docs/attribution.md), as a pure function.

The reconciler compares these targets with what is already posted and appends only the
differences, so this module never looks at postings.

Attribution is cumulative within a calendar year: after months 1..m the recommender's
year-to-date amount is split(YTD_m)[0], and month m carries the difference from month m−1.
Rounding therefore never accumulates: the year's recommender total is exactly
split(annual total)[0], whatever the order of reports and revisions.

Targets themselves always lie in 0..amount_m (split is monotone and moves by whole units when
the amount does); negative amounts arise only as postings, when a revision lowers a target that
was already posted (docs/attribution.md worked example: Jan revised to 0 → Feb recommender −0.01).
"""

from __future__ import annotations

from collections.abc import Mapping

from ledger.domain.enums import PostingRole
from ledger.domain.periods import is_period
from ledger.domain.split import split

HOST, RECOMMENDER, RECEIVER = PostingRole.HOST, PostingRole.RECOMMENDER, PostingRole.RECEIVER


def desired_for_year(monthly: Mapping[str, int], share_bp: int | None) -> dict[tuple[str, str], int]:
    """Target amounts {(period, role): units} for one project and one calendar year.

    `monthly` maps "YYYY-MM" (all in the same year) → that month's current reported amount
    (units of 0.01万元, ≥ 0). `share_bp` is the recommender share of the filed agreement version
    covering the year, or None when none does (then every month is 100 % "host").

    Every month present yields all its role keys, zeros included, so the caller can diff
    against postings that must be cancelled out. Months absent from `monthly` have no report
    and contribute nothing. Keys come out in period order.
    """
    periods = sorted(monthly)
    _check(periods, monthly)
    desired: dict[tuple[str, str], int] = {}
    if share_bp is None:
        for period in periods:
            desired[(period, HOST)] = monthly[period]
        return desired
    ytd = 0
    recommender_before = 0
    for period in periods:
        amount = monthly[period]
        ytd += amount
        recommender_ytd = split(ytd, share_bp)[0]
        recommender = recommender_ytd - recommender_before
        desired[(period, RECOMMENDER)] = recommender
        desired[(period, RECEIVER)] = amount - recommender
        recommender_before = recommender_ytd
    return desired


def _check(periods: list[str], monthly: Mapping[str, int]) -> None:
    # Mixing years would silently carry one year's rounding into the next: refuse it.
    years = set()
    for period in periods:
        if not is_period(period):
            raise ValueError(f"period must be 'YYYY-MM', got {period!r}")
        years.add(period[:4])
        amount = monthly[period]
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            raise ValueError(f"amount for {period} must be an int >= 0, got {amount!r}")
    if len(years) > 1:
        raise ValueError(f"periods span several years: {sorted(years)}")
