"""Ledger rows (ledger/queries/postings.py) in recording order: officials read every posting, a
region its own; filtered by project, region, year and after a seq, a page at a time."""

from __future__ import annotations

import pytest

from ledger.queries.postings import postings

XQ, LW = "640104", "640181"


@pytest.fixture
def ledger(world):
    """灵武市 hosts `split` (30 % to 兴庆区 from 2025) and `own`; 兴庆区 hosts `xq`."""
    split, own = world.project(), world.project()
    world.agreement(split, share="30", first_year=2025)
    world.report(split, "2025-01", "10.05")
    world.report(split, "2024-06", "1.00")                          # before the agreement: host
    world.report(own, "2025-02", "2.00")
    xq = world.project(host=world.xingqing, zone=world.zone_xq, industry_code="C3811")
    world.report(xq, "2025-03", "5.00", host=world.xingqing)
    return split, own, xq


def _rows(page) -> list[tuple]:
    return [(r.project_id, r.region_code, r.role, r.period, r.amount) for r in page.items]


def test_officials_read_every_posting_in_recording_order(world, ledger):
    split, own, xq = ledger
    found = postings(world.ctx(world.statistics))
    assert _rows(found) == [
        (split.id, XQ, "recommender", "2025-01", 301), (split.id, LW, "receiver", "2025-01", 704),
        (split.id, LW, "host", "2024-06", 100), (own.id, LW, "host", "2025-02", 200),
        (xq.id, XQ, "host", "2025-03", 500)]
    seqs = [r.seq for r in found.items]
    assert seqs == sorted(seqs) and found.total == 5
    assert found.items[0].agreement_id is not None and found.items[2].agreement_id is None
    assert found.items[1].prev_hash == found.items[0].hash


def test_the_filters_and_pages(world, ledger):
    split, own, xq = ledger
    ctx = world.ctx(world.statistics)
    assert [r[0] for r in _rows(postings(ctx, project=split.id))] == [split.id] * 3
    assert {r[1] for r in _rows(postings(ctx, region=XQ))} == {XQ} and postings(ctx, region=XQ).total == 2
    assert [r[3] for r in _rows(postings(ctx, year=2024))] == ["2024-06"]
    after = postings(ctx).items[2].seq
    assert [r[0] for r in _rows(postings(ctx, after_seq=after))] == [own.id, xq.id]
    second = postings(ctx, page=2, page_size=2)
    assert second.total == 5 and _rows(second) == _rows(postings(ctx))[2:4]
    assert _rows(postings(ctx, project=own.id, year=2024)) == []


def test_a_region_reads_only_its_own_postings(world, ledger):
    split, own, xq = ledger
    assert _rows(postings(world.ctx(world.xingqing))) == [
        (split.id, XQ, "recommender", "2025-01", 301), (xq.id, XQ, "host", "2025-03", 500)]
    assert {r[1] for r in _rows(postings(world.ctx(world.lingwu)))} == {LW}
    assert postings(world.ctx(world.lingwu), region=XQ).total == 0
    assert postings(world.ctx(world.pingluo)).total == 0
