"""One page of a list with the total (ledger/queries/pagination.py): the slice, the count of the
filtered query, and an empty page past the end that still tells the total."""

from __future__ import annotations

import sqlalchemy as sa

from ledger.models import Region
from ledger.queries.pagination import Page, page_of
from ledger.queries.reference import regions


def test_a_page_is_its_slice_of_the_ordered_query_with_the_total(world, session):
    codes = list(session.scalars(sa.select(Region.code).order_by(Region.code)))
    assert len(codes) > 5

    def codes_on(page: int, size: int = 2) -> Page[str]:
        return page_of(session, regions(), page, size, row=lambda r: r.code)

    assert codes_on(1) == Page(codes[:2], len(codes))
    assert codes_on(2) == Page(codes[2:4], len(codes))
    last = -(-len(codes) // 2)
    assert codes_on(last).items == codes[(last - 1) * 2:]
    assert codes_on(last + 1) == Page([], len(codes))      # past the end: no rows, the total
    assert codes_on(10**6) == Page([], len(codes))
    # without a row function the page holds the objects themselves
    assert [r.code for r in page_of(session, regions(), 1, 3).items] == codes[:3]


def test_the_total_counts_the_filtered_query_not_the_table(world, session):
    counties = regions().where(Region.level == "county")
    expected = session.scalars(sa.select(Region.code).where(Region.level == "county")
                               .order_by(Region.code)).all()
    found = page_of(session, counties, 1, 1000, row=lambda r: r.code)
    assert found == Page(list(expected), len(expected))
    assert 0 < found.total < session.scalar(sa.select(sa.func.count()).select_from(Region))
    assert page_of(session, regions().where(Region.code == "nothing"), 1, 10) == Page([], 0)
