"""A year's checklist (ledger/queries/checklist.py): the months due by a day, the pending
versions covering the year, the landed projects' months not reported, and a party's agreements
held up by a closed year."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.domain.errors import Forbidden, Invalid
from ledger.queries.checklist import checklist, closed_year_todos, last_month, of_year
from tests import drive


@pytest.mark.parametrize("year,today,expected", [
    (2024, date(2025, 6, 10), 12),   # a past year: all of it
    (2025, date(2025, 6, 10), 6),    # this year: through the current month
    (2025, date(2025, 1, 1), 1),
    (2026, date(2025, 12, 31), 0),   # a later year: nothing due yet
])
def test_the_last_month_due(year, today, expected):
    assert last_month(year, today) == expected


def test_pending_versions_and_unreported_months(world, session):
    early = world.project(stage_on="2024-01-01")      # construction began before 2025
    late = world.project(stage_on="2025-04-20")       # began in April
    world.project(stage="signed")                      # not landed: owes no reports
    world.report(early, "2025-02", "1.00")
    world.report(late, "2025-05", "0.00")              # a zero report is a report
    draft = world.agreement(early, file=False)
    filed = world.project()
    world.agreement(filed)                             # filed: nothing open
    declined_on = world.project()
    declined = world.agreement(declined_on, file=False)
    drive.decline(world.ctx(world.xingqing), declined.id, "并非我区推荐")  # a chain that is over
    found = of_year(session, 2025, date(2025, 6, 10))
    assert found.through == "2025-06"
    assert [(a.agreement_id, a.version, a.status, a.first_year) for a in found.agreements] == [
        (draft.id, 1, "draft", 2025)]
    unreported = {u.project_id: u.months for u in found.unreported}
    assert unreported[early.id] == ["2025-01", "2025-03", "2025-04", "2025-05", "2025-06"]
    assert unreported[late.id] == ["2025-04", "2025-06"]
    assert found.open_items == 1 + len(found.unreported)
    # the digest covers exactly the list: another day's list is another digest
    assert of_year(session, 2025, date(2025, 6, 10)).digest == found.digest
    assert of_year(session, 2025, date(2025, 7, 1)).digest != found.digest
    later = of_year(session, 2027, date(2025, 6, 10))
    assert (later.through, later.unreported) == (None, [])


def test_only_officials_read_it_and_the_year_is_checked(world, session):
    assert checklist(world.ctx(world.statistics), 2025).year == 2025
    with pytest.raises(Forbidden):
        checklist(world.ctx(world.lingwu), 2025)
    with pytest.raises(Invalid):
        checklist(world.ctx(world.statistics), 10**6)


def test_a_closed_year_holds_up_the_parties_pending_agreements(world, session):
    p = world.project()
    a = world.agreement(p, first_year=2024, file=False)
    assert closed_year_todos(session, world.lingwu) == []
    world.close(2024)
    todos = [(t.agreement_id, t.number, t.year) for t in closed_year_todos(session, world.lingwu)]
    assert todos == [(a.id, a.number, 2024)]
    assert closed_year_todos(session, world.xingqing) == closed_year_todos(session, world.lingwu)
    assert closed_year_todos(session, world.pingluo) == []
    world.reopen(2024)
    assert closed_year_todos(session, world.lingwu) == []
