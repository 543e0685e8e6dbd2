"""The zones' leading-industry shares and the agreement views of the web pages."""

from __future__ import annotations

from ledger.queries.zones import LEADING_SHARE_TARGET, leading_shares, zones_of_region


def test_leading_share_counts_completed_investment_in_the_zones_leading_industries(world, session):
    leading = world.project(industry_code="C2614")   # zone_lw leads C17, C18, C26
    other = world.project(industry_code="C3811")     # not a leading industry of zone_lw
    world.report(leading, "2025-01", "60.00")
    world.report(leading, "2025-02", "0.01")
    world.report(other, "2025-01", "40.00")
    world.report(other, "2024-12", "999.00")         # another year
    shares = {z.name: z for z in leading_shares(world.ctx(world.statistics), 2025)}
    lw = shares["灵武羊绒产业园区"]
    assert (lw.total, lw.leading, lw.projects, lw.leading_projects) == (10001, 6001, 2, 1)
    assert lw.share_bp == 6000 and lw.reaches_target is True   # 60.00 % (rounded down) and above
    xq = shares["银川经济技术开发区"]
    assert (xq.total, xq.share_bp, xq.reaches_target) == (0, None, None)
    world.report(leading, "2025-02", "0.00")                    # exactly 60 % reaches the target
    lw = next(z for z in leading_shares(world.ctx(world.statistics), 2025) if z.zone_id == lw.zone_id)
    assert lw.leading * 100 == lw.total * LEADING_SHARE_TARGET and lw.reaches_target
    world.report(leading, "2025-01", "59.99")
    lw = next(z for z in leading_shares(world.ctx(world.statistics), 2025) if z.zone_id == lw.zone_id)
    assert lw.reaches_target is False and lw.share_bp == 5999


def test_a_region_sees_the_shares_of_its_own_zones(world, session):
    assert [z.name for z in leading_shares(world.ctx(world.lingwu), 2025)] == ["灵武羊绒产业园区"]
    assert leading_shares(world.ctx(world.pingluo), 2025) == []
    assert [z.name for z in zones_of_region(world.ctx(world.xingqing), "640104")] == ["银川经济技术开发区"]

