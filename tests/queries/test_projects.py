"""Projects and their reports (ledger/queries/projects.py) as the user may see them: newest
first, filtered by region, zone, stage and a search text whose % and _ are taken literally."""

from __future__ import annotations

import pytest

from ledger.domain.errors import NotFound
from ledger.queries.projects import project, projects, reports


@pytest.fixture
def three(world):
    """Two projects of 灵武市 (one only signed) and one of 兴庆区."""
    percent = world.project(name="羊绒100%扩产项目", investor_name="宁夏甲公司")
    underscore = world.project(name="再生_资源项目", stage="signed",
                               project_code="2023-640181-26-03-000777")
    xq = world.project(host=world.xingqing, zone=world.zone_xq, industry_code="C3811",
                       name="装备制造项目", investor_name="宁夏乙公司")
    return percent, underscore, xq


def _ids(page) -> list[int]:
    return [p.id for p in page.items]


def test_each_user_sees_its_projects_newest_first(world, three):
    percent, underscore, xq = three
    assert _ids(projects(world.ctx(world.statistics))) == [xq.id, underscore.id, percent.id]
    assert _ids(projects(world.ctx(world.lingwu))) == [underscore.id, percent.id]
    assert _ids(projects(world.ctx(world.xingqing))) == [xq.id]
    assert projects(world.ctx(world.pingluo)).total == 0
    page = projects(world.ctx(world.statistics), page=2, page_size=2)
    assert (_ids(page), page.total) == ([percent.id], 3)


def test_the_filters(world, three):
    percent, underscore, xq = three
    ctx = world.ctx(world.statistics)
    assert _ids(projects(ctx, region="640104")) == [xq.id]
    assert _ids(projects(ctx, zone=world.zone_lw.id)) == [underscore.id, percent.id]
    assert _ids(projects(ctx, stage="signed")) == [underscore.id]
    assert _ids(projects(ctx, region="640181", stage="under_construction")) == [percent.id]


@pytest.mark.parametrize("q,expected", [
    ("%", ["percent"]), ("_", ["underscore"]), ("100%", ["percent"]), ("项目", ["xq", "underscore", "percent"]),
    ("乙公司", ["xq"]), ("000777", ["underscore"]), ("\\", []), ("没有", []),
])
def test_the_search_text_is_taken_literally(world, three, q, expected):
    named = dict(zip(("percent", "underscore", "xq"), three))
    assert _ids(projects(world.ctx(world.statistics), q=q)) == [named[n].id for n in expected]


def test_a_projects_reports_oldest_first_for_those_who_see_it(world, three):
    percent, _, _ = three
    world.report(percent, "2025-02", "1.00")
    world.report(percent, "2024-12", "3.00")
    world.report(percent, "2025-02", "2.00")
    ctx = world.ctx(world.lingwu)
    assert project(ctx, percent.id).id == percent.id
    assert [(r.period, r.revision, r.amount) for r in reports(ctx, percent.id)] == [
        ("2024-12", 1, 300), ("2025-02", 1, 100), ("2025-02", 2, 200)]
    assert [r.period for r in reports(ctx, percent.id, 2025)] == ["2025-02", "2025-02"]
    for call in (lambda: project(world.ctx(world.xingqing), percent.id),
                 lambda: reports(world.ctx(world.pingluo), percent.id)):
        with pytest.raises(NotFound):
            call()
