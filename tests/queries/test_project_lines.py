"""Per project and year (ledger/queries/project_lines.py): the annual amount, each side's part
and the agreement version that last split it; a region sees the projects it hosts or recommends."""

from __future__ import annotations

from ledger.queries.project_lines import project_lines


def _lines(found) -> list[tuple]:
    return [(line.project_id, line.host_code, line.recommender_code, line.version,
             line.recommender_share, line.amount, line.recommender_part, line.host_part)
            for line in found.projects]


def test_the_amount_and_each_sides_part_under_the_newest_version(world, session):
    split, own = world.project(), world.project()
    a = world.agreement(split, share="30")
    world.report(split, "2025-01", "10.05")
    world.report(own, "2025-02", "2.00")
    world.report(own, "2024-02", "9.00")                # another year
    found = project_lines(world.ctx(world.statistics), 2025)
    assert found.year == 2025 and found.notice
    assert _lines(found) == [
        (split.id, "640181", "640104", 1, 3000, 1005, 301, 704),
        (own.id, "640181", None, None, None, 200, 0, 200)]
    assert found.projects[0].agreement_number == a.number
    assert [line.project_id for line in project_lines(world.ctx(world.xingqing), 2025).projects] == [split.id]
    assert [line.project_id for line in project_lines(world.ctx(world.lingwu), 2025).projects] == [split.id, own.id]
    assert project_lines(world.ctx(world.pingluo), 2025).projects == []
    before = found.as_of
    world.report(split, "2025-02", "100.00")
    assert _lines(project_lines(world.ctx(world.statistics), 2025, before)) == _lines(found)
