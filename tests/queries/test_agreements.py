"""Agreements as the user may see them (ledger/queries/agreements.py): newest first, a page at a
time; one agreement, 404 for a user who is no party to it."""

from __future__ import annotations

import pytest

from ledger.domain.errors import NotFound
from ledger.queries.agreements import agreement, agreements


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
