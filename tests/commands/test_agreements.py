"""The agreement workflow through the services: events, audit rows, filing numbers, returns and
edits, amendments and terminations, and what each filing does to the ledger and the totals."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from ledger import policy
from ledger import postings as ledger
from ledger.commands import agreements as agreement_commands
from ledger.domain import workflow
from ledger.domain.errors import Conflict, Forbidden, NotFound
from ledger.models import Agreement, AgreementEvent, Posting
from ledger.queries.agreement_views import available
from ledger.queries.dashboards import counts
from ledger.schemas.requests import AgreementTerms, load
from tests.helpers import verify
from ledger.queries import agreements as agreement_queries
from ledger.queries import attribution as totals
from ledger.queries import projects as project_queries
from tests import drive
from tests.factories import ADMIN
from tests.helpers import assert_rejected, audit_rows, balances, postings, today

REC, RCV, HOST = "recommender", "receiver", "host"
XQ, LW, PL = "640104", "640181", "640221"  # 兴庆区 (recommender), 灵武市 (host), 平罗县


def data(project, **over):
    d = {"project_id": project.id, "recommender_code": XQ, "recommender_share": "30",
         "first_year": 2025, "last_year": None, "signed_on": "2025-01-10",
         "signatories": {"recommender": "张三", "receiver": "李四"}, "reason": "兴庆区不含化工定位"}
    d.update(over)
    return d


def events(session, agreement_id):
    rows = session.scalars(sa.select(AgreementEvent).where(AgreementEvent.agreement_id == agreement_id)
                           .order_by(AgreementEvent.id))
    return [(e.version, e.action, e.from_status, e.to_status, e.actor_role, e.actor_region, e.reason)
            for e in rows]


def version(agreement, n):
    return next(v for v in agreement.versions if v.version == n)


def filing_number(n, year=None):
    return f"统备〔{year or today().year}〕{n}号"


def amounts(rows):
    """{code: (in_place, ceded, credited, attributed)} of regions with any figure."""
    return {code: (r.in_place, r.ceded, r.credited, r.attributed) for code, r in rows.items()
            if (r.in_place, r.ceded, r.credited) != (0, 0, 0)}


# ------------------------------------------------------------------------------ the workflow

def test_full_workflow_with_events_and_audit(world, session):
    p = world.project()
    y = today().year
    a = drive.create_agreement(world.ctx(world.lingwu), data(p))  # the host opens it
    assert a.number == f"XY-{y}-0001"
    assert (a.recommender_code, a.receiver_code, a.project_id) == (XQ, LW, p.id)
    v = a.newest
    assert (v.version, v.status, v.proposed_by, v.recommender_share) == (1, "draft", RCV, 3000)
    assert (v.first_year, v.last_year, v.signed_on) == (2025, None, date(2025, 1, 10))
    assert (v.recommender_signatory, v.receiver_signatory) == ("张三", "李四")
    assert v.acknowledged_by == [] and v.filing_number is None
    etag = a.row_version

    a = drive.confirm(world.ctx(world.xingqing), a.id)  # the recommender confirms
    assert a.newest.status == "signed" and a.newest.confirmed_at is not None
    assert a.row_version == etag + 1
    a = drive.submit(world.ctx(world.xingqing), a.id)  # either party may submit
    assert a.newest.status == "submitted" and a.newest.submitted_at is not None
    a = drive.acknowledge(world.ctx(world.commerce), a.id)
    assert a.newest.status == "submitted"
    assert a.newest.acknowledged_by == ["commerce"] and a.newest.filing_number is None
    a = drive.acknowledge(world.ctx(world.statistics), a.id)
    v = a.newest
    assert v.status == "filed"
    assert v.acknowledged_by == ["statistics", "commerce"]
    assert v.filing_number == filing_number(1) and v.filed_on == today()
    assert (v.filing_year, v.filing_seq) == (y, 1)
    assert a.row_version == etag + 4

    assert events(session, a.id) == [
        (1, "create", None, "draft", "region", LW, None),
        (1, "confirm", "draft", "signed", "region", XQ, None),
        (1, "submit", "signed", "submitted", "region", XQ, None),
        (1, "acknowledge", "submitted", "submitted", "commerce", None, None),
        (1, "acknowledge", "submitted", "filed", "statistics", None, None),
    ]
    rows = audit_rows(session, "agreement", a.number)
    assert [(r.action, r.actor_username, r.actor_role) for r in rows] == [
        ("agreement.create", "lingwu", "region"),
        ("agreement.confirm", "xingqing", "region"),
        ("agreement.submit", "xingqing", "region"),
        ("agreement.acknowledge", "shangwu", "commerce"),
        ("agreement.acknowledge", "tongji", "statistics"),
    ]
    assert rows[0].before is None and rows[0].after["status"] == "draft"
    assert rows[0].after["recommender_share"] == 3000
    assert [(r.before["status"], r.after["status"]) for r in rows[1:]] == [
        ("draft", "signed"), ("signed", "submitted"), ("submitted", "submitted"), ("submitted", "filed")]
    assert rows[-1].before["filing_number"] is None
    assert rows[-1].after["filing_number"] == filing_number(1)
    assert rows[-1].after["filed_on"] == today().isoformat()
    # No reports yet: filing posts nothing.
    assert postings(session, p.id) == []


def test_filing_numbers_count_per_year_without_padding(world, session, monkeypatch):
    y = today().year
    filed = []
    for _ in range(3):
        p = world.project()
        filed.append(world.agreement(p))
    assert [a.newest.filing_number for a in filed] == [filing_number(n) for n in (1, 2, 3)]
    assert [a.number for a in filed] == [f"XY-{y}-{n:04d}" for n in (1, 2, 3)]
    # Ten filings later the number is still unpadded.
    for _ in range(7):
        filed.append(world.agreement(world.project()))
    assert filed[-1].newest.filing_number == filing_number(10)
    # A new year starts again at 1.
    p = world.project()
    a = world.agreement(p, file=False)
    world.clock = lambda: datetime(y + 1, 1, 2, 4, tzinfo=UTC)  # 12:00 in Beijing
    a = world.file(a)
    assert a.newest.filing_number == filing_number(1, y + 1)
    assert a.newest.filed_on == date(y + 1, 1, 2)
    assert a.number == f"XY-{y}-0011"  # the agreement number was given at creation


def test_filing_prefix_is_configurable(world, session, app):
    app.config["FILING_PREFIX"] = "宁统备"
    a = world.agreement(world.project())
    assert a.newest.filing_number == f"宁统备〔{today().year}〕1号"


def test_return_clears_acknowledgements_and_edit_needs_new_confirmation(world, session):
    p = world.project()
    a = world.agreement(p, file=False)
    drive.confirm(world.ctx(world.xingqing), a.id)
    drive.submit(world.ctx(world.lingwu), a.id)
    a = drive.acknowledge(world.ctx(world.statistics), a.id)
    assert a.newest.acknowledged_by == ["statistics"]
    a = drive.return_(world.ctx(world.commerce), a.id, "  分成比例依据不足  ")
    v = a.newest
    assert v.status == "returned" and v.acknowledged_by == []
    assert v.statistics_ack_at is None and v.return_reason == "分成比例依据不足"
    assert v.filing_number is None
    ret = audit_rows(session, "agreement", a.number)[-1]
    assert ret.action == "agreement.return"
    assert ret.before["statistics_ack_at"] is not None and ret.after["statistics_ack_at"] is None
    assert ret.after["return_reason"] == "分成比例依据不足"

    # A returned version cannot simply be submitted or acknowledged again.
    assert_rejected(session, lambda: drive.submit(world.ctx(world.lingwu), a.id), Conflict)
    # The host edits it: back to draft, now proposed by the receiver, confirmations cleared.
    a = drive.edit_agreement(world.ctx(world.lingwu), a.id, {"recommender_share": "25"})
    v = a.newest
    assert (v.status, v.proposed_by, v.recommender_share) == ("draft", RCV, 2500)
    assert v.confirmed_at is None and v.submitted_at is None and v.acknowledged_by == []
    assert v.return_reason is None  # answered by the edit; the event history keeps the reason
    # The editor cannot confirm its own proposal; the other party must.
    assert_rejected(session, lambda: drive.confirm(world.ctx(world.lingwu), a.id), Conflict)
    a = drive.confirm(world.ctx(world.xingqing), a.id)
    assert a.newest.status == "signed"
    drive.submit(world.ctx(world.xingqing), a.id)
    drive.acknowledge(world.ctx(world.commerce), a.id)
    a = drive.acknowledge(world.ctx(world.statistics), a.id)
    assert a.newest.status == "filed" and a.newest.recommender_share == 2500
    assert a.newest.filing_number == filing_number(1)  # the returned round used no number
    assert [e[1:4] for e in events(session, a.id)] == [
        ("create", None, "draft"), ("confirm", "draft", "signed"), ("submit", "signed", "submitted"),
        ("acknowledge", "submitted", "submitted"), ("return", "submitted", "returned"),
        ("edit", "returned", "draft"), ("confirm", "draft", "signed"),
        ("submit", "signed", "submitted"), ("acknowledge", "submitted", "submitted"),
        ("acknowledge", "submitted", "filed"),
    ]
    assert events(session, a.id)[4][6] == "分成比例依据不足"


def test_edit_of_a_draft_by_the_other_party_swaps_who_must_confirm(world, session):
    p = world.project()
    a = world.agreement(p, file=False)  # opened (proposed) by the host
    a = drive.edit_agreement(world.ctx(world.xingqing), a.id, {"last_year": 2027, "reason": "改为三年"})
    v = a.newest
    assert (v.status, v.proposed_by, v.last_year, v.reason) == ("draft", REC, 2027, "改为三年")
    assert v.recommender_share == 3000  # untouched terms stay
    edit = audit_rows(session, "agreement", a.number)[-1]
    assert (edit.action, edit.before["last_year"], edit.after["last_year"]) == ("agreement.edit", None, 2027)
    assert_rejected(session, lambda: drive.confirm(world.ctx(world.xingqing), a.id), Conflict)
    assert drive.confirm(world.ctx(world.lingwu), a.id).newest.status == "signed"


# ------------------------------------------------------------------------------ the ledger

def test_filing_reattributes_existing_reports(world, session):
    p = world.project()
    world.report(p, "2025-01", "10.05")
    world.report(p, "2025-02", "10.05")
    assert balances(session, p.id, 2025) == {(LW, HOST): "20.10"}
    before = len(postings(session, p.id))
    a = world.agreement(p, share="30")
    new = postings(session, p.id)[before:]
    assert new == [
        ("2025-01", LW, HOST, "-10.05", None), ("2025-01", XQ, REC, "3.01", 1),
        ("2025-01", LW, RCV, "7.04", 1),
        ("2025-02", LW, HOST, "-10.05", None), ("2025-02", XQ, REC, "3.02", 1),
        ("2025-02", LW, RCV, "7.03", 1),
    ]
    causes = set(session.scalars(sa.select(Posting.cause).where(Posting.seq > before)))
    assert causes == {f"filing:{a.number} v1"}
    assert balances(session, p.id, 2025) == {(XQ, REC): "6.03", (LW, RCV): "14.07"}

    rows = totals.region_totals(session, 2025)
    assert amounts(rows) == {LW: (2010, 603, 0, 1407), XQ: (0, 0, 603, 603)}
    grand = totals.grand_total(rows)
    assert (grand.in_place, grand.ceded, grand.credited, grand.attributed) == (2010, 603, 603, 2010)
    # Both counties are in 银川市: the prefecture's roll-up nets out to the in-place figure.
    yc = totals.rolled_up(rows, "640100")
    assert (yc.in_place, yc.ceded, yc.credited, yc.attributed) == (2010, 603, 603, 2010)
    assert verify(session).ok


def test_totals_across_prefectures(world, session):
    """Two agreements in opposite directions across prefectures: Σ attributed = Σ in place."""
    a_proj = world.project()                                          # hosted in 灵武 (银川市)
    b_proj = world.project(host=world.xingqing, zone=world.zone_xq, industry_code="C3811")
    world.agreement(a_proj, share="30")                               # 兴庆 recommends to 灵武
    b = world.agreement(b_proj, recommender=world.pingluo, share="33.33", file=False)
    world.file(b)                                                     # 平罗 (石嘴山市) to 兴庆
    world.report(a_proj, "2025-05", "100.00")
    world.report(b_proj, "2025-05", "99.99", host=world.xingqing)
    # split(9999, 3333 bp) = 3332.6667 → 3333
    assert balances(session, b_proj.id, 2025) == {(PL, REC): "33.33", (XQ, RCV): "66.66"}
    rows = totals.region_totals(session, 2025)
    assert amounts(rows) == {
        LW: (10000, 3000, 0, 7000),
        XQ: (9999, 3333, 3000, 9666),
        PL: (0, 0, 3333, 3333),
    }
    grand = totals.grand_total(rows)
    assert grand.attributed == grand.in_place == 19999
    yc, szs = totals.rolled_up(rows, "640100"), totals.rolled_up(rows, "640200")
    assert (yc.in_place, yc.ceded, yc.credited, yc.attributed) == (19999, 6333, 3000, 16666)
    assert (szs.in_place, szs.ceded, szs.credited, szs.attributed) == (0, 0, 3333, 3333)
    province = totals.rolled_up(rows, "640000")
    assert province.attributed == province.in_place == 19999
    # Another year has nothing.
    assert amounts(totals.region_totals(session, 2026)) == {}


def _reported_and_filed(world, share="30"):
    p = world.project()
    world.report(p, "2025-03", "100.00")
    world.report(p, "2026-03", "200.00")
    a = world.agreement(p, share=share, first_year=2025)
    return p, a


def test_amendment_from_a_later_year_reattributes_only_from_then(world, session):
    p, a = _reported_and_filed(world)
    assert balances(session, p.id, 2025) == {(XQ, REC): "30.00", (LW, RCV): "70.00"}
    assert balances(session, p.id, 2026) == {(XQ, REC): "60.00", (LW, RCV): "140.00"}
    p2025 = postings(session, p.id, 2025)
    p2026 = postings(session, p.id, 2026)

    a = drive.amend(world.ctx(world.lingwu), a.id, {"first_year": 2026, "recommender_share": "50"})
    v2 = a.newest
    assert (v2.version, v2.status, v2.proposed_by, v2.first_year, v2.recommender_share) == (
        2, "draft", RCV, 2026, 5000)
    assert (v2.last_year, v2.recommender_signatory, v2.reason) == (None, "张三", "兴庆区经开区不含化工产业定位")
    assert version(a, 1).status == "filed"
    assert postings(session, p.id, 2026) == p2026  # a draft changes nothing
    assert audit_rows(session, "agreement", a.number)[-1].action == "agreement.amend"

    a = world.file(a)
    v1, v2 = version(a, 1), version(a, 2)
    assert (v1.status, v1.superseded_from, v1.last_year, v1.effective_last_year) == (
        "superseded", 2026, None, 2025)
    assert (v2.status, v2.filing_number) == ("filed", filing_number(2))
    # 2025 keeps its postings exactly; 2026 moves to 50 % with version 2.
    assert postings(session, p.id, 2025) == p2025
    assert postings(session, p.id, 2026) == p2026 + [
        ("2026-03", XQ, REC, "40.00", 2), ("2026-03", LW, RCV, "-40.00", 2)]
    assert balances(session, p.id, 2026) == {(XQ, REC): "100.00", (LW, RCV): "100.00"}
    assert ledger.applicable(a, 2025).version == 1
    assert ledger.applicable(a, 2026).version == 2
    assert ledger.applicable(a, 2024).version is None
    assert [e[:4] for e in events(session, a.id)][-2:] == [
        (2, "acknowledge", "submitted", "filed"), (1, "supersede", "filed", "superseded")]
    supersede = session.scalars(sa.select(AgreementEvent).where(
        AgreementEvent.action == "supersede")).one()
    assert supersede.actor_role == "commerce"  # the acknowledgement that filed v2
    # The earlier version's change is audited in its own right, after v2's acknowledgement.
    last_two = audit_rows(session, "agreement", a.number)[-2:]
    assert [(r.action, r.after["version"]) for r in last_two] == [
        ("agreement.acknowledge", 2), ("agreement.supersede", 1)]
    assert (last_two[1].before["status"], last_two[1].before["superseded_from"]) == ("filed", None)
    assert (last_two[1].after["status"], last_two[1].after["superseded_from"]) == ("superseded", 2026)
    assert last_two[1].actor_username == "shangwu"
    # New reports follow the version in force in their year.
    world.report(p, "2025-04", "10.00")
    world.report(p, "2026-04", "10.00")
    assert balances(session, p.id, 2025) == {(XQ, REC): "33.00", (LW, RCV): "77.00"}
    assert balances(session, p.id, 2026) == {(XQ, REC): "105.00", (LW, RCV): "105.00"}
    assert verify(session).ok


def test_amendment_covering_the_whole_range_supersedes_entirely(world, session):
    p, a = _reported_and_filed(world)
    a = drive.amend(world.ctx(world.xingqing), a.id, {"recommender_share": "40"})
    assert a.newest.first_year == 2025  # inherited
    a = world.file(a)
    v1 = version(a, 1)
    assert (v1.status, v1.superseded_from, v1.effective_last_year) == ("superseded", 2025, 2024)
    assert v1.effective_last_year < v1.first_year  # coverage empty
    assert ledger.applicable(a, 2025).version == 2
    assert balances(session, p.id, 2025) == {(XQ, REC): "40.00", (LW, RCV): "60.00"}
    assert balances(session, p.id, 2026) == {(XQ, REC): "80.00", (LW, RCV): "120.00"}
    assert {v for *_, v in postings(session, p.id)[-4:]} == {2}
    assert verify(session).ok


def test_amendment_may_follow_an_amendment(world, session):
    p, a = _reported_and_filed(world)
    a = world.file(drive.amend(world.ctx(world.xingqing), a.id,
                                    {"first_year": 2026, "recommender_share": "50"}))
    a = world.file(drive.amend(world.ctx(world.xingqing), a.id,
                                    {"first_year": 2025, "recommender_share": "10"}))
    v1, v2, v3 = (version(a, n) for n in (1, 2, 3))
    assert [v.status for v in (v1, v2, v3)] == ["superseded", "superseded", "filed"]
    assert (v1.superseded_from, v2.superseded_from) == (2025, 2025)
    assert v3.filing_number == filing_number(3)
    assert balances(session, p.id, 2025) == {(XQ, REC): "10.00", (LW, RCV): "90.00"}
    assert balances(session, p.id, 2026) == {(XQ, REC): "20.00", (LW, RCV): "180.00"}
    assert verify(session).ok


def test_termination_returns_later_years_to_the_host(world, session):
    p, a = _reported_and_filed(world)
    p2025 = postings(session, p.id, 2025)
    a = drive.amend(world.ctx(world.lingwu), a.id, {"last_year": 2025, "reason": "协议终止"})
    assert (a.newest.first_year, a.newest.last_year, a.newest.recommender_share) == (2025, 2025, 3000)
    a = world.file(a)
    v1, v2 = version(a, 1), version(a, 2)
    assert (v1.status, v1.effective_last_year) == ("superseded", 2024)
    assert (v2.status, v2.last_year) == ("filed", 2025)
    assert postings(session, p.id, 2025) == p2025  # same share in 2025: nothing to post
    assert balances(session, p.id, 2026) == {(LW, HOST): "200.00"}
    assert [row[:4] for row in postings(session, p.id, 2026)[-3:]] == [
        ("2026-03", LW, HOST, "200.00"), ("2026-03", XQ, REC, "-60.00"), ("2026-03", LW, RCV, "-140.00")]
    # The reversals name the terminating version whose filing caused them; the host row none.
    reversal = session.scalars(sa.select(Posting).where(Posting.project_id == p.id,
                                                        Posting.period == "2026-03")
                               .order_by(Posting.seq.desc()).limit(3)).all()
    assert sorted((r.role, r.agreement_id, r.version) for r in reversal) == [
        (HOST, None, None), (RCV, a.id, 2), (REC, a.id, 2)]
    world.report(p, "2026-04", "5.00")
    assert balances(session, p.id, 2026) == {(LW, HOST): "205.00"}
    rows = totals.region_totals(session, 2026)
    assert amounts(rows) == {LW: (20500, 0, 0, 20500)}
    assert verify(session).ok


# ------------------------------------------------------------------------------ closed years

def _submitted_with_one_ack(world, p, **over):
    a = world.agreement(p, file=False, **over)
    drive.confirm(world.ctx(world.xingqing), a.id)
    drive.submit(world.ctx(world.lingwu), a.id)
    return drive.acknowledge(world.ctx(world.statistics), a.id)


@pytest.mark.parametrize("with_reports", [True, False], ids=["year-has-reports", "year-without-reports"])
def test_filing_into_a_closed_year_is_refused_until_reopened(world, session, with_reports):
    p = world.project()
    if with_reports:
        world.report(p, "2025-03", "100.00")
    world.report(p, "2026-03", "50.00")
    world.close(2025)
    a = _submitted_with_one_ack(world, p, first_year=2025)
    err = assert_rejected(session, lambda: drive.acknowledge(world.ctx(world.commerce), a.id), Conflict)
    assert "2025" in err.message
    session.refresh(a)
    assert a.newest.status == "submitted" and a.newest.acknowledged_by == ["statistics"]
    assert balances(session, p.id, 2026) == {(LW, HOST): "50.00"}

    world.reopen(2025)
    a = drive.acknowledge(world.ctx(world.commerce), a.id)
    assert a.newest.status == "filed" and a.newest.filing_number == filing_number(1)
    assert balances(session, p.id, 2026) == {(XQ, REC): "15.00", (LW, RCV): "35.00"}
    if with_reports:
        assert balances(session, p.id, 2025) == {(XQ, REC): "30.00", (LW, RCV): "70.00"}
    assert verify(session).ok


def test_filing_after_a_closed_year_is_allowed(world, session):
    p = world.project()
    world.report(p, "2025-03", "100.00")
    world.report(p, "2026-03", "50.00")
    world.close(2025)
    a = world.agreement(p, first_year=2026)
    assert a.newest.status == "filed"
    assert balances(session, p.id, 2025) == {(LW, HOST): "100.00"}
    assert balances(session, p.id, 2026) == {(XQ, REC): "15.00", (LW, RCV): "35.00"}


@pytest.mark.parametrize("amendment,allowed", [
    ({"first_year": 2025, "recommender_share": "40"}, False),   # changes closed 2025
    ({"first_year": 2026, "recommender_share": "40"}, True),    # 2025 untouched
    ({"last_year": 2024}, False),                              # 2025 loses its coverage
], ids=["from-closed-year", "from-next-year", "termination-before-closed-year"])
def test_amendment_and_closed_years(world, session, amendment, allowed):
    p, a = _reported_and_filed(world)
    if "last_year" in amendment:
        amendment = {"first_year": 2024, **amendment}
    world.close(2025)
    a = drive.amend(world.ctx(world.xingqing), a.id, amendment)
    drive.confirm(world.ctx(world.lingwu), a.id)
    drive.submit(world.ctx(world.lingwu), a.id)
    drive.acknowledge(world.ctx(world.statistics), a.id)
    p2025 = postings(session, p.id, 2025)
    if allowed:
        a = drive.acknowledge(world.ctx(world.commerce), a.id)
        assert a.newest.status == "filed"
        assert balances(session, p.id, 2026) == {(XQ, REC): "80.00", (LW, RCV): "120.00"}
    else:
        assert_rejected(session, lambda: drive.acknowledge(world.ctx(world.commerce), a.id), Conflict)
        session.refresh(a)
        assert [v.status for v in a.versions] == ["filed", "submitted"]
    assert postings(session, p.id, 2025) == p2025
    assert verify(session).ok


@pytest.mark.parametrize("amendment", [
    {"last_year": 2024},                           # termination: 2025 would lose coverage
    {"first_year": 2025, "recommender_share": "40"},  # 2025 would change share
], ids=["termination", "new-share"])
def test_closed_year_without_reports_cannot_change_coverage(world, session, amendment):
    """The closed-year rule is about coverage, not only about postings: a closed year with no
    reports still may not gain, lose or change coverage."""
    p = world.project()
    a = world.agreement(p, first_year=2024)
    world.report(p, "2026-03", "100.00")
    world.close(2025)
    a = drive.amend(world.ctx(world.lingwu), a.id, amendment)
    drive.confirm(world.ctx(world.xingqing), a.id)
    drive.submit(world.ctx(world.xingqing), a.id)
    drive.acknowledge(world.ctx(world.commerce), a.id)
    err = assert_rejected(session, lambda: drive.acknowledge(world.ctx(world.statistics), a.id),
                          Conflict)
    assert "2025" in err.message
    world.reopen(2025)
    a = drive.acknowledge(world.ctx(world.statistics), a.id)
    assert [v.status for v in a.versions] == ["superseded", "filed"]
    expected = {(LW, HOST): "100.00"} if "last_year" in amendment else {(XQ, REC): "40.00",
                                                                          (LW, RCV): "60.00"}
    assert balances(session, p.id, 2026) == expected
    assert verify(session).ok


def test_closed_year_outside_both_versions_does_not_block(world, session):
    p = world.project()
    a = world.agreement(p, first_year=2025, last_year=2025)
    world.close(2024)
    world.close(2026)
    a = world.file(drive.amend(world.ctx(world.xingqing), a.id,
                                    {"first_year": 2025, "last_year": 2025, "recommender_share": "45"}))
    assert [v.status for v in a.versions] == ["superseded", "filed"]


# ------------------------------------------------------------------------------ ending a chain

def test_the_host_opens_and_the_recommender_declines(world, session):
    """docs/domain.md: the recommender declines the host's draft with a reason; the chain ends, the
    project is free for a new agreement, and the recommender no longer sees the project."""
    p = world.project()
    world.report(p, "2025-01", "10.00")
    a = world.agreement(p, file=False)
    assert project_queries.project(world.ctx(world.xingqing), p.id).id == p.id  # named: it sees it
    assert a.is_live and session.scalar(sa.select(Agreement.id).where(Agreement.is_live)) == a.id
    a = drive.decline(world.ctx(world.xingqing), a.id, "  本区不同意作为推荐方  ")
    assert (a.newest.status, a.ended_as) == ("declined", "declined")
    # Agreement.is_live: the object's answer and the SQL filter every query uses agree.
    assert not a.is_live
    assert session.scalar(sa.select(Agreement.id).where(Agreement.is_live,
                                                        Agreement.project_id == p.id)) is None
    assert events(session, a.id)[-1] == (1, "decline", "draft", "declined", "region", XQ,
                                         "本区不同意作为推荐方")
    assert audit_rows(session, "agreement", a.number)[-1].action == "agreement.decline"
    # The recommender's view of the project ends (its record of the agreement stays).
    assert_rejected(session, lambda: project_queries.project(world.ctx(world.xingqing), p.id), NotFound)
    assert_rejected(session, lambda: project_queries.reports(world.ctx(world.xingqing), p.id), NotFound)
    assert agreement_queries.agreement(world.ctx(world.xingqing), a.id).ended_as == "declined"
    # Nothing more can happen to the ended chain.
    for act in (lambda: drive.confirm(world.ctx(world.xingqing), a.id),
                lambda: drive.withdraw(world.ctx(world.lingwu), a.id)):
        assert_rejected(session, act, Conflict)
    # The project is free: the host names another recommender, who files it.
    b = world.agreement(p, recommender=world.pingluo)
    assert b.newest.status == "filed" and b.number != a.number
    assert balances(session, p.id, 2025) == {(PL, REC): "3.00", (LW, RCV): "7.00"}
    assert verify(session).ok


@pytest.mark.parametrize("returned", [False, True], ids=["draft", "returned"])
def test_the_host_withdraws_a_chain_never_filed(world, session, returned):
    p = world.project()
    a = world.agreement(p, file=False)
    if returned:
        drive.confirm(world.ctx(world.xingqing), a.id)
        drive.submit(world.ctx(world.xingqing), a.id)
        drive.return_(world.ctx(world.statistics), a.id, "材料不全")
    a = drive.withdraw(world.ctx(world.lingwu), a.id)
    assert (a.newest.status, a.ended_as) == ("withdrawn", "withdrawn")
    assert events(session, a.id)[-1][1:6] == ("withdraw", "returned" if returned else "draft",
                                              "withdrawn", "region", LW)
    assert_rejected(session, lambda: project_queries.project(world.ctx(world.xingqing), p.id), NotFound)
    assert world.agreement(p).newest.status == "filed"  # free for a new one


def test_a_filed_chain_cannot_be_withdrawn_even_with_a_pending_amendment(world, session):
    p = world.project()
    a = world.agreement(p)
    a = drive.amend(world.ctx(world.lingwu), a.id, {"recommender_share": "40"})
    err = assert_rejected(session, lambda: drive.withdraw(world.ctx(world.lingwu), a.id), Conflict)
    assert err.code == "workflow.withdraw_filed"


def test_an_amendment_of_a_filed_chain_cannot_be_declined(world, session):
    """Declining ends the chain; the filed terms it carries must not end with it."""
    a = world.agreement(world.project())
    a = drive.amend(world.ctx(world.lingwu), a.id, {"recommender_share": "40"})
    err = assert_rejected(session, lambda: drive.decline(world.ctx(world.xingqing), a.id, "不同意"),
                          Conflict)
    assert err.code == "workflow.decline_filed"


# ------------------------------------------------------------------------------ one workflow table

def _draft(world):
    return world.agreement(world.project(), file=False)  # opened by the host, 灵武市


def _submitted(world):
    a = drive.confirm(world.ctx(world.xingqing), _draft(world).id)
    return drive.submit(world.ctx(world.xingqing), a.id)


def _amendment(world):
    return drive.amend(world.ctx(world.xingqing), world.agreement(world.project()).id,
                       {"recommender_share": "40"})


# Every state docs/domain.md leaves a chain's newest version in, each reached through the commands.
STATES = {
    "draft by the host": _draft,
    "draft by the recommender": lambda w: drive.edit_agreement(
        w.ctx(w.xingqing), _draft(w).id, {"recommender_share": "35"}),
    "signed": lambda w: drive.confirm(w.ctx(w.xingqing), _draft(w).id),
    "submitted": _submitted,
    "acknowledged by statistics": lambda w: drive.acknowledge(w.ctx(w.statistics), _submitted(w).id),
    "returned": lambda w: drive.return_(w.ctx(w.commerce), _submitted(w).id, "材料不全"),
    "filed": lambda w: w.agreement(w.project()),
    "amendment by the recommender": _amendment,
    "returned amendment": lambda w: drive.return_(w.ctx(w.statistics), drive.submit(
        w.ctx(w.lingwu), drive.confirm(w.ctx(w.lingwu), _amendment(w).id).id).id, "材料不全"),
    "withdrawn": lambda w: drive.withdraw(w.ctx(w.lingwu), _draft(w).id),
    "declined": lambda w: drive.decline(w.ctx(w.xingqing), _draft(w).id, "并非我区推荐"),
}


def _accepts(world, actor, action: str, agreement_id: int) -> bool:
    """Whether the command takes `action` from `actor` (with the reason or terms the table says
    it needs, on the version just read); a refusal (403, 404, 409) writes nothing."""
    needs = workflow.STEP[action].needs
    given = {workflow.Needs.REASON: {"reason": "材料不全"},
             workflow.Needs.TERMS: {"terms": load(AgreementTerms, {"recommender_share": "40"})}}
    seen = world.session.scalar(sa.select(Agreement.row_version).where(Agreement.id == agreement_id))
    world.session.rollback()
    try:
        agreement_commands.take(world.ctx(actor), agreement_id, action, seen, **given.get(needs, {}))
    except (Forbidden, NotFound, Conflict):
        world.session.rollback()
        assert world.session.scalar(sa.select(Agreement.row_version)
                                    .where(Agreement.id == agreement_id)) == seen
        return False
    return True


@pytest.mark.parametrize("state", STATES)
def test_the_commands_the_buttons_and_the_to_do_all_read_the_workflow_table(world, session, state):
    """For every state and every kind of actor: the actions the commands accept are the buttons
    offered, and both are the table's; the agreement is on the actor's to-do exactly when the
    table says it waits for that actor."""
    a = STATES[state](world)
    for actor in (world.lingwu, world.xingqing, world.statistics, world.commerce, ADMIN, world.pingluo):
        standing = policy.standing(actor, a.recommender_code, a.receiver_code)
        table = workflow.state_of(a)
        offered = available(world.ctx(actor), a)
        waiting = a.id in counts(world.ctx(actor)).waiting
        accepted = []
        for action in workflow.OFFERED:
            if _accepts(world, actor, action, a.id):
                accepted.append(action)
                a = STATES[state](world)  # a fresh chain in the same state for the next action
        assert accepted == offered == workflow.allowed(standing, table), (state, actor.username)
        assert waiting is workflow.waits_for(standing, table), (state, actor.username)


def test_after_a_return_either_party_edits_and_both_see_it_waiting(world, session):
    """docs/domain.md: either party edits a returned version (back to draft, confirmations
    cleared)."""
    returned = STATES["returned"](world)
    for party in (world.lingwu, world.xingqing):
        assert returned.id in counts(world.ctx(party)).waiting, party.username
        assert "edit" in available(world.ctx(party), returned)
    a = drive.edit_agreement(world.ctx(world.xingqing), returned.id, {"reason": "补齐签字页"})
    assert (a.newest.status, a.newest.proposed_by, a.newest.return_reason) == ("draft", REC, None)
    assert a.id in counts(world.ctx(world.lingwu)).waiting  # now the host confirms
    assert a.id not in counts(world.ctx(world.xingqing)).waiting
