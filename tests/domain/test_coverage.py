"""Which filed version covers which year (ledger.domain.coverage): supersession cuts earlier
versions back, an emptied version covers nothing, a year no version covers stays with the host,
and the years whose share changes are exactly those to re-attribute."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain import coverage
from ledger.domain.coverage import Term
from ledger.domain.errors import Conflict


@pytest.mark.parametrize(("last_year", "superseded_from", "effective"), [
    (None, None, None),      # open-ended, never cut
    (2030, None, 2030),
    (None, 2027, 2026),      # cut the year before the successor starts
    (2030, 2027, 2026),
    (2025, 2027, 2025),      # ends before the successor anyway
    (2026, 2027, 2026),
])
def test_effective_last_year(last_year, superseded_from, effective):
    assert coverage.effective_last_year(last_year, superseded_from) == effective
    assert Term(1, 2024, last_year, 3000, superseded_from).effective_last_year == effective


@pytest.mark.parametrize(("term", "covered"), [
    (Term(1, 2024, None, 3000), set(range(2024, 2031))),
    (Term(1, 2024, 2025, 3000), {2024, 2025}),
    (Term(1, 2024, None, 3000, superseded_from=2026), {2024, 2025}),
    (Term(1, 2024, None, 3000, superseded_from=2024), set()),  # emptied: superseded entirely
])
def test_covers(term, covered):
    assert {y for y in range(2020, 2031) if term.covers(y)} == covered


def test_filing_a_later_version_cuts_the_earlier_ones_back():
    v1 = Term(1, 2024, None, 3000)
    v2 = Term(2, 2026, None, 4000)
    filed = coverage.file([v1], v2)
    assert filed == [Term(1, 2024, None, 3000, superseded_from=2026), v2]
    assert [coverage.in_force(filed, y) for y in (2023, 2025, 2026, 2040)] == [
        None, filed[0], v2, v2]


def test_a_version_from_the_same_year_supersedes_the_earlier_entirely():
    filed = coverage.file([Term(1, 2024, None, 3000)], Term(2, 2024, None, 5000))
    assert not filed[0].covers(2024) and filed[0].effective_last_year == 2023
    assert coverage.in_force(filed, 2024).version == 2


def test_a_cut_is_never_undone_by_a_later_start():
    """v2 from 2025 cut v1; v3 from 2027 cuts v2 and leaves v1's earlier cut as it was."""
    filed = coverage.file([Term(1, 2024, None, 3000)], Term(2, 2025, None, 4000))
    filed = coverage.file(filed, Term(3, 2027, None, 5000))
    assert [t.superseded_from for t in filed] == [2025, 2027, None]
    assert [coverage.in_force(filed, y).version for y in (2024, 2025, 2026, 2027)] == [1, 2, 2, 3]


def test_a_termination_ends_the_coverage():
    """Termination is a version with last_year and no successor: later years stay with the host."""
    filed = coverage.file([Term(1, 2024, None, 3000)], Term(2, 2026, 2027, 3000))
    assert [coverage.in_force(filed, y) is not None for y in (2025, 2026, 2027, 2028)] == [
        True, True, True, False]


def test_overlapping_data_is_refused():
    with pytest.raises(Conflict) as err:
        coverage.in_force([Term(1, 2024, None, 3000), Term(2, 2025, None, 4000)], 2025)
    assert err.value.code == "coverage.overlap"
    assert err.value.message.params == {"versions": "1, 2", "year": 2025}


@pytest.mark.parametrize(("before", "after", "changed"), [
    ([], [Term(1, 2024, None, 3000)], {2024, 2025, 2026}),  # gaining coverage
    ([Term(1, 2024, None, 3000)], [], {2024, 2025, 2026}),   # losing it
    ([Term(1, 2024, None, 3000)],
     [Term(1, 2024, None, 3000, 2026), Term(2, 2026, None, 4000)], {2026}),  # a new share
    ([Term(1, 2024, None, 3000)],
     [Term(1, 2024, None, 3000, 2025), Term(2, 2025, None, 3000)], set()),   # the same share
    ([Term(1, 2024, None, 3000)], [Term(1, 2024, 2024, 3000)], {2025, 2026}),
    # the funds share changing alone changes the year; stated equal to the other, it does not
    ([Term(1, 2024, None, 3000, 2025), Term(2, 2025, None, 3000)],
     [Term(1, 2024, None, 3000, 2025), Term(2, 2025, None, 3000, funds_share_bp=2000)],
     {2025, 2026}),
    ([Term(1, 2024, None, 3000)], [Term(1, 2024, None, 3000, funds_share_bp=3000)], set()),
])
def test_changed_years(before, after, changed):
    assert coverage.changed_years(before, after, range(2023, 2027)) == changed


# A chain of filed versions: each starts no earlier than the one before (an amendment from year
# Y), with its own share and end.
versions = st.lists(
    st.tuples(st.integers(2020, 2030), st.one_of(st.none(), st.integers(0, 5)),
              st.integers(1, 10_000)),
    min_size=1, max_size=6,
).map(lambda rows: sorted(rows, key=lambda r: r[0]))


@given(versions)
def test_at_most_one_version_covers_a_year_and_it_is_the_newest_that_would(rows):
    """After filing versions in order, every year has at most one version in force: the newest
    version whose own terms cover it, provided no later version starts at or before it."""
    filed: list[Term] = []
    for number, (first, length, share) in enumerate(rows, start=1):
        last = None if length is None else first + length
        filed = coverage.file(filed, Term(number, first, last, share))
    for year in range(2018, 2040):
        found = coverage.in_force(filed, year)  # never two: in_force would raise
        expected = None
        for t in filed:  # the newest whose own terms cover the year and which no later one cut
            own = t.first_year <= year and (t.last_year is None or year <= t.last_year)
            cut = any(u.version > t.version and u.first_year <= year for u in filed)
            if own and not cut:
                expected = t.version
        assert (found.version if found else None) == expected


@pytest.mark.parametrize(("term", "completed", "funds"), [
    (Term(1, 2024, None, 3000), 3000, 3000),                        # one share for both lines
    (Term(1, 2024, None, 3000, funds_share_bp=2000), 3000, 2000),  # a share per line
    (Term(1, 2024, None, 3000, funds_share_bp=3000), 3000, 3000),
    (Term(2, 2025, 2026, 1, 2027, funds_share_bp=10000), 1, 10000),
])
def test_share_of_each_line(term, completed, funds):
    from ledger.domain.enums import Indicator
    assert term.share_of(Indicator.COMPLETED_INVESTMENT) == completed
    assert term.share_of(Indicator.FUNDS_IN_PLACE) == funds
    # the line's name as the journal and the API write it
    assert term.share_of("completed_investment") == completed
    assert term.share_of("funds_in_place") == funds
