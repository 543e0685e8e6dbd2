"""Finding one object for a user (ledger/queries/lookup.py): 404 alike for what is missing and
for what the user may not see, and the parties of a project's live agreement."""

from __future__ import annotations

import pytest

from ledger.domain.errors import NotFound
from ledger.models import Region
from ledger.queries.lookup import get_or_404, party_codes, visible_agreement, visible_project
from tests import drive


def _not_found(call) -> NotFound:
    with pytest.raises(NotFound) as info:
        call()
    assert info.value.code == "resource.not_found"
    return info.value


def test_get_or_404_names_what_was_not_found(world, session):
    assert get_or_404(session, Region, "640181", "region").name == "灵武市"
    for key in ("999999", None):
        err = _not_found(lambda: get_or_404(session, Region, key, "region"))
        assert err.message.params == {"what": "region", "key": key}


def test_a_project_the_user_may_not_see_is_not_found_like_a_missing_one(world, session):
    p = world.project()  # hosted by 灵武市
    assert visible_project(session, world.lingwu, p.id).id == p.id
    assert visible_project(session, world.statistics, p.id).id == p.id
    hidden = _not_found(lambda: visible_project(session, world.pingluo, p.id))
    missing = _not_found(lambda: visible_project(session, world.pingluo, p.id + 1000))
    assert hidden.message.params == {"what": "project", "key": p.id}
    assert missing.message.params == {"what": "project", "key": p.id + 1000}
    # an id that is not an integer (as text from a path) is never looked up
    _not_found(lambda: visible_project(session, world.lingwu, str(p.id)))


def test_the_recommender_of_a_live_agreement_sees_the_project(world, session):
    p = world.project()
    assert party_codes(session, p.id) == ()
    _not_found(lambda: visible_project(session, world.xingqing, p.id))
    a = world.agreement(p, file=False)  # 灵武市 opens it naming 兴庆区
    assert party_codes(session, p.id) == ("640104", "640181")
    assert visible_project(session, world.xingqing, p.id).id == p.id
    assert visible_agreement(session, world.xingqing, a.id).id == a.id
    _not_found(lambda: visible_agreement(session, world.pingluo, a.id))
    _not_found(lambda: visible_agreement(session, world.lingwu, a.id + 1000))
    drive.decline(world.ctx(world.xingqing), a.id, "并非我区推荐")
    assert party_codes(session, p.id) == ()  # a declined chain is no live agreement
    assert visible_agreement(session, world.xingqing, a.id).id == a.id  # still its party
