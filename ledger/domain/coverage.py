"""Which filed agreement version applies to which year.

A filed version covers [first_year, last_year] (last_year None = open-ended). When a later
version is filed, every earlier one is cut back to end the year before the later one starts;
so the version in force in a year is the newest filed version whose first year is not after it,
provided that version has not ended yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ledger.domain.errors import Conflict


@dataclass(frozen=True)
class Term:
    version: int
    first_year: int
    last_year: int | None  # as agreed, before any supersession


def effective(terms: Iterable[Term]) -> dict[int, tuple[int, int | None]]:
    """version → (first_year, effective last_year); an empty coverage has last < first."""
    ordered = sorted(terms, key=lambda t: t.version)
    result: dict[int, tuple[int, int | None]] = {}
    cut: int | None = None  # the earliest first year of any later version
    for term in reversed(ordered):
        last = term.last_year
        if cut is not None:
            last = cut - 1 if last is None else min(last, cut - 1)
        result[term.version] = (term.first_year, last)
        cut = term.first_year if cut is None else min(cut, term.first_year)
    return result


def covers(first: int, last: int | None, year: int) -> bool:
    return first <= year and (last is None or year <= last)


def in_force(terms: Iterable[Term], year: int) -> int | None:
    """The version in force in `year`, or None when the year stays 100% with the host."""
    found = [v for v, (first, last) in effective(terms).items() if covers(first, last, year)]
    if len(found) > 1:  # impossible by construction; a guard against corrupted data
        raise Conflict(f"versions {found} overlap in {year}")
    return found[0] if found else None


def changed_years(before: Iterable[Term], after: Iterable[Term], shares: dict[int, int],
                  candidate_years: Iterable[int]) -> set[int]:
    """Years among `candidate_years` whose applicable share differs between the two sets of
    filed terms (a year gaining, losing or changing coverage)."""
    before, after = list(before), list(after)

    def share(terms: list[Term], year: int) -> int | None:
        v = in_force(terms, year)
        return None if v is None else shares[v]

    return {y for y in candidate_years if share(before, y) != share(after, y)}
