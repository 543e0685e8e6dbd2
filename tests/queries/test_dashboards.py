"""What each role's start page counts: projects seen, agreements, and those waiting for it."""

from __future__ import annotations

from ledger.queries.dashboards import counts
from tests import drive


def waiting(world, actor) -> list[int]:
    return counts(world.ctx(actor)).waiting


def test_each_party_and_filing_body_sees_what_waits_for_it(world, session):
    p = world.project()
    a = world.agreement(p, file=False)  # opened by the host (灵武市) naming 兴庆区
    assert waiting(world, world.xingqing) == [a.id]    # the recommender confirms or declines
    assert waiting(world, world.lingwu) == []          # the host waits
    assert waiting(world, world.statistics) == []
    drive.confirm(world.ctx(world.xingqing), a.id)
    assert waiting(world, world.lingwu) == waiting(world, world.xingqing) == [a.id]  # submit
    drive.submit(world.ctx(world.lingwu), a.id)
    assert waiting(world, world.statistics) == waiting(world, world.commerce) == [a.id]
    assert waiting(world, world.lingwu) == []
    drive.acknowledge(world.ctx(world.statistics), a.id)
    assert waiting(world, world.statistics) == [] and waiting(world, world.commerce) == [a.id]
    drive.acknowledge(world.ctx(world.commerce), a.id)
    assert waiting(world, world.commerce) == []


def test_counts_follow_what_the_user_may_see(world, session):
    world.project()
    p = world.project()
    world.agreement(p)
    assert (counts(world.ctx(world.lingwu)).projects, counts(world.ctx(world.lingwu)).agreements) == (2, 1)
    assert (counts(world.ctx(world.xingqing)).projects, counts(world.ctx(world.xingqing)).agreements) == (1, 1)
    assert (counts(world.ctx(world.pingluo)).projects, counts(world.ctx(world.pingluo)).agreements) == (0, 0)
    assert counts(world.ctx(world.statistics)).projects == 2
