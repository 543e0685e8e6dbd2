"""The split rule (docs/attribution.md): nearest unit, exact half to the receiver, parts sum
exactly."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ledger.domain.money import MAX_UNITS
from ledger.domain.split import split

amounts = st.integers(min_value=0, max_value=MAX_UNITS)
shares = st.integers(min_value=1, max_value=10_000)


@pytest.mark.parametrize(
    ("amount", "share_bp", "expected"),
    [
        (1005, 3000, (301, 704)),  # docs/attribution.md: 3.015 → 3.01, tie to the receiver
        (2010, 3000, (603, 1407)),  # YTD after February: 6.03
        (0, 3000, (0, 0)),
        (1, 5000, (0, 1)),  # 0.5 → tie → 0
        (3, 5000, (1, 2)),  # 1.5 → tie → 1
        (2, 5000, (1, 1)),
        (1, 5001, (1, 0)),  # just past half rounds up
        (1, 4999, (0, 1)),
        (10, 3333, (3, 7)),  # 3.333 → 3
        (2, 3333, (1, 1)),  # 0.6666 → 1
        (100, 1, (0, 100)),  # 0.01 % of 1.00万元 = 0.01 units → 0
        (5000, 1, (0, 5000)),  # exactly 0.5 unit → tie → 0
        (5001, 1, (1, 5000)),
        (15000, 1, (1, 14999)),  # 1.5 → 1
        (12345, 10_000, (12345, 0)),  # 100 %: everything to the recommender
        (MAX_UNITS, 10_000, (MAX_UNITS, 0)),
        (MAX_UNITS, 3000, (MAX_UNITS * 3 // 10, MAX_UNITS * 7 // 10)),
        (MAX_UNITS - 1, 5000, (MAX_UNITS // 2 - 1, MAX_UNITS // 2)),  # odd amount, half → down
        (MAX_UNITS, 1, (MAX_UNITS // 10_000, MAX_UNITS - MAX_UNITS // 10_000)),
    ],
)
def test_split_table(amount, share_bp, expected):
    assert split(amount, share_bp) == expected


@pytest.mark.parametrize(
    ("amount", "share_bp", "error"),
    [
        (-1, 3000, ValueError),
        (100, 0, ValueError),
        (100, -1, ValueError),
        (100, 10_001, ValueError),
        (1.5, 3000, TypeError),
        (100, 30.0, TypeError),
        (True, 3000, TypeError),
    ],
)
def test_split_rejects_programming_errors(amount, share_bp, error):
    with pytest.raises(error):
        split(amount, share_bp)


@given(amounts, shares)
def test_parts_sum_exactly_and_are_non_negative(amount, share_bp):
    recommender, receiver = split(amount, share_bp)
    assert recommender + receiver == amount
    assert 0 <= recommender <= amount
    assert 0 <= receiver <= amount


@given(amounts, shares)
def test_recommender_is_nearest_with_ties_down(amount, share_bp):
    recommender, _ = split(amount, share_bp)
    exact = Fraction(amount * share_bp, 10_000)
    distance = recommender - exact
    assert abs(distance) <= Fraction(1, 2)
    # At exactly half the lower value wins, so the distance is never +1/2.
    assert distance != Fraction(1, 2)


@given(shares, st.integers(min_value=0, max_value=MAX_UNITS // 20_000))
def test_ties_go_to_the_receiver(share_bp, t):
    # Random amounts rarely hit a tie, so construct one: solve A·s ≡ 5000 (mod 10000).
    g = math.gcd(share_bp, 10_000)
    assume(5000 % g == 0)  # otherwise A·s/10000 is never exactly half-way for this share
    modulus = 10_000 // g
    amount = (5000 // g) * pow(share_bp // g, -1, modulus) % modulus + t * modulus
    product = amount * share_bp
    assert product % 10_000 == 5000  # an odd multiple of 5000: exactly half-way
    recommender, receiver = split(amount, share_bp)
    assert recommender == product // 10_000  # the floor: the half goes to the receiver
    assert receiver == amount - recommender


@given(amounts, amounts, shares)
def test_monotone_in_amount(a, b, share_bp):
    lo, hi = sorted((a, b))
    assert split(lo, share_bp)[0] <= split(hi, share_bp)[0]
