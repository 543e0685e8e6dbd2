"""A project's corrections read from the journal (ledger/queries/corrections.py): newest first,
each with its reason and the facts it changed from what to what; only for those who see the
project."""

from __future__ import annotations

import pytest

from ledger.domain.errors import NotFound
from ledger.queries.corrections import Change, corrections
from tests import drive


def test_each_correction_with_its_reason_and_its_changes_newest_first(world, session):
    p = world.project(name="原名称", signed_on="2023-12-01")
    ctx = world.ctx(world.lingwu)
    assert corrections(ctx, p.id) == []
    drive.update_project(ctx, p.id, {"name": "新名称", "investor_name": "宁夏新公司"})
    drive.update_project(ctx, p.id, {"signed_on": "2023-11-01", "reason": "合同签订日期录入有误"})
    drive.update_project(ctx, p.id, {"name": "新名称"})  # nothing changed: nothing written
    newest, oldest = corrections(ctx, p.id)
    assert newest.reason == "合同签订日期录入有误"
    assert newest.changes == (Change("signed_on", "2023-12-01", "2023-11-01"),)
    assert oldest.reason is None
    assert set(oldest.changes) == {Change("name", "原名称", "新名称"),
                                   Change("investor_name", "宁夏某某有限公司", "宁夏新公司")}
    assert (oldest.actor_username, oldest.actor_role, oldest.actor_region) == (
        "lingwu", "region", "640181")
    assert newest.at >= oldest.at
    assert corrections(world.ctx(world.statistics), p.id) == [newest, oldest]


def test_another_projects_or_a_hidden_projects_corrections(world, session):
    p, other = world.project(), world.project()
    drive.update_project(world.ctx(world.lingwu), other.id, {"name": "另一个项目新名称"})
    assert corrections(world.ctx(world.lingwu), p.id) == []
    with pytest.raises(NotFound):
        corrections(world.ctx(world.pingluo), other.id)
