"""Reference data (ledger/queries/reference.py): the province's name, the regions above a
region, the zones an industry fits, the industry table, 404 for an unknown region or zone."""

from __future__ import annotations

import pytest

from ledger.context import Context
from ledger.domain.errors import NotFound
from ledger.queries import reference
from tests import drive
from tests.factories import ADMIN


def test_the_province_is_the_one_region_of_level_province(world, session):
    assert reference.province_name(session) == "宁夏回族自治区"


def test_no_province_before_one_is_recorded(app, session):
    assert reference.province_name(session) is None
    drive.create_region(Context(session, ADMIN), {"code": "530000", "name": "某某省",
                                                  "level": "province"})
    assert reference.province_name(session) == "某某省"


def test_the_regions_above_a_region_nearest_first(world, session):
    assert reference.ancestors(session, "640181") == ["640100", "640000"]
    assert reference.ancestors(session, "640100") == ["640000"]
    assert reference.ancestors(session, "640000") == []
    assert reference.ancestors(session, "999999") == []


def test_regions_and_zones_in_order_and_404_for_unknown_ones(world, session):
    codes = [r.code for r in session.scalars(reference.regions())]
    assert codes == sorted(codes) and "640181" in codes
    assert reference.region(session, "640104").name == "兴庆区"
    assert [z.id for z in session.scalars(reference.zones())] == [world.zone_lw.id, world.zone_xq.id]
    assert reference.zone(session, world.zone_xq.id).name == "银川经济技术开发区"
    with pytest.raises(NotFound):
        reference.region(session, "999999")
    with pytest.raises(NotFound):
        reference.zone(session, world.zone_xq.id + 1000)


def test_the_zones_an_industry_fits(world, session):
    def fits(industry: str) -> list[str]:
        return [zone.name for zone, length in reference.matching_zones(session, industry)
                if length > 0]
    assert fits("C2614") == ["灵武羊绒产业园区"]      # leads C26 (银川经开区 restricts it)
    assert fits("C3811") == ["银川经济技术开发区"]    # leads C38
    assert fits("C2511") == []                         # restricted in 灵武, led nowhere
    assert fits("A0111") == []


def test_the_industry_table_filtered_by_code_or_name():
    everything = reference.industries()
    assert ("C", "制造业") in {(r["code"], r["name"]) for r in everything}
    c26 = reference.industries("c26")
    assert c26 and all(r["code"].startswith("C26") for r in c26)
    textile = reference.industries("纺织")
    assert textile and all("纺织" in r["name"] for r in textile)
    assert len(everything) > len(c26) + len(textile)
    assert reference.industries("没有这个行业") == []
