"""The documents' read models (ledger/queries/documents/facts.py) on both backends: versions as
they stood at the as-of time, the reproducible as-of defaults, scoping, and refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ledger.db import utcnow
from ledger.domain.errors import Conflict, Invalid, NotFound
from ledger.queries import documents as q
from ledger.queries.attribution import attribution
from tests import drive


def test_a_version_as_it_stood_before_and_after_filing(world):
    p = world.project()
    a = world.agreement(p, file=False)
    drive.confirm(world.ctx(world.xingqing), a.id)
    drive.submit(world.ctx(world.xingqing), a.id)
    drive.acknowledge(world.ctx(world.statistics), a.id)
    halfway = utcnow()
    world.session.rollback()
    drive.acknowledge(world.ctx(world.commerce), a.id)

    before = q.agreement_facts(world.ctx(world.statistics), a.id, as_of=halfway)
    assert before.version.status == "submitted"
    assert before.version.acknowledged_by == ["statistics"]
    assert before.version.filing_number is None and not before.filed
    now = q.agreement_facts(world.ctx(world.statistics), a.id)
    assert now.version.status == "filed" and now.filed
    assert now.version.acknowledged_by == ["statistics", "commerce"]
    assert now.version.filing_number.endswith("〔" + str(now.version.filed_on.year) + "〕1号")
    assert (now.number, now.recommender.code, now.receiver.code) == (a.number, "640104", "640181")
    assert now.province.name == "宁夏回族自治区"
    assert now.project.name == p.name and now.project.planned_investment == 5000000


def test_the_default_as_of_is_the_last_change_and_stays_put(world):
    p = world.project()
    a = world.agreement(p)
    first = q.agreement_facts(world.ctx(world.commerce), a.id)
    events = [e.at for e in world.session.get(type(a), a.id).events]
    assert first.as_of == max(events)
    world.report(p, "2025-01", "10.00")  # reports are not changes of the agreement or project
    assert q.agreement_facts(world.ctx(world.commerce), a.id) == first
    drive.update_project(world.ctx(world.lingwu), p.id, {"name": "改名后的项目"})
    renamed = q.agreement_facts(world.ctx(world.commerce), a.id)
    assert renamed.as_of > first.as_of and renamed.project.name == "改名后的项目"


def test_an_earlier_version_keeps_its_filing_after_it_is_superseded(world):
    p = world.project()
    a = world.agreement(p, first_year=2025)
    drive.amend(world.ctx(world.xingqing), a.id, {"recommender_share": "40", "first_year": 2026})
    world.file(world.session.get(type(a), a.id))
    v1 = q.agreement_facts(world.ctx(world.statistics), a.id, version=1)
    v2 = q.agreement_facts(world.ctx(world.statistics), a.id)
    assert (v1.version.version, v1.version.status, v1.version.last_year) == (1, "superseded", 2025)
    assert v1.filed and v1.version.agreed_last_year is None
    assert (v2.version.version, v2.version.recommender_share, v2.versions) == (2, 4000, 2)
    assert q.receipt_facts(world.ctx(world.statistics), a.id, version=1).version.filing_number \
        == v1.version.filing_number
    assert q.filed_versions(world.ctx(world.statistics), 2025) == [(a.id, 1)]
    assert q.filed_versions(world.ctx(world.statistics), 2026) == [(a.id, 2)]
    assert q.filed_versions(world.ctx(world.statistics), 2024) == []


def test_receipt_of_an_unfiled_version_is_a_conflict(world):
    a = world.agreement(world.project(), file=False)
    with pytest.raises(Conflict) as info:
        q.receipt_facts(world.ctx(world.commerce), a.id)
    assert info.value.code == "document.not_filed" and info.value.status == 409


def test_what_a_user_may_not_see_is_not_found_like_what_does_not_exist(world):
    a = world.agreement(world.project())
    for call in (lambda: q.agreement_facts(world.ctx(world.pingluo), a.id),
                 lambda: q.agreement_facts(world.ctx(world.pingluo), 999_999),
                 lambda: q.receipt_facts(world.ctx(world.pingluo), a.id)):
        with pytest.raises(NotFound) as info:
            call()
        assert info.value.code == "resource.not_found"
        assert info.value.message.startswith("agreement ")
    assert q.agreement_facts(world.ctx(world.xingqing), a.id).number == a.number  # a party
    assert q.agreement_facts(world.ctx(world.lingwu), a.id).number == a.number
    assert q.filed_versions(world.ctx(world.pingluo), 2025) == []
    assert q.filed_versions(world.ctx(world.xingqing), 2025) == [(a.id, 1)]


def test_a_version_that_did_not_exist_yet_is_not_found(world):
    before = utcnow()
    world.session.rollback()
    a = world.agreement(world.project())
    with pytest.raises(NotFound):
        q.agreement_facts(world.ctx(world.statistics), a.id, as_of=before)
    with pytest.raises(NotFound):
        q.agreement_facts(world.ctx(world.statistics), a.id, version=2)


def test_a_future_as_of_is_refused(world):
    a = world.agreement(world.project())
    with pytest.raises(Invalid) as info:
        q.agreement_facts(world.ctx(world.statistics), a.id, as_of=utcnow() + timedelta(hours=1))
    assert info.value.code == "as_of.future"
    with pytest.raises(Invalid):
        q.statement_facts(world.ctx(world.statistics), 2025, utcnow() + timedelta(hours=1))


def test_statement_defaults_to_the_ledger_head_and_matches_attribution(world):
    p = world.project()
    world.agreement(p)
    world.report(p, "2025-01", "10.05")
    world.report(p, "2025-02", "10.05")
    facts = q.statement_facts(world.ctx(world.statistics), 2025)
    head = q.ledger_head(world.session, None)
    assert facts.head == head and facts.attribution.as_of == head.recorded_at
    assert facts.scope is None
    same = attribution(world.ctx(world.statistics), 2025, head.recorded_at)
    assert facts.attribution == same
    assert facts.attribution.totals.in_place == 2010
    assert facts.province == "宁夏回族自治区"  # its own word (全区) heads the totals line
    world.report(p, "2025-03", "1.00")  # later postings change neither the default's past …
    again = q.statement_facts(world.ctx(world.statistics), 2025, head.recorded_at)
    assert again == facts
    assert q.statement_facts(world.ctx(world.statistics), 2025).head.seq > head.seq  # … nor hide


def test_a_region_statement_has_its_own_rows(world):
    p = world.project()
    world.agreement(p)
    world.report(p, "2025-01", "10.05")
    facts = q.statement_facts(world.ctx(world.xingqing), 2025)
    assert facts.scope == "640104"
    assert [r.code for r in facts.attribution.regions] == ["640104"]
    assert facts.attribution.regions[0].credited == 301


def test_an_empty_ledger_has_no_default_statement_time(world):
    with pytest.raises(Conflict) as info:
        q.statement_facts(world.ctx(world.statistics), 2025)
    assert info.value.code == "document.ledger_empty"
    moment = utcnow() - timedelta(seconds=1)
    empty = q.statement_facts(world.ctx(world.statistics), 2025, moment)
    assert empty.head is None and empty.attribution.totals.in_place == 0


def _strip_funds_share(value):
    if isinstance(value, dict):
        return {k: _strip_funds_share(v) for k, v in value.items() if k != "funds_share"}
    if isinstance(value, list):
        return [_strip_funds_share(v) for v in value]
    return value


def test_journal_entries_written_before_the_funds_line_read_as_one_share(world, app):
    """Entries of agreement versions written before versions had a share per line lack
    `funds_share`: the version's funds share reads as its share of completed investment, and
    the filing form made again has the canonical data it was issued with."""
    import json

    import sqlalchemy as sa

    from ledger import documents
    from ledger.models import AuditEntry
    from tests.helpers import tamper

    p = world.project()
    a = world.agreement(p, share="30")
    ctx = world.ctx(world.statistics)
    issued = documents.filing(ctx, a.id)
    entries = world.session.execute(sa.select(AuditEntry.id, AuditEntry.after).where(
        AuditEntry.after.like('%"funds_share"%'))).all()
    assert entries
    world.session.rollback()
    for id_, after in entries:  # as an older release wrote them
        text = json.dumps(_strip_funds_share(json.loads(after)), sort_keys=True,
                          separators=(",", ":"), ensure_ascii=False)
        assert tamper(app, "UPDATE audit_log SET after = :after WHERE id = :id",
                      after=text, id=id_) == 1
    facts = q.agreement_facts(ctx, a.id, as_of=issued.as_of)
    assert facts.version.funds_share == facts.version.recommender_share == 3000
    again = documents.filing(ctx, a.id, as_of=issued.as_of)
    assert again.canonical == issued.canonical and again.digest == issued.digest


def test_a_version_with_its_own_funds_share_prints_it(world):
    p = world.project()
    a = world.agreement(p, share="30",
                        terms=[{"indicator": "funds_in_place", "recommender_share": "45"}])
    facts = q.agreement_facts(world.ctx(world.statistics), a.id)
    assert (facts.version.recommender_share, facts.version.funds_share) == (3000, 4500)
    from ledger import documents
    data = documents.filing(world.ctx(world.statistics), a.id).data["agreement"]
    assert (data["recommender_share"], data["funds_share"], data["funds_receiver_share"]) == \
        ("30.00", "45.00", "55.00")
