"""Concurrent writers on PostgreSQL: many threads, each with its own long-lived Session, report
investment on shared projects while others take agreements through the filing workflow and
close/reopen a year. Afterwards the ledger must be exactly what the final state asks for:
a valid gap-free chain and no posting missing or doubled; and verify(), run meanwhile, never
raises a false alarm. The threaded test needs PostgreSQL (skipped when LEDGER_TEST_POSTGRES_URL is
unset); the deterministic two-session regression test at the end runs on both databases."""

from __future__ import annotations

import random
import threading
import traceback
from collections import Counter

import pytest
import sqlalchemy as sa

from tests.postings.oracle import (
    agreement_data, in_force, oracle_desired, posted_by_key, share_text,
)
from ledger.domain.errors import Conflict
from tests.helpers import verify
from ledger.models import Agreement, AgreementVersion, InvestmentReport, Posting, Project
from ledger.context import Context, Settings
from tests import drive
from ledger.queries.attribution import grand_total, region_totals

REPORTERS = 7
REPORTS_EACH = 40
DRIVER_STEPS = 40
YEARS = (2024, 2025)
PERIODS = [f"{y}-{m:02d}" for y in YEARS for m in (1, 2, 3, 4, 5, 6)]


@pytest.fixture
def pg_world(postgres_backend):
    """The PostgreSQL backend's app with the World snapshot, and the World's ids."""
    return postgres_backend.app, postgres_backend.restore("world")


def context_maker(app):
    """Contexts of the app's deployment (its settings: the filing prefix, the signing key)."""
    settings = Settings.from_config(app.config)
    return lambda session, actor: Context(session, actor, settings)


def _newest(session, agreement_id: int) -> AgreementVersion:
    session.rollback()  # read what is committed now
    return session.scalars(sa.select(AgreementVersion)
                           .where(AgreementVersion.agreement_id == agreement_id)
                           .order_by(AgreementVersion.version.desc())
                           .execution_options(populate_existing=True)).first()


class Runner:
    def __init__(self, app, n_threads: int):
        self.app = app
        self.barrier = threading.Barrier(n_threads)
        self.errors: list[str] = []
        self.conflicts: Counter = Counter()
        self.done: Counter = Counter()
        self.lock = threading.Lock()

    def thread(self, name: str, body):
        def run():
            with self.app.app_context(), self.app.extensions["ledger.sessionmaker"]() as session:
                try:
                    self.barrier.wait(timeout=60)
                    body(session)
                except BaseException:  # noqa: BLE001 - reported below, the test fails
                    with self.lock:
                        self.errors.append(f"{name}:\n{traceback.format_exc()}")
        return threading.Thread(target=run, name=name)

    def attempt(self, what: str, fn, *args, **kwargs):
        """Run one service call; a Conflict is an expected answer to a race, anything else fails."""
        try:
            result = fn(*args, **kwargs)
        except Conflict:
            with self.lock:
                self.conflicts[what] += 1
            return None
        with self.lock:
            self.done[what] += 1
        return result


