"""Investment reports and their revisions, assessment years (close/reopen) and as-of totals."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from ledger.commands import years as year_commands
from ledger.db import utcnow
from ledger.domain.errors import Conflict, Forbidden
from ledger.models import AssessmentYear, InvestmentReport, Posting, YearEvent
from tests.helpers import verify
from ledger.queries import attribution as totals
from ledger.queries import projects as project_queries
from ledger.queries import checklist, dashboards, years
from ledger.queries.checklist import ClosedYearTodo
from tests import drive
from tests.factories import ADMIN
from tests.helpers import (
    assert_rejected, audit_rows, balances, db_state, posting_count, postings,
)

REC, RCV, HOST = "recommender", "receiver", "host"
XQ, LW = "640104", "640181"


def revisions(world, actor, project_id, year=None):
    return [(r.period, r.revision, r.amount, r.note)
            for r in project_queries.reports(world.ctx(actor), project_id, year)]


# ------------------------------------------------------------------------------ reports

def test_revisions_keep_the_previous_ones_readable(world, session):
    p = world.project()
    first = drive.report(world.ctx(world.lingwu), p.id, "2025-01", "10.00", "首报")
    assert (first.created, first.report.revision, first.report.amount) == (True, 1, 1000)
    assert [(x.period, x.region_code, x.role, x.amount, x.cause) for x in first.postings] == [
        ("2025-01", LW, HOST, 1000, f"report:{p.id}/2025-01 r1")]
    second = drive.report(world.ctx(world.lingwu), p.id, "2025-01", "12.50", "更正")
    assert (second.created, second.report.revision) == (True, 2)
    assert [(x.role, x.amount) for x in second.postings] == [(HOST, 250)]
    third = world.report(p, "2025-01", "10.00")  # back to the first amount: still a new revision
    assert third.report.revision == 3 and [x.amount for x in third.postings] == [-250]
    world.report(p, "2026-02", "7.00")

    assert revisions(world, world.lingwu, p.id) == [
        ("2025-01", 1, 1000, "首报"), ("2025-01", 2, 1250, "更正"), ("2025-01", 3, 1000, ""),
        ("2026-02", 1, 700, "")]
    assert revisions(world, world.lingwu, p.id, 2026) == [("2026-02", 1, 700, "")]
    again = world.report(p, "2025-01", "10.00")  # the newest amount again: answered, not written
    assert (again.created, again.report.revision, again.report.note, again.postings) == (
        False, 3, "", [])
    # Officials read every revision too.
    assert len(revisions(world, world.statistics, p.id)) == 4
    assert balances(session, p.id, 2025) == {(LW, HOST): "10.00"}

    rows = [r for r in audit_rows(session, "project", p.id) if r.action == "investment.report"]
    assert [(r.before, r.after["revision"], r.after["amount"]) for r in rows] == [
        (None, 1, "10.00"),
        ({"revision": 1, "amount": "10.00"}, 2, "12.50"),
        ({"revision": 2, "amount": "12.50"}, 3, "10.00"),
        (None, 1, "7.00"),
    ]
    assert rows[1].after == {"period": "2025-01", "revision": 2, "amount": "12.50", "note": "更正"}
    assert second.postings[0].cause == f"report:{p.id}/2025-01 r2"  # its postings name it
    assert rows[0].after["note"] == "首报" and rows[0].actor_username == "lingwu"


def test_a_party_reads_reports_of_the_project(world, session):
    p = world.project()
    world.agreement(p)
    world.report(p, "2025-03", "1.00")
    assert revisions(world, world.xingqing, p.id) == [("2025-03", 1, 100, "")]


@pytest.mark.parametrize("amount", ["10.00", "10", "10.0"], ids=["same-text", "no-decimals", "one-decimal"])
def test_identical_amount_is_a_no_op(world, session, amount):
    p = world.project()
    first = world.report(p, "2025-01", "10.00")
    before = db_state(session)
    again = world.report(p, "2025-01", amount)
    assert not again.created and again.postings == []
    assert again.report.id == first.report.id and again.report.revision == 1
    assert db_state(session) == before  # no revision, no posting, no audit row


def test_a_month_before_the_project_started_is_refused(world, session):
    project = world.project(stage_on="2024-06-15")
    err = assert_rejected(session, lambda: world.report(project, "2024-05", "1.00"), Conflict,
                          "period")
    assert err.code == "report.before_start" and err.message.params == {"started": "2024-06"}
    assert world.report(project, "2024-06", "1.00").created  # the month it started: fine


def test_zero_is_a_valid_report(world, session):
    p = world.project()
    r = world.report(p, "2025-01", "0.00")
    assert r.created and r.report.amount == 0 and r.postings == []
    assert revisions(world, world.lingwu, p.id) == [("2025-01", 1, 0, "")]


def test_largest_amount_is_accepted(world, session):
    p = world.project()
    r = world.report(p, "2025-01", "1000000000000.00")
    assert r.report.amount == 10**14
    assert balances(session, p.id, 2025) == {(LW, HOST): "1000000000000.00"}


def test_reports_in_a_project_with_an_agreement_split(world, session):
    p = world.project()
    world.agreement(p, share="30", first_year=2026)
    r = world.report(p, "2025-01", "10.05")
    assert [(x.region_code, x.role) for x in r.postings] == [(LW, HOST)]
    r = world.report(p, "2026-01", "10.05")
    assert [(x.region_code, x.role, x.amount, x.version) for x in r.postings] == [
        (XQ, REC, 301, 1), (LW, RCV, 704, 1)]


# ------------------------------------------------------------------------------ closed years

def test_closed_year_refuses_reports_and_changes_nothing(world, session):
    p = world.project()
    world.report(p, "2025-01", "10.00")
    world.close(2025)
    assert years.status(session, 2025) == "closed"
    for period, amount in (("2025-01", "11.00"), ("2025-02", "1.00"), ("2025-01", "0.00")):
        err = assert_rejected(session, lambda: world.report(p, period, amount), Conflict, "period")
        assert "2025" in err.message
    # The same amount again changes nothing, so it is not refused.
    same = world.report(p, "2025-01", "10.00")
    assert not same.created
    # Other years stay open.
    assert world.report(p, "2026-01", "3.00").created
    assert revisions(world, world.lingwu, p.id) == [("2025-01", 1, 1000, ""), ("2026-01", 1, 300, "")]


def test_close_and_reopen_are_recorded(world, session):
    p = world.project()
    world.report(p, "2025-01", "10.00")
    heads = posting_count(session)
    closed = world.close(2025)
    assert (closed.year, closed.status) == (2025, "closed")
    reopened = world.reopen(2025, "  统计更正  ")
    assert reopened.status == "open" and years.status(session, 2025) == "open"
    assert posting_count(session) == heads  # nothing was pending

    evs = session.scalars(sa.select(YearEvent).order_by(YearEvent.id)).all()
    assert [(e.year, e.action, e.reason, e.actor_id) for e in evs] == [
        (2025, "close", None, world.statistics.id), (2025, "reopen", "统计更正", world.statistics.id)]
    rows = audit_rows(session, "year", 2025)
    # The project's months 2025-02 … 2025-12 were open; the close confirmed that list.
    confirmed = {"checklist_digest": rows[0].after.get("checklist_digest"), "open_items": 1}
    assert len(confirmed["checklist_digest"]) == 64
    assert [(r.action, r.actor_username, r.before, r.after) for r in rows] == [
        ("year.close", "tongji", {"status": "open"}, {"status": "closed"} | confirmed),
        ("year.reopen", "tongji", {"status": "closed"}, {"status": "open", "reason": "统计更正"}),
    ]
    assert [(y.year, y.status) for y in years.years(session)] == [(2025, "open")]
    # Open again: reports are accepted.
    assert world.report(p, "2025-01", "11.00").report.revision == 2
    # And it can be closed a second time.
    world.close(2025)
    assert session.get(AssessmentYear, 2025).status == "closed"
    assert len(session.scalars(sa.select(YearEvent)).all()) == 3


# ------------------------------------------------------------------------------ the checklist

def months(first: int, last: int, year: int = 2025) -> list[str]:
    return [f"{year}-{m:02d}" for m in range(first, last + 1)]


def report_months(world, project, periods):
    for period in periods:
        world.report(project, period, "1.00")


def pending_world(world):
    """2025 with open items: a draft and a submitted version covering it, a project started in
    March with May and December unreported; and what the checklist leaves out."""
    started = world.project(stage_on="2025-03-15")
    report_months(world, started, [m for m in months(3, 11) if m != "2025-05"])
    draft_p = world.project()
    report_months(world, draft_p, months(1, 12))
    draft = world.agreement(draft_p, file=False)
    submitted_p = world.project()
    report_months(world, submitted_p, months(1, 12))
    submitted = world.agreement(submitted_p, file=False)
    drive.confirm(world.ctx(world.xingqing), submitted.id)
    submitted = drive.submit(world.ctx(world.xingqing), submitted.id)
    # Left out: a filed agreement, a draft from 2026 on, a project not landed, a fully
    # reported one, a project started after the year.
    filed_p = world.project()
    report_months(world, filed_p, months(1, 12))
    world.agreement(filed_p)
    later_p = world.project()
    report_months(world, later_p, months(1, 12))
    world.agreement(later_p, first_year=2026, file=False)
    world.project(stage="signed")
    world.project(stage_on="2026-02-01")
    return started, (draft_p, draft), (submitted_p, submitted)


def pending_version(project, agreement, status):
    return {"agreement_id": agreement.id, "number": agreement.number, "version": 1,
            "status": status, "project_id": project.id, "project_name": project.name,
            "recommender_code": XQ, "receiver_code": LW, "first_year": 2025, "last_year": None}


def test_checklist_lists_unfiled_versions_and_unreported_months(world, session):
    started, (draft_p, draft), (submitted_p, submitted) = pending_world(world)
    found = checklist.checklist(world.ctx(world.statistics), 2025)
    assert found.data() == {
        "year": 2025, "through": "2025-12",
        "agreements": sorted([pending_version(draft_p, draft, "draft"),
                              pending_version(submitted_p, submitted, "submitted")],
                             key=lambda a: a["number"]),
        "unreported": [{"project_id": started.id, "project_name": started.name,
                        "host_code": LW, "months": ["2025-05", "2025-12"]}],
        "missing_evidence": []}
    assert found.open_items == 3
    # The digest: SHA-256 of the list's canonical JSON (sorted keys, no spaces, UTF-8).
    text = json.dumps(found.data(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert found.digest == hashlib.sha256(text.encode()).hexdigest()
    # The commerce department and the administrator read it too; a region may not.
    for official in (world.commerce, ADMIN):
        assert checklist.checklist(world.ctx(official), 2025).digest == found.digest
    with pytest.raises(Forbidden):
        checklist.checklist(world.ctx(world.lingwu), 2025)


def test_checklist_counts_months_through_today(world, session):
    p = world.project(stage_on="2025-11-20")
    world.report(p, "2026-01", "1.00")
    march = lambda: datetime(2026, 3, 10, 4, tzinfo=timezone.utc)  # noqa: E731
    ctx = replace(world.ctx(world.statistics), clock=march)
    this_year = checklist.checklist(ctx, 2026)
    assert (this_year.through, [u.months for u in this_year.unreported]) == (
        "2026-03", [["2026-02", "2026-03"]])
    assert checklist.checklist(ctx, 2025).unreported[0].months == ["2025-11", "2025-12"]
    later = checklist.checklist(ctx, 2027)
    assert (later.through, later.unreported, later.open_items) == (None, [], 0)


def test_close_with_open_items_confirms_the_digest_of_the_list(world, session):
    started, _, _ = pending_world(world)
    ctx = world.ctx(world.statistics)
    shown = checklist.checklist(ctx, 2025)
    # Without the digest: 409 with the list, nothing changed.
    err = assert_rejected(session, lambda: year_commands.close_year(ctx, 2025), Conflict)
    assert err.code == "year.checklist_open" and err.message.params == {"year": 2025, "count": 3}
    assert err.extra == {"checklist": shown.data() | {"digest": shown.digest}}
    # A digest of another list (stale: a month was reported since it was shown): 409 with
    # the new list.
    world.report(started, "2025-05", "2.00")
    now = checklist.checklist(ctx, 2025)
    assert now.digest != shown.digest and now.unreported[0].months == ["2025-12"]
    err = assert_rejected(session, lambda: year_commands.close_year(ctx, 2025, shown.digest),
                          Conflict)
    assert err.code == "year.checklist_open"
    assert err.extra["checklist"] == now.data() | {"digest": now.digest}
    # The digest of the list as it stands: closed, and the journal says what was confirmed.
    assert year_commands.close_year(ctx, 2025, now.digest).status == "closed"
    assert audit_rows(session, "year", 2025)[-1].after == {
        "status": "closed", "checklist_digest": now.digest, "open_items": 3}


def test_close_with_nothing_open_needs_no_digest(world, session):
    p = world.project(stage_on="2025-12-01")
    world.report(p, "2025-12", "1.00")
    assert checklist.checklist(world.ctx(world.statistics), 2025).open_items == 0
    closed = year_commands.close_year(world.ctx(world.statistics), 2025)
    assert closed.status == "closed"
    assert audit_rows(session, "year", 2025)[-1].after == {"status": "closed"}


def test_parties_see_a_closed_year_holding_up_their_filing(world, session):
    _, (_, draft), (_, submitted) = pending_world(world)
    world.close(2025)
    expected = sorted([ClosedYearTodo(draft.id, draft.number, 2025),
                       ClosedYearTodo(submitted.id, submitted.number, 2025)],
                      key=lambda t: t.number)
    for party in (world.lingwu, world.xingqing):  # the receiver and the recommender
        assert dashboards.counts(world.ctx(party)).closed_years == expected
    for other in (world.pingluo, world.statistics):
        assert dashboards.counts(world.ctx(other)).closed_years == []
    world.reopen(2025)
    assert dashboards.counts(world.ctx(world.lingwu)).closed_years == []


def test_a_year_without_a_row_is_open(world, session):
    assert years.status(session, 2030) == "open"
    assert years.years(session) == []


# ------------------------------------------------------------------------------ as-of totals

def _figures(session, year, code, as_of=None):
    row = totals.region_totals(session, year, as_of=as_of)[code]
    return row.in_place, row.ceded, row.credited, row.attributed


def test_as_of_totals_do_not_change_afterwards(world, session):
    p = world.project()
    t0 = utcnow()
    world.report(p, "2025-01", "100.00")
    t1 = utcnow()
    world.agreement(p, share="30")
    t2 = utcnow()
    world.report(p, "2025-01", "200.00")
    t3 = utcnow()

    expected = {
        t0: {LW: (0, 0, 0, 0), XQ: (0, 0, 0, 0)},
        t1: {LW: (10000, 0, 0, 10000), XQ: (0, 0, 0, 0)},
        t2: {LW: (10000, 3000, 0, 7000), XQ: (0, 0, 3000, 3000)},
        t3: {LW: (20000, 6000, 0, 14000), XQ: (0, 0, 6000, 6000)},
    }
    for t, by_region in expected.items():
        for code, figures in by_region.items():
            assert _figures(session, 2025, code, t) == figures, (t, code)
    assert _figures(session, 2025, LW) == expected[t3][LW]

    # Later changes (a revision, a new month) leave the past answers as they were.
    world.report(p, "2025-01", "50.00")
    world.report(p, "2025-02", "1.00")
    for t, by_region in expected.items():
        for code, figures in by_region.items():
            assert _figures(session, 2025, code, t) == figures, (t, code)
    assert _figures(session, 2025, LW) == (5100, 1530, 0, 3570)
    rows = totals.region_totals(session, 2025, as_of=t2)
    grand = totals.grand_total(rows)
    assert grand.attributed == grand.in_place == 10000


def test_as_of_is_by_recording_time_not_by_period(world, session):
    p = world.project()
    world.report(p, "2025-06", "10.00")
    t = utcnow()
    world.report(p, "2025-01", "5.00")  # an earlier month, recorded later
    assert _figures(session, 2025, LW, t) == (1000, 0, 0, 1000)
    assert _figures(session, 2025, LW) == (1500, 0, 0, 1500)
    assert verify(session).ok


def test_postings_are_never_updated(world, session):
    """Every change appends; earlier rows keep their amounts and hashes."""
    p = world.project()
    world.report(p, "2025-01", "10.00")
    first = [(x.seq, x.amount, x.hash) for x in session.scalars(sa.select(Posting).order_by(Posting.seq))]
    world.agreement(p)
    world.report(p, "2025-01", "20.00")
    after = [(x.seq, x.amount, x.hash) for x in session.scalars(sa.select(Posting).order_by(Posting.seq))]
    assert after[:len(first)] == first and len(after) > len(first)
    assert [x.seq for x in session.scalars(sa.select(Posting).order_by(Posting.seq))] == list(
        range(1, len(after) + 1))
    assert len(session.scalars(sa.select(InvestmentReport)).all()) == 2
    assert postings(session, p.id)[-2:] == [("2025-01", XQ, REC, "3.00", 1), ("2025-01", LW, RCV, "7.00", 1)]


def test_a_reports_one_read_finds_what_the_general_reads_find(world, session):
    """_at_once (one project, one year: the newest revision of each month by twelve probes)
    reads the same newest revisions and posted sums as the reads of a batch (_newest, plan's),
    over months revised several times, months not reported and another year's reports."""
    from ledger.commands.inputs import ReportRow
    from ledger.commands.reports import _at_once, _newest
    from ledger.postings import plan
    p = world.project()
    world.agreement(p)
    for period, amount in [("2025-01", "1.00"), ("2025-01", "2.00"), ("2025-03", "3.00"),
                           ("2025-12", "4.00"), ("2025-03", "5.00"), ("2025-01", "6.00"),
                           ("2026-01", "7.00"), ("2024-12", "8.00")]:
        world.report(p, period, amount)
    ctx = world.ctx(world.lingwu)
    read = _at_once(ctx, [ReportRow(1, "2025-03", 100, p.id, None, "")])
    assert read.newest == _newest(ctx, {p.id}, {2025})
    assert {(period, r.revision) for (_, period), r in read.newest.items()} == {
        ("2025-01", 3), ("2025-03", 2), ("2025-12", 1)}
    assert plan(session, [(p.id, 2025)], lines=("completed_investment",)) == []  # in step
    sums = {}
    for row in session.scalars(sa.select(Posting).where(Posting.project_id == p.id,
                                                         Posting.year == 2025)):
        key = (row.period, row.region_code, row.role)
        sums[key] = sums.get(key, 0) + row.amount
    assert len(sums) == 6 and read.posted == {("completed_investment", p.id, 2025): sums}
