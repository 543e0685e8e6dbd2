"""Facts as of a journal seq (ledger/queries/documents/history.py): each entity's recorded
facts from its newest entry at or before the seq, none before it was recorded, the later changes
after a seq, and a baseline standing for every entity it names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from ledger.db import utcnow
from ledger.models import AuditEntry
from ledger.postings.replay import BASELINE
from ledger.queries.documents.history import (
    History, Record, baseline_versions, head_at, history,
)
from tests import drive

AT = datetime(2025, 3, 1, tzinfo=UTC)


def _head(session) -> int:
    return session.scalar(sa.select(sa.func.max(AuditEntry.id)))


def test_a_projects_facts_as_of_each_seq(world, session):
    before = _head(session)
    p = world.project(name="原名称")
    created = _head(session)
    drive.update_project(world.ctx(world.lingwu), p.id,
                         {"signed_on": "2023-11-01", "reason": "合同签订日期录入有误"})
    drive.update_project(world.ctx(world.lingwu), p.id, {"name": "新名称"})
    found = history(session, {"project": [p.id]})
    records = found.of("project", p.id)
    assert [r.action for r in records][-2:] == ["project.correct", "project.correct"]
    assert all("reason" not in r.values for r in records)  # a reason is no fact of the project
    assert found.at("project", p.id, before) is None        # not recorded yet
    assert found.at("project", p.id, created)["name"] == "原名称"
    assert found.at("project", p.id, records[-2].seq)["signed_on"] == "2023-11-01"
    assert found.at("project", p.id, records[-2].seq)["name"] == "原名称"
    assert found.at("project", p.id, _head(session))["name"] == "新名称"
    assert [seq for seq, _ in found.later(created)] == [r.seq for r in records[-2:]]
    assert found.of("project", p.id + 1000) == [] and found.of("zone", world.zone_lw.id) == []


def test_the_kinds_and_keys_read(world, session):
    regions = history(session, {"region": ["640181", "640104"]})
    assert {key for _, key in regions.records} == {"640181", "640104"}
    assert regions.at("region", "640181", _head(session)) == {
        "code": "640181", "name": "灵武市", "level": "county", "parent_code": "640100"}
    both = history(session, {"zone": None}, regions)  # added to what was read before
    assert both is regions and both.of("zone", world.zone_xq.id)[0].values["name"] == "银川经济技术开发区"
    assert history(session, {"project": []}).records == {}
    with pytest.raises(ValueError):
        history(session, {"user": None})


def test_the_journal_head_at_a_moment(world, session):
    assert head_at(session, datetime(2000, 1, 1, tzinfo=UTC)) == 0
    assert head_at(session, utcnow()) == _head(session)


def test_a_baseline_stands_for_the_facts_before_the_journal_recorded_them():
    baseline = Record(5, AT, "region", "640181", BASELINE, {"name": "灵武县"})
    renamed = Record(9, AT, "region", "640181", "region.update", {"name": "灵武市"})
    found = History({("region", "640181"): [baseline, renamed]})
    assert found.at("region", "640181", 1) == {"name": "灵武县"}   # older than the journal: the baseline's
    assert found.at("region", "640181", 8) == {"name": "灵武县"}
    assert found.at("region", "640181", 9) == {"name": "灵武市"}
    assert found.later(5) == [(9, AT)]                               # a baseline is no change


def test_the_agreement_versions_of_the_newest_baseline():
    versions = {"versions": [["XY-1", 1, {"recommender_share": 3000}],
                             ["XY-2", 1, {"recommender_share": 4000}],
                             ["XY-1", 2, {"recommender_share": 3500}]]}
    older = Record(1, AT, "journal", "", BASELINE, {"versions": []})
    newest = Record(2, AT, "journal", "", BASELINE, versions)
    found = History(baselines=[older, newest])
    assert baseline_versions(found, "XY-1") == {1: {"recommender_share": 3000},
                                                2: {"recommender_share": 3500}}
    assert baseline_versions(found, "XY-9") == {}
    assert baseline_versions(History(), "XY-1") == {}
