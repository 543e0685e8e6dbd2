"""Agreements as the user may see them (ledger/queries/agreements.py): newest first, a page at a
time; one agreement, 404 for a user who is no party to it."""

from __future__ import annotations

import pytest

from ledger.domain.errors import NotFound
from ledger.queries.agreements import agreement, agreement_rows, agreements


def test_each_user_lists_the_agreements_it_is_party_to_newest_first(world, session):
    first = world.agreement(world.project())                                  # 兴庆区 → 灵武市
    second = world.agreement(world.project(), recommender=world.pingluo, file=False)  # 平罗县 → 灵武市

    def ids(actor, **page) -> list[int]:
        return [a.id for a in agreements(world.ctx(actor), **page).items]

    assert ids(world.statistics) == ids(world.lingwu) == [second.id, first.id]
    assert ids(world.xingqing) == [first.id] and ids(world.pingluo) == [second.id]
    found = agreements(world.ctx(world.commerce), page=2, page_size=1)
    assert ([a.id for a in found.items], found.total) == ([first.id], 2)
    assert agreement(world.ctx(world.xingqing), first.id).number == first.number
    with pytest.raises(NotFound):
        agreement(world.ctx(world.xingqing), second.id)
    with pytest.raises(NotFound):
        agreement(world.ctx(world.statistics), second.id + 1000)


@pytest.fixture
def three(world):
    """a1: 兴庆区 → 灵武市, filed, from 2025 on; a2: 平罗县 → 灵武市, a draft for 2027–2028
    waiting for 平罗县; a3: 灵武市 → 兴庆区 (a project of 兴庆区), a draft for 2025 waiting for
    灵武市."""
    a1 = world.agreement(world.project())
    a2 = world.agreement(world.project(), recommender=world.pingluo, file=False, first_year=2027,
                         last_year=2028)
    xq = world.project(host=world.xingqing, zone=world.zone_xq, industry_code="C3811")
    a3 = world.agreement(xq, recommender=world.lingwu, file=False, first_year=2025, last_year=2025)
    return a1, a2, a3


def _ids(world, actor, **filters) -> list[int]:
    found = agreements(world.ctx(actor), **filters)
    assert found.total == len(found.items)
    return [a.id for a in found.items]


def test_each_filter_narrows_the_list(world, three):
    a1, a2, a3 = three
    everyone = [a3.id, a2.id, a1.id]
    assert _ids(world, world.statistics) == everyone
    assert _ids(world, world.statistics, status="filed") == [a1.id]
    assert _ids(world, world.statistics, status="draft") == [a3.id, a2.id]
    assert _ids(world, world.statistics, status="returned") == []
    # a party's region, or a region above it: 平罗县 is under 石嘴山市 (6402), the others 银川市
    assert _ids(world, world.statistics, region="640221") == [a2.id]
    assert _ids(world, world.statistics, region="640200") == [a2.id]
    assert _ids(world, world.statistics, region="640104") == [a3.id, a1.id]
    assert _ids(world, world.statistics, region="640100") == everyone
    # a year some version covers (a1 has no last year)
    assert _ids(world, world.statistics, year=2025) == [a3.id, a1.id]
    assert _ids(world, world.statistics, year=2028) == [a2.id, a1.id]
    assert _ids(world, world.statistics, year=2024) == []
    # the number, or the filing number
    assert _ids(world, world.statistics, number=a2.number) == [a2.id]
    assert _ids(world, world.statistics, number=a1.newest.filing_number[:4]) == [a1.id]
    assert _ids(world, world.statistics, number="XY-%") == []  # % is no wildcard
    # what waits for the user: each party the draft it must confirm; the bureau nothing now
    assert _ids(world, world.pingluo, waiting_for_me=True) == [a2.id]
    assert _ids(world, world.lingwu, waiting_for_me=True) == [a3.id]
    assert _ids(world, world.statistics, waiting_for_me=True) == []
    assert _ids(world, world.statistics, status="draft", region="640221", year=2027) == [a2.id]


def test_no_filter_shows_a_region_an_agreement_it_is_no_party_to(world, three):
    a1, a2, a3 = three
    assert _ids(world, world.pingluo) == [a2.id]
    assert _ids(world, world.pingluo, region="640181") == [a2.id]   # a1 and a3 are 灵武市's too
    assert _ids(world, world.pingluo, region="640104") == []
    assert _ids(world, world.pingluo, number=a1.number) == []
    assert _ids(world, world.pingluo, status="filed") == []
    assert _ids(world, world.xingqing, year=2027) == [a1.id]           # not a2 (平罗县 → 灵武市)
    assert [a.id for a in agreement_rows(world.ctx(world.pingluo))] == [a2.id]
    assert [a.id for a in agreement_rows(world.ctx(world.commerce), status="filed")] == [a1.id]


def test_a_superseded_version_covers_its_years_until_its_successor(world):
    """Version 1 (2025 on) is superseded by version 2 for 2027 only: 2026 is still version 1's,
    2028 nobody's."""
    from tests import drive
    a = world.agreement(world.project(), first_year=2025)
    amended = drive.amend(world.ctx(world.lingwu), a.id, {"first_year": 2027, "last_year": 2027})
    assert _ids(world, world.statistics, status="draft") == [a.id]  # the newest version's status
    world.file(amended)
    for year, found in ((2024, []), (2025, [a.id]), (2026, [a.id]), (2027, [a.id]), (2028, [])):
        assert _ids(world, world.statistics, year=year) == found, year
    assert _ids(world, world.statistics, status="filed") == [a.id]
    assert _ids(world, world.statistics, status="superseded") == []
