"""The audit log (ledger/queries/audit.py): newest first, filtered by entity or by user, for the
administrators and the statistics bureau only."""

from __future__ import annotations

import pytest

from ledger.domain.errors import Forbidden
from ledger.queries.audit import audit_log
from tests import drive
from tests.factories import ADMIN


def test_the_log_newest_first_with_its_filters(world, session):
    p = world.project()
    drive.update_project(world.ctx(world.lingwu), p.id, {"name": "改名后的项目"})
    ctx = world.ctx(world.statistics)
    everything = audit_log(ctx, page_size=1000)
    ids = [e.id for e in everything.items]
    assert ids == sorted(ids, reverse=True) and everything.total == len(ids)
    newest = everything.items[0]
    assert (newest.action, newest.entity, newest.entity_id, newest.actor_username) == (
        "project.correct", "project", str(p.id), "lingwu")
    assert newest.before["name"] != newest.after["name"] == "改名后的项目"  # parsed JSON
    zones = audit_log(ctx, entity="zone")
    assert [(e.action, e.entity_id) for e in zones.items] == [
        ("zone.create", str(world.zone_xq.id)), ("zone.create", str(world.zone_lw.id))]
    by_lingwu = audit_log(ctx, actor="lingwu")
    assert by_lingwu.total > 0 and {e.actor_username for e in by_lingwu.items} == {"lingwu"}
    assert {e.entity for e in by_lingwu.items} == {"project"}
    assert audit_log(ctx, entity="zone", actor="lingwu").total == 0
    page = audit_log(ctx, page=2, page_size=3)
    assert [e.id for e in page.items] == ids[3:6]


@pytest.mark.parametrize("who", ["lingwu", "commerce"])
def test_others_may_not_read_it(world, session, who):
    with pytest.raises(Forbidden):
        audit_log(world.ctx(getattr(world, who)))
    assert audit_log(world.ctx(ADMIN)).total > 0
