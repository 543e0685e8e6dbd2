"""Attribution per region (ledger/queries/attribution.py): each region's own figures, the rolled
up rows of the regions above, the totals and the reconciliation; as recorded now (the running
balances) and as recorded at an earlier time (the postings); a region's own rows only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ledger.db import utcnow
from ledger.domain.errors import Forbidden, Invalid, NotFound
from ledger.queries.attribution import (RegionTotals, attribution, grand_total, region_rows,
                                        region_totals)
from tests import drive
from tests.factories import ADMIN
from tests.helpers import tamper

XQ, LW, YC, PL = "640104", "640181", "640100", "640221"


def _figures(row) -> tuple[int, int, int, int]:
    return (row.in_place, row.ceded, row.credited, row.attributed)


@pytest.fixture
def reported(world, session):
    """30 % of 灵武市's project to 兴庆区 (both in 银川市): 10.05 in January; then 1.00 of 兴庆区's
    own project. Returns the time between the two reports."""
    p = world.project()
    world.agreement(p, share="30")
    world.report(p, "2025-01", "10.05")
    between = utcnow()
    q = world.project(host=world.xingqing, zone=world.zone_xq, industry_code="C3811")
    world.report(q, "2025-02", "1.00", host=world.xingqing)
    return between


def test_each_region_its_own_and_rolled_up_figures_and_the_totals(world, reported):
    found = attribution(world.ctx(world.statistics), 2025)
    rows = {r.code: r for r in found.regions}
    assert _figures(rows[LW]) == (1005, 301, 0, 704) and not rows[LW].rolled_up
    assert _figures(rows[XQ]) == (100, 0, 301, 401)
    assert _figures(rows[PL]) == (0, 0, 0, 0)
    assert _figures(rows[YC]) == (1105, 301, 301, 1105) and rows[YC].rolled_up
    assert _figures(rows["640000"]) == (1105, 301, 301, 1105)
    assert [r.code for r in found.regions] == sorted(rows)
    assert _figures(found.totals) == (1105, 301, 301, 1105)
    assert (found.reconciliation.in_place, found.reconciliation.attributed,
            found.reconciliation.difference) == (1105, 1105, 0)
    assert attribution(world.ctx(world.statistics), 2024).totals.in_place == 0


def test_as_of_an_earlier_time_from_the_postings_equals_the_balances_then(world, reported, session):
    earlier = attribution(world.ctx(world.statistics), 2025, reported)
    assert earlier.as_of == reported and earlier.totals.in_place == 1005
    assert {r.code: _figures(r) for r in earlier.regions}[XQ] == (0, 0, 301, 301)
    now = region_totals(session, 2025)
    scanned = region_totals(session, 2025, utcnow())
    assert {c: _figures(r) for c, r in now.items()} == {c: _figures(r) for c, r in scanned.items()}
    with pytest.raises(Invalid):
        attribution(world.ctx(world.statistics), 2025, utcnow() + timedelta(hours=1))


def test_a_region_sees_its_own_rows_and_the_province_totals(world, reported):
    own = attribution(world.ctx(world.xingqing), 2025)
    assert [r.code for r in own.regions] == [XQ] and own.totals.in_place == 1105
    below = attribution(world.ctx(world.statistics), 2025, region=YC)  # 银川市 and its counties
    assert below.regions[0].code == YC and below.regions[0].rolled_up
    assert {XQ, LW} <= {r.code for r in below.regions[1:]}
    assert all(r.parent_code == YC for r in below.regions[1:])
    with pytest.raises(Forbidden):
        attribution(world.ctx(world.xingqing), 2025, region=LW)
    with pytest.raises(NotFound):
        attribution(world.ctx(world.statistics), 2025, region="999999")


def test_the_regions_are_read_again_whenever_they_change(world, reported, app):
    """The region tree an attribution keeps between calls is read again after any change of
    the regions, by the app or behind it (the regions' version, set by triggers)."""
    ctx = world.ctx(world.statistics)
    assert attribution(ctx, 2025).regions  # the tree kept
    drive.create_region(world.ctx(ADMIN), {"code": "640199", "name": "新设区",
                                           "level": "county", "parent_code": YC})
    world.session.commit()
    rows = {r.code: r for r in attribution(ctx, 2025).regions}
    assert rows["640199"].name == "新设区" and "640199" in rows[YC].children
    world.session.rollback()
    assert tamper(app, "UPDATE regions SET name = '某市' WHERE code = :c", c=LW) == 1
    assert {r.code: r.name for r in attribution(ctx, 2025).regions}[LW] == "某市"
    world.session.rollback()
    assert tamper(app, "UPDATE regions SET name = '灵武市' WHERE code = :c", c=LW) == 1
    assert {r.code: r.name for r in attribution(ctx, 2025).regions}[LW] == "灵武市"


def test_funds_by_source_roll_up_each_region_once_and_leave_the_own_rows_alone():
    """A region above others shows its own split by source plus theirs, each counted once;
    the totals add every own row; neither touches the own rows (the sums are added in place,
    into the roll-up's and the totals' own dicts)."""
    def own(code, parent, domestic, foreign):
        return RegionTotals(code, code, "county", parent, domestic + foreign,
                            sources={"domestic": domestic, "foreign": foreign})
    rows = {r.code: r for r in (own("640000", None, 1, 0), own("640100", "640000", 10, 20),
                                own("640104", "640100", 100, 0), own("640181", "640100", 0, 300),
                                own("640200", "640000", 1000, 2000))}
    for row in rows.values():
        if row.parent_code:
            rows[row.parent_code].children += (row.code,)
    before = {code: dict(row.sources) for code, row in rows.items()}
    for _ in range(2):  # twice: the first must not change what the second reads
        shown = {r.code: r.sources for r in region_rows(rows, None)}
        assert shown["640000"] == {"domestic": 1111, "foreign": 2320}
        assert shown["640100"] == {"domestic": 110, "foreign": 320}
        assert shown["640104"] == {"domestic": 100, "foreign": 0}
        total = grand_total(rows, by_source=True)
        assert total.sources == {"domestic": 1111, "foreign": 2320}
        assert total.in_place == 3431
    assert {code: row.sources for code, row in rows.items()} == before
