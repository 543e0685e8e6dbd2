"""Agreements as the web pages read them (ledger/queries/agreement_views.py): the actions
offered are exactly those the commands accept, and a project's chains in order."""

from __future__ import annotations

from ledger.queries.agreement_views import available, of_project
from tests import drive


def test_the_actions_offered_are_those_the_commands_accept(world, session):
    p = world.project()
    a = world.agreement(p, file=False)  # opened by the host, 灵武市
    ctx = world.ctx
    assert available(ctx(world.xingqing), a) == ["confirm", "edit", "decline"]
    assert available(ctx(world.lingwu), a) == ["edit", "withdraw"]
    assert available(ctx(world.statistics), a) == []
    a = drive.confirm(ctx(world.xingqing), a.id)
    assert available(ctx(world.xingqing), a) == ["submit"] == available(ctx(world.lingwu), a)
    a = drive.submit(ctx(world.xingqing), a.id)
    assert available(ctx(world.statistics), a) == ["acknowledge", "return"]
    assert available(ctx(world.lingwu), a) == []
    a = drive.return_(ctx(world.commerce), a.id, "签字页缺失")
    assert available(ctx(world.lingwu), a) == ["edit", "withdraw"]
    assert available(ctx(world.xingqing), a) == ["edit"]  # only a draft is declined
    a = drive.edit_agreement(ctx(world.lingwu), a.id, {"reason": "补齐签字页"})
    a = drive.confirm(ctx(world.xingqing), a.id)
    a = drive.submit(ctx(world.lingwu), a.id)
    a = drive.acknowledge(ctx(world.statistics), a.id)
    assert available(ctx(world.statistics), a) == ["return"]
    a = drive.acknowledge(ctx(world.commerce), a.id)
    assert available(ctx(world.lingwu), a) == ["amend"] == available(ctx(world.xingqing), a)
    a = drive.amend(ctx(world.xingqing), a.id, {"recommender_share": "40"})
    # A filed chain is never withdrawn; an amendment is not declined but edited or left.
    assert available(ctx(world.lingwu), a) == ["confirm", "edit"]
    assert available(ctx(world.xingqing), a) == ["edit"]


def test_a_projects_chains_live_first_as_each_user_may_see_them(world, session):
    p = world.project()
    declined = world.agreement(p, file=False)
    drive.decline(world.ctx(world.xingqing), declined.id, "并非我区推荐")
    live = world.agreement(p, file=False, recommender=world.xingqing)
    assert [a.id for a in of_project(world.ctx(world.lingwu), p.id)] == [live.id, declined.id]
    assert [a.id for a in of_project(world.ctx(world.statistics), p.id)] == [live.id, declined.id]
    assert [a.id for a in of_project(world.ctx(world.pingluo), p.id)] == []
    assert available(world.ctx(world.lingwu), declined) == []
