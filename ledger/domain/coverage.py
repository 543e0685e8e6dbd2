"""Which filed agreement version applies to which year, and supersession — in one place.

A filed version covers [first_year, last_year] (last_year None = open-ended). When a later
version is filed, every earlier one is cut back to end the year before the later one starts
(`superseded_from` records that start); a version whose coverage becomes empty is superseded
entirely. Termination is a version with last_year set and no successor.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable

from ledger.domain.enums import Indicator
from ledger.domain.errors import Conflict


def effective_last_year(last_year: int | None, superseded_from: int | None) -> int | None:
    """The last year a version really covers, after any cut by a later version."""
    if superseded_from is None:
        return last_year
    cut = superseded_from - 1
    return cut if last_year is None else min(last_year, cut)


@dataclass(frozen=True)
class Term:
    version: int
    first_year: int
    last_year: int | None  # as agreed
    share_bp: int                       # of completed investment
    superseded_from: int | None = None
    funds_share_bp: int | None = None   # of funds in place (None: the same as share_bp)

    def share_of(self, indicator: str) -> int:
        """The recommender's share of one accounting line, in basis points."""
        if indicator == Indicator.FUNDS_IN_PLACE and self.funds_share_bp is not None:
            return self.funds_share_bp
        return self.share_bp

    @property
    def effective_last_year(self) -> int | None:
        return effective_last_year(self.last_year, self.superseded_from)

    def covers(self, year: int) -> bool:
        last = self.effective_last_year
        return self.first_year <= year and (last is None or year <= last)


def file(filed: Iterable[Term], new: Term) -> list[Term]:
    """The filed terms once `new` is filed: every earlier one cut back to end before it."""
    cut = [replace(t, superseded_from=new.first_year if t.superseded_from is None
                   else min(t.superseded_from, new.first_year)) for t in filed]
    return cut + [new]


def in_force(filed: Iterable[Term], year: int) -> Term | None:
    """The version in force in `year`, or None when the year stays 100% with the host."""
    found = [t for t in filed if t.covers(year)]
    if len(found) > 1:  # impossible by construction; a guard against corrupted data
        raise Conflict("coverage.overlap", versions=", ".join(str(t.version) for t in found),
                       year=year)
    return found[0] if found else None


def changed_years(before: Iterable[Term], after: Iterable[Term],
                  candidate_years: Iterable[int]) -> set[int]:
    """Years among `candidate_years` whose applicable share on any line differs between the two
    sets of filed terms (a year gaining, losing or changing coverage, or a share of one line
    changing alone)."""
    before, after = list(before), list(after)

    def shares(terms: list[Term], year: int) -> tuple[int, ...] | None:
        term = in_force(terms, year)
        return None if term is None else tuple(term.share_of(line) for line in Indicator)

    return {y for y in candidate_years if shares(before, y) != shares(after, y)}