@pytest.mark.postgres
def test_concurrent_reports_and_filings_postgres(pg_world):
    from tests.factories import World

    pg_app, world_ids = pg_world
    as_ = context_maker(pg_app)
    with pg_app.app_context(), pg_app.extensions["ledger.sessionmaker"]() as session:
        world = World(session, world_ids)
        p0 = world.project()
        p1 = world.project()
        p2 = world.project(host=world.xingqing, zone=world.zone_xq, industry_code="C3811")
        world.report(p1, "2024-01", "100.00")  # something to re-attribute from the start
        projects = [(p0.id, world.lingwu), (p1.id, world.lingwu), (p2.id, world.xingqing)]
        session.commit()
    p0_id, p2_id = projects[0][0], projects[2][0]

    n_threads = REPORTERS + 5
    runner = Runner(pg_app, n_threads)

    def reporter(seed):
        def body(session):
            rng = random.Random(seed)
            held = []  # like any caller that keeps what it read: objects survive commits
            for _ in range(REPORTS_EACH):
                if rng.random() < 0.3:
                    held = session.scalars(sa.select(Agreement)).all()  # noqa: F841 (kept alive: the session must hold them)
                    session.commit()  # the read ends cleanly: no rollback before the next write
                project_id, host = rng.choice(projects)
                amount = rng.choice(["0", "10.05", "20.10", "33.33", f"{rng.randint(0, 10**6)}.{rng.randint(0, 99):02d}"])
                runner.attempt("report", drive.report, as_(session, host), project_id,
                               rng.choice(PERIODS), amount)
        return body

    def driver(seed, project_id, recommender, receiver, first_years):
        """Takes one project's agreement round the workflow, reading its status afresh each step."""
        def body(session):
            rng = random.Random(seed)
            agreement_id = None
            for _ in range(DRIVER_STEPS):
                if agreement_id is None:
                    data = agreement_data(project_id, recommender.region_code,
                                          rng.randint(1, 10_000), rng.choice(first_years), None)
                    a = runner.attempt("create", drive.create_agreement, as_(session, receiver), data)
                    agreement_id = a and a.id
                    continue
                v = _newest(session, agreement_id)
                other = receiver if v.proposed_by == "recommender" else recommender
                body_actor = rng.choice([world.statistics, world.commerce])
                if v.status == "draft":
                    runner.attempt("confirm", drive.confirm, as_(session, other), agreement_id)
                elif v.status == "signed":
                    runner.attempt("submit", drive.submit, as_(session, rng.choice([recommender, receiver])), agreement_id)
                elif v.status == "submitted":
                    if rng.random() < 0.15:
                        runner.attempt("return", drive.return_, as_(session, body_actor), agreement_id, "请补充材料")
                    else:  # may repeat an acknowledgement already given: Conflict
                        runner.attempt("acknowledge", drive.acknowledge, as_(session, body_actor), agreement_id)
                elif v.status == "returned":
                    runner.attempt("edit", drive.edit_agreement, as_(session, receiver), agreement_id,
                                   {"recommender_share": share_text(rng.randint(1, 10_000))})
                elif v.status == "filed":
                    changes = {"recommender_share": share_text(rng.randint(1, 10_000))}
                    if rng.random() < 0.5:
                        changes["first_year"] = rng.choice(first_years)
                    runner.attempt("amend", drive.amend, as_(session, rng.choice([recommender, receiver])),
                                   agreement_id, changes)
        return body

    def filing_bodies(seed):
        """Both filing bodies acknowledge whatever is submitted, racing the drivers."""
        def body(session):
            rng = random.Random(seed)
            for _ in range(DRIVER_STEPS):
                session.rollback()
                pending = session.scalars(sa.select(Agreement.id).join(AgreementVersion)
                                          .where(AgreementVersion.status == "submitted")).all()
                if pending:
                    runner.attempt("acknowledge(race)", drive.acknowledge,
                                   as_(session, rng.choice([world.statistics, world.commerce])),
                                   rng.choice(pending))
        return body

    def year_keeper(session):
        rng = random.Random(99)
        for _ in range(DRIVER_STEPS // 2):
            if rng.random() < 0.5:
                runner.attempt("close", drive.close_year, as_(session, world.statistics), 2024)
            else:
                runner.attempt("reopen", drive.reopen_year, as_(session, world.statistics), 2024, "更正")
        runner.attempt("reopen", drive.reopen_year, as_(session, world.statistics), 2024, "最终更正")

    false_alarms: list = []

    def verifier(session):
        """verify() while the writers run must never report a problem: the ledger is valid
        after every committed transaction, so only an inconsistent read could fail it."""
        for _ in range(DRIVER_STEPS):
            session.rollback()
            result = verify(session, pg_app)
            if not result.ok:
                false_alarms.append(result.problems)

    threads = [runner.thread(f"reporter-{i}", reporter(i)) for i in range(REPORTERS)]
    threads += [
        runner.thread("driver-p0", driver(100, p0_id, world.xingqing, world.lingwu, [2024, 2025])),
        runner.thread("driver-p2", driver(200, p2_id, world.pingluo, world.xingqing, [2024, 2025])),
        runner.thread("filing-bodies", filing_bodies(300)),
        runner.thread("years", year_keeper),
        runner.thread("verifier", verifier),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    assert not runner.errors, "\n".join(runner.errors)
    assert not false_alarms, false_alarms
    assert runner.done["report"] > REPORTERS * REPORTS_EACH // 2, runner.done
    assert runner.done["acknowledge"] + runner.done["acknowledge(race)"] >= 2, runner.done

    with pg_app.extensions["ledger.sessionmaker"]() as s:
        _check_final_state(pg_app, s)


def _check_final_state(app, s) -> None:
    result = verify(s, app)
    assert result.ok, result.problems
    assert result.first_bad_seq is None

    seqs = s.scalars(sa.select(Posting.seq).order_by(Posting.seq)).all()
    assert seqs == list(range(1, len(seqs) + 1)), "seq must be gap-free and unique"
    assert result.postings == len(seqs) and result.head_seq == len(seqs)
    hashes = s.scalars(sa.select(Posting.hash)).all()
    assert len(set(hashes)) == len(hashes)

    # Revisions per month are 1..k, each once.
    revisions: dict[tuple[int, str], list[int]] = {}
    for pid, period, rev in s.execute(sa.select(InvestmentReport.project_id, InvestmentReport.period,
                                                InvestmentReport.revision)
                                      .order_by(InvestmentReport.revision)):
        revisions.setdefault((pid, period), []).append(rev)
    assert all(revs == list(range(1, len(revs) + 1)) for revs in revisions.values()), revisions

    # Filing numbers are unique and counted 1, 2, … per year; versions 1..k per agreement.
    filings = s.execute(sa.select(AgreementVersion.filing_year, AgreementVersion.filing_seq)
                        .where(AgreementVersion.filing_seq.is_not(None))
                        .order_by(AgreementVersion.filing_seq)).all()
    for year in {y for y, _ in filings}:
        assert [n for y, n in filings if y == year] == list(range(1, sum(1 for y2, _ in filings if y2 == year) + 1))

    # Every (period, region, role) is posted exactly as the final state wants, recomputed here
    # with the independent oracle from the newest revisions and the filed versions.
    newest_amounts: dict[tuple[int, str], int] = {}
    for pid, period, rev, amount in s.execute(sa.select(
            InvestmentReport.project_id, InvestmentReport.period, InvestmentReport.revision,
            InvestmentReport.amount).order_by(InvestmentReport.revision)):
        newest_amounts[(pid, period)] = amount
    for project in s.scalars(sa.select(Project)):
        agreement = s.scalars(sa.select(Agreement).where(Agreement.project_id == project.id)).first()
        filed = [] if agreement is None else [
            (v.version, v.recommender_share, v.first_year, v.last_year)
            for v in agreement.versions if v.status in ("filed", "superseded")]
        for year in YEARS:
            monthly = {period: amt for (pid, period), amt in newest_amounts.items()
                       if pid == project.id and period.startswith(f"{year}-")}
            v = in_force(filed, year)
            rule = None if v is None else (v[1], agreement.recommender_code, agreement.receiver_code)
            have = posted_by_key(s, project.id, year)
            assert have == oracle_desired(monthly, project.host_code, rule), (project.id, year)
            assert sum(have.values()) == sum(monthly.values())
    for year in YEARS:
        grand = grand_total(region_totals(s, year))
        assert grand.attributed == grand.in_place
        assert grand.in_place == sum(a for (pid, period), a in newest_amounts.items()
                                     if period.startswith(f"{year}-"))


def test_a_long_lived_session_sees_what_another_writer_filed(app, world, session):
    """Both backends. A session that still holds an agreement it read earlier must not
    reconcile with that agreement's old versions once another writer has filed a new one
    (ledger.db.writing expires the session's objects under the write lock)."""
    project = world.project()
    a = world.agreement(project, share="30", first_year=2024)
    session.commit()
    make, as_ = app.extensions["ledger.sessionmaker"], context_maker(app)
    with make() as worker, make() as other:
        drive.report(as_(worker, world.lingwu), project.id, "2024-01", "10.00")
        held = worker.scalars(sa.select(Agreement)).all()  # the caller keeps what it read
        worker.commit()
        drive.amend(as_(other, world.xingqing), a.id, {"recommender_share": "50"})
        drive.confirm(as_(other, world.lingwu), a.id)
        drive.submit(as_(other, world.lingwu), a.id)
        drive.acknowledge(as_(other, world.statistics), a.id)
        drive.acknowledge(as_(other, world.commerce), a.id)
        result = drive.report(as_(worker, world.lingwu), project.id, "2024-02", "10.00")
        # Feb under 50 %: YTD 20.00 → recommender 10.00, Jan already carries 5.00 → +5.00.
        assert {(p.role, p.amount) for p in result.postings} == {("recommender", 500), ("receiver", 500)}
        assert [v.version for v in held[0].versions] == [1, 2]
    with make() as s:
        assert posted_by_key(s, project.id, 2024) == {
            ("2024-01", "640104", "recommender"): 500, ("2024-01", "640181", "receiver"): 500,
            ("2024-02", "640104", "recommender"): 500, ("2024-02", "640181", "receiver"): 500}
        assert verify(s, app).ok


def test_a_filing_committed_between_the_reads_and_the_lock_is_seen(app, world, session,
                                                                    monkeypatch):
    """PostgreSQL: a batch of reports (reports.submit, as an import sends them) reads and
    plans before it takes the write lock (late_lock). When another writer files an agreement
    in between, the batch must not append what it planned from the old terms: the journal head
    moved, so it reads again under the lock. (SQLite holds its write transaction from the
    start, and so does a single report: there is no in-between to test.)"""
    from ledger.commands import reports
    from ledger.commands.inputs import ReportRow
    from ledger.policy import is_host

    if app.extensions["ledger.engine"].dialect.name != "postgresql":
        pytest.skip("SQLite takes its write lock at the start of the transaction")
    project = world.project()
    world.report(project, "2024-01", "10.00")
    a = world.agreement(project, share="30", first_year=2024, file=False)
    drive.confirm(world.ctx(world.xingqing), a.id)
    drive.submit(world.ctx(world.xingqing), a.id)
    drive.acknowledge(world.ctx(world.statistics), a.id)  # one acknowledgement from filed
    session.commit()
    make, as_ = app.extensions["ledger.sessionmaker"], context_maker(app)
    calls = []
    original = reports.prepare

    def prepare(ctx, checked, newest=None):
        planned = original(ctx, checked, newest)
        if not calls:  # the first plan, from the terms before the filing
            with make() as other:
                drive.acknowledge(as_(other, world.commerce), a.id)
                other.commit()
        calls.append(planned)
        return planned

    monkeypatch.setattr(reports, "prepare", prepare)
    def refuse(refusals):
        assert not refusals

    with make() as worker:
        _, written = reports.submit(as_(worker, world.lingwu),
                                    [ReportRow(1, "2024-02", 1000, project.id, None, "")],
                                    is_host, refuse, returning=True)
        worker.commit()
    assert len(calls) == 2  # planned again under the lock
    # Feb under the filed 30 %, not to the host alone as planned before the filing.
    assert {(p["role"], p["amount"]) for p in written.postings[(project.id, 2024)]} == {
        ("recommender", 300), ("receiver", 700)}
    with make() as s:
        assert verify(s, app).ok
