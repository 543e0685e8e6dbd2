"""Projects and their reports (ledger/queries/projects.py) as the user may see them: newest
first, filtered by region, zone, stage and a search text whose % and _ are taken literally."""

from __future__ import annotations

import pytest

from ledger.domain.errors import NotFound
from ledger.queries.projects import (
    count, duplicates, names, project, project_rows, projects, reports,
)


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


def test_a_regions_two_lists_hosted_and_recommended(world, three):
    """本地项目: what the region hosts; 推荐的项目: what a live agreement names it the
    recommender of (a declined one no longer does)."""
    from tests import drive
    percent, underscore, xq = three
    world.agreement(xq, recommender=world.lingwu, file=False)
    declined = world.project(host=world.xingqing, zone=world.zone_xq, industry_code="C3811")
    a = world.agreement(declined, recommender=world.pingluo, file=False)
    drive.decline(world.ctx(world.pingluo), a.id, "不同意")
    lingwu = world.ctx(world.lingwu)
    assert _ids(projects(lingwu)) == [xq.id, underscore.id, percent.id]
    assert _ids(projects(lingwu, side="hosted")) == [underscore.id, percent.id]
    assert _ids(projects(lingwu, side="recommended")) == [xq.id]
    assert _ids(projects(lingwu, side="recommended", stage="signed")) == []
    assert _ids(projects(world.ctx(world.pingluo), side="recommended")) == []
    assert _ids(projects(world.ctx(world.xingqing), side="hosted")) == [declined.id, xq.id]
    assert count(lingwu, side="hosted") == 2 and count(lingwu) == 3
    assert [p.id for p in project_rows(lingwu, side="hosted")] == [underscore.id, percent.id]
    # an official hosts and recommends nothing
    assert _ids(projects(world.ctx(world.statistics), side="hosted")) == []


def test_a_repeated_credit_code_and_name_is_found_and_only_its_existence_told_to_others(world):
    from tests.factories import VALID_CREDIT_CODE
    first = world.project(name="羊绒深加工项目")
    assert not duplicates(world.ctx(world.lingwu), VALID_CREDIT_CODE, "羊绒深加工二期项目")
    assert not duplicates(world.ctx(world.lingwu), None, "羊绒深加工项目")  # a foreign investor
    assert not duplicates(world.ctx(world.lingwu), "91110000802100433B", "羊绒深加工项目")
    own = duplicates(world.ctx(world.lingwu), VALID_CREDIT_CODE, "羊绒深加工项目")
    assert ([p.id for p in own.seen], own.unseen) == ([first.id], 0)
    other = duplicates(world.ctx(world.xingqing), VALID_CREDIT_CODE, "羊绒深加工项目")
    assert other and (other.seen, other.unseen) == ([], 1)
    official = duplicates(world.ctx(world.statistics), VALID_CREDIT_CODE, "羊绒深加工项目")
    assert ([p.id for p in official.seen], official.unseen) == ([first.id], 0)


def test_names_are_given_for_the_projects_the_user_may_see(world, three):
    percent, underscore, xq = three
    assert names(world.ctx(world.lingwu), {percent.id, xq.id}) == {percent.id: percent.name}
    assert names(world.ctx(world.commerce), {percent.id, xq.id}) == {percent.id: percent.name,
                                                                     xq.id: xq.name}
    assert names(world.ctx(world.lingwu), set()) == {}
