"""The ledger's stateful test (DESIGN.md): random reports, revisions, agreement filings,
amendments, returns, year closes and reopens, driven through the real commands against a simple
in-memory model; after every step the docs/attribution.md invariants are checked against an
independent oracle, and every refusal the model predicts must leave the database untouched.

Runs on SQLite and on PostgreSQL (when LEDGER_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import os

from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from tests.postings.oracle import (
    agreement_data, amount_text, fingerprint, in_force, oracle_desired, oracle_split,
    posted_by_key, share_text, totals_by_year,
)
from ledger.commands import years
from ledger.domain.errors import Conflict, Invalid
from tests.helpers import verify
from ledger.queries.attribution import grand_total, region_totals
from tests import drive

YEARS = (2024, 2025)
# Bounded for the suite (well under a minute per backend); raise them for a deeper search.
MAX_EXAMPLES = int(os.environ.get("LEDGER_STATEFUL_EXAMPLES", "25"))
STEPS = int(os.environ.get("LEDGER_STATEFUL_STEPS", "25"))
BODIES = ("statistics", "commerce")

amounts = st.one_of(
    st.sampled_from([0, 1, 5, 100, 1005, 2010, 3333, 10_000]),  # 1005 @30 %: the exact half
    st.integers(0, 10**6),
    st.integers(0, 10**14),  # up to the 10^12 万元 ceiling
)
shares = st.one_of(st.sampled_from([1, 3000, 3333, 5000, 9999, 10_000]), st.integers(1, 10_000))
last_years = st.sampled_from([None, None, 2024, 2025])


@dataclass
class ModelAgreement:
    id: int
    recommender: str
    receiver: str
    filed: list = field(default_factory=list)  # [(version, share_bp, first_year, last_year)]
    newest: dict = field(default_factory=dict)  # version, share, first, last, status, acked


@dataclass
class Ctx:
    backend: object  # tests/snapshots.py: restores the database each example starts from
    session: object
    world: object
    projects: list  # [(project_id, host_actor, [recommender actors])]


class LedgerMachine(RuleBasedStateMachine):
    ctx: Ctx  # set by the test before running

    def __init__(self):
        super().__init__()
        self.s = self.ctx.session
        self.c = self.ctx.world.ctx  # the command context of an actor
        self.s.close()
        self.ctx.backend.restore("stateful")
        self.reports: dict[tuple[int, str], int] = {}
        self.closed: set[int] = set()
        self.closed_totals: dict[int, dict] = {}
        self.agreements: dict[int, ModelAgreement] = {}  # project_id → agreement

    # ------------------------------------------------------------ helpers

    def actor_for(self, code: str):
        w = self.ctx.world
        return {a.region_code: a for a in (w.lingwu, w.xingqing, w.pingluo)}[code]

    def body(self, name: str):
        return getattr(self.ctx.world, name)

    def refused(self, exc, fn, *args, **kwargs):
        """The model predicts a refusal: it must happen and change nothing."""
        before = fingerprint(self.s)
        with pytest.raises(exc):
            fn(*args, **kwargs)
        self.s.rollback()
        assert fingerprint(self.s) == before, f"refused {fn.__name__} changed the database"

    def rule_for(self, project_id: int, year: int):
        a = self.agreements.get(project_id)
        v = in_force(a.filed, year) if a else None
        return None if v is None else (v[1], a.recommender, a.receiver)

    def share_in(self, filed, year):
        v = in_force(filed, year)
        return None if v is None else v[1]

    def filing_refused(self, a: ModelAgreement) -> bool:
        n = a.newest
        after = a.filed + [(n["version"], n["share"], n["first"], n["last"])]
        return any(self.share_in(a.filed, y) != self.share_in(after, y) for y in self.closed)

    def acknowledge(self, a: ModelAgreement, body: str) -> None:
        """One acknowledgement of the newest (submitted) version, the model predicting how it ends."""
        n = a.newest
        actor = self.body(body)
        if body in n["acked"]:
            self.refused(Conflict, drive.acknowledge, self.c(actor), a.id)
        elif not n["acked"]:  # the first of the two acknowledgements files nothing yet
            result = drive.acknowledge(self.c(actor), a.id)
            assert result.newest.status == "submitted" and result.newest.acknowledged_by == [body]
            n["acked"].add(body)
        elif self.filing_refused(a):
            self.refused(Conflict, drive.acknowledge, self.c(actor), a.id)
        else:
            result = drive.acknowledge(self.c(actor), a.id)
            assert result.newest.status == "filed" and result.newest.filing_number
            a.filed.append((n["version"], n["share"], n["first"], n["last"]))
            n["status"], n["acked"] = "filed", {*BODIES}

    def file_through(self, a: ModelAgreement, proposer: str, first_body: str) -> None:
        """Counterparty confirms and submits, then both filing bodies acknowledge."""
        other = a.receiver if proposer == a.recommender else a.recommender
        actor = self.actor_for(other)
        drive.confirm(self.c(actor), a.id)
        drive.submit(self.c(actor), a.id)
        a.newest.update(status="submitted", acked=set())
        self.acknowledge(a, first_body)
        self.acknowledge(a, BODIES[1 - BODIES.index(first_body)])

    # ------------------------------------------------------------ rules: reports

    @rule(p=st.integers(0, 2), year=st.sampled_from(YEARS), month=st.sampled_from([1, 2, 3, 7, 12]),
          amount=amounts, style=st.integers(0, 2))
    def report(self, p, year, month, amount, style):
        project_id, host, _ = self.ctx.projects[p]
        period = f"{year}-{month:02d}"
        text = amount_text(amount, style)
        current = self.reports.get((project_id, period))
        if current == amount:
            before = fingerprint(self.s)
            result = drive.report(self.c(host), project_id, period, text)
            assert not result.created and result.postings == []
            assert fingerprint(self.s) == before
        elif year in self.closed:
            self.refused(Conflict, drive.report, self.c(host), project_id, period, text)
        else:
            result = drive.report(self.c(host), project_id, period, text)
            assert result.created and result.report.amount == amount
            self.reports[(project_id, period)] = amount

    @precondition(lambda self: self.reports)
    @rule(data=st.data(), amount=amounts, style=st.integers(0, 2))
    def revise(self, data, amount, style):
        """A new revision of a month already reported (postings may go negative)."""
        project_id, period = data.draw(st.sampled_from(sorted(self.reports)))
        p = next(i for i, (pid, _, _) in enumerate(self.ctx.projects) if pid == project_id)
        self.report(p, int(period[:4]), int(period[5:]), amount, style)

    @precondition(lambda self: self.reports)
    @rule(data=st.data())
    def report_same_again(self, data):
        (project_id, period), amount = data.draw(st.sampled_from(sorted(self.reports.items())))
        host = next(h for pid, h, _ in self.ctx.projects if pid == project_id)
        before = fingerprint(self.s)
        result = drive.report(self.c(host), project_id, period, amount_text(amount))
        assert not result.created and result.postings == []
        assert fingerprint(self.s) == before

    # ------------------------------------------------------------ rules: agreements

    @rule(p=st.integers(0, 2), r=st.integers(0, 1), share=shares, first=st.sampled_from(YEARS),
          last=last_years, first_body=st.sampled_from(BODIES))
    def create_and_file(self, p, r, share, first, last, first_body):
        project_id, host, recommenders = self.ctx.projects[p]
        recommender = recommenders[r]
        data = agreement_data(project_id, recommender.region_code, share, first, last)
        # The host opens the agreement naming the recommender (docs/domain.md).
        if last is not None and last < first:
            self.refused(Invalid, drive.create_agreement, self.c(host), data)
            return
        if project_id in self.agreements:
            self.refused(Conflict, drive.create_agreement, self.c(host), data)
            return
        created = drive.create_agreement(self.c(host), data)
        assert created.newest.recommender_share == share
        a = ModelAgreement(created.id, recommender.region_code, host.region_code)
        a.newest = dict(version=1, share=share, first=first, last=last, status="draft", acked=set())
        self.agreements[project_id] = a
        self.file_through(a, host.region_code, first_body)

    @precondition(lambda self: self.agreements)
    @rule(data=st.data(), share=st.none() | shares, first=st.none() | st.sampled_from(YEARS),
          last=st.sampled_from(["keep", None, 2024, 2025]), by_recommender=st.booleans(),
          first_body=st.sampled_from(BODIES))
    def amend_and_file(self, data, share, first, last, by_recommender, first_body):
        project_id = data.draw(st.sampled_from(sorted(self.agreements)))
        a = self.agreements[project_id]
        proposer = a.recommender if by_recommender else a.receiver
        actor = self.actor_for(proposer)
        changes = {}
        if share is not None:
            changes["recommender_share"] = share_text(share)
        if first is not None:
            changes["first_year"] = first
        if last != "keep":
            changes["last_year"] = last
        n = a.newest
        new = dict(version=n["version"] + 1,
                   share=share if share is not None else n["share"],
                   first=first if first is not None else n["first"],
                   last=last if last != "keep" else n["last"], status="draft", acked=set())
        given_reversed = (changes.get("first_year") is not None
                          and changes.get("last_year") is not None
                          and changes["last_year"] < changes["first_year"])
        if not changes or given_reversed:  # the request itself is refused before any state
            self.refused(Invalid, drive.amend, self.c(actor), a.id, changes)
        elif n["status"] != "filed":
            self.refused(Conflict, drive.amend, self.c(actor), a.id, changes)
        elif new["last"] is not None and new["last"] < new["first"]:
            self.refused(Invalid, drive.amend, self.c(actor), a.id, changes)
        else:
            result = drive.amend(self.c(actor), a.id, changes)
            assert result.newest.version == new["version"] and result.newest.status == "draft"
            a.newest = new
            self.file_through(a, proposer, first_body)

    @precondition(lambda self: any(a.newest["status"] == "submitted" for a in self.agreements.values()))
    @rule(data=st.data(), body=st.sampled_from(BODIES))
    def acknowledge_pending(self, data, body):
        """Retry (or repeat) an acknowledgement of a version whose filing was refused."""
        pending = sorted(p for p, a in self.agreements.items() if a.newest["status"] == "submitted")
        self.acknowledge(self.agreements[data.draw(st.sampled_from(pending))], body)

    @precondition(lambda self: any(a.newest["status"] == "submitted" for a in self.agreements.values()))
    @rule(data=st.data(), body=st.sampled_from(BODIES), share=shares, first_body=st.sampled_from(BODIES))
    def return_edit_refile(self, data, body, share, first_body):
        """A filing body returns a pending version; the receiver edits the share and it goes round again."""
        pending = sorted(p for p, a in self.agreements.items() if a.newest["status"] == "submitted")
        a = self.agreements[data.draw(st.sampled_from(pending))]
        result = drive.return_(self.c(self.body(body)), a.id, "比例有误，请核对")
        assert result.newest.status == "returned" and result.newest.acknowledged_by == []
        result = drive.edit_agreement(self.c(self.actor_for(a.receiver)), a.id,
                                           {"recommender_share": share_text(share)})
        assert result.newest.status == "draft" and result.newest.recommender_share == share
        a.newest.update(share=share, status="draft", acked=set())
        self.file_through(a, a.receiver, first_body)

    # ------------------------------------------------------------ rules: years

    @rule(year=st.sampled_from(YEARS))
    def close(self, year):
        statistics = self.ctx.world.statistics
        if year in self.closed:
            self.refused(Conflict, years.close_year, self.c(statistics), year)
            return
        drive.close_year(self.c(statistics), year)
        self.closed.add(year)
        self.closed_totals[year] = self.read(lambda s: totals_by_year(s, year))

    @rule(year=st.sampled_from(YEARS))
    def reopen(self, year):
        statistics = self.ctx.world.statistics
        if year not in self.closed:
            self.refused(Conflict, drive.reopen_year, self.c(statistics), year, "更正数据")
            return
        postings_before = fingerprint(self.s)[0]
        drive.reopen_year(self.c(statistics), year, "更正数据")
        # Nothing can have been left unposted while the year was closed: no catch-up postings.
        assert fingerprint(self.s)[0] == postings_before
        self.closed.discard(year)
        del self.closed_totals[year]

    # ------------------------------------------------------------ invariants

    def read(self, fn):
        """Read through a fresh session: what is committed, not this session's identity map."""
        with self.ctx.backend.app.extensions["ledger.sessionmaker"]() as fresh:
            return fn(fresh)

    @invariant()
    def ledger_matches_model(self):
        self.s.rollback()
        self.read(self._check)

    def _check(self, s):
        expected_regions: dict[int, dict[str, list[int]]] = {y: {} for y in YEARS}
        for project_id, host, _ in self.ctx.projects:
            for year in YEARS:
                monthly = {period: amt for (pid, period), amt in self.reports.items()
                           if pid == project_id and period.startswith(f"{year}-")}
                total = sum(monthly.values())
                rule_ = self.rule_for(project_id, year)
                have = posted_by_key(s, project_id, year)
                # Each (period, region, role) is posted exactly as the rule wants, month by month.
                assert have == oracle_desired(monthly, host.region_code, rule_), (project_id, year)
                assert sum(have.values()) == total
                rec = sum(v for (_, _, role), v in have.items() if role == "recommender")
                hosted = sum(v for (_, _, role), v in have.items() if role == "host")
                if rule_ is None:
                    assert rec == 0 and hosted == total
                else:
                    assert rec == oracle_split(total, rule_[0])[0] and hosted == 0
                rows = expected_regions[year]
                rows.setdefault(host.region_code, [0, 0, 0])
                rows[host.region_code][0] += total
                rows[host.region_code][1] += rec
                if rule_ is not None:
                    rows.setdefault(rule_[1], [0, 0, 0])
                    rows[rule_[1]][2] += rec
        for year in YEARS:
            want = {c: tuple(v) for c, v in expected_regions[year].items() if any(v)}
            got = totals_by_year(s, year)
            assert got == want, year
            grand = grand_total(region_totals(s, year))
            assert grand.attributed == grand.in_place == sum(v[0] for v in want.values())
            if year in self.closed:
                assert got == self.closed_totals[year], f"closed year {year} changed"
        result = verify(s)
        assert result.ok, result.problems
        assert result.first_bad_seq is None
        assert result.postings == (result.head_seq or 0)


def _setup(backend, session, world) -> Ctx:
    """Three landed projects in the World; every example starts from this database."""
    xq_zone = world.zone_xq
    p0 = world.project()
    p1 = world.project(name="羊绒深加工项目")
    p2 = world.project(host=world.xingqing, zone=xq_zone, industry_code="C3811")
    projects = [
        (p0.id, world.lingwu, [world.xingqing, world.pingluo]),
        (p1.id, world.lingwu, [world.pingluo, world.xingqing]),
        (p2.id, world.xingqing, [world.lingwu, world.pingluo]),
    ]
    session.close()
    backend.take("stateful")
    return Ctx(backend, session, world, projects)


def test_ledger_state_machine(backend, session, world):
    LedgerMachine.ctx = _setup(backend, session, world)
    try:
        run_state_machine_as_test(LedgerMachine, settings=settings(
            max_examples=MAX_EXAMPLES, stateful_step_count=STEPS, deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
    finally:
        LedgerMachine.ctx = None



def _filed(world, session, project, share_bp, first, last):
    a = drive.create_agreement(world.ctx(world.lingwu), agreement_data(
        project.id, "640104", share_bp, first, last))
    drive.confirm(world.ctx(world.xingqing), a.id)
    drive.submit(world.ctx(world.lingwu), a.id)
    drive.acknowledge(world.ctx(world.statistics), a.id)
    return drive.acknowledge(world.ctx(world.commerce), a.id)


def _amend_to_submitted(world, session, a, changes):
    drive.amend(world.ctx(world.xingqing), a.id, changes)
    drive.confirm(world.ctx(world.lingwu), a.id)
    drive.submit(world.ctx(world.lingwu), a.id)
    drive.acknowledge(world.ctx(world.statistics), a.id)


def test_termination_cannot_remove_coverage_of_closed_year(world, session):
    """docs/domain.md: a closed year cannot gain or lose coverage until it is reopened (409) —
    also when the project has no reports in that year, so no posting would reveal it.
    (Found by the state machine: v1 2024– open-ended, 2025 closed, v2 ends 2024.)"""
    project = world.project()
    world.report(project, "2024-03", "10.00")
    a = _filed(world, session, project, 3000, 2024, None)
    world.close(2025)
    _amend_to_submitted(world, session, a, {"last_year": 2024})
    before = fingerprint(session)
    with pytest.raises(Conflict, match="2025"):
        drive.acknowledge(world.ctx(world.commerce), a.id)
    assert fingerprint(session) == before
    world.reopen(2025)
    assert drive.acknowledge(world.ctx(world.commerce), a.id).newest.status == "filed"


def test_amendment_that_keeps_a_closed_years_share_is_not_refused(world, session):
    """Extending an open year's end while a closed year keeps the same share changes nothing
    in the closed year (the service's own rule: a year is touched when its share changes)."""
    project = world.project()
    world.report(project, "2024-03", "10.00")
    a = _filed(world, session, project, 3000, 2024, 2025)
    world.close(2024)
    _amend_to_submitted(world, session, a, {"last_year": 2030})
    filed = drive.acknowledge(world.ctx(world.commerce), a.id)
    assert filed.newest.status == "filed" and filed.newest.version == 2
    assert verify(session).ok


def test_filing_cannot_change_a_closed_years_funds_share(world, session):
    """The same rule on the funds line: an amendment that keeps the completed-investment share
    but changes the funds share of a closed year is refused — also with no receipt in it."""
    project = world.project()
    world.report(project, "2024-03", "10.00")
    a = _filed(world, session, project, 3000, 2024, None)
    world.close(2024)
    _amend_to_submitted(world, session, a, {
        "first_year": 2024, "signed_on": "2025-01-10", "reason": "到位资金分成比例另行约定",
        "terms": [{"indicator": "funds_in_place", "recommender_share": "20"}]})
    before = fingerprint(session)
    with pytest.raises(Conflict, match="2024"):
        drive.acknowledge(world.ctx(world.commerce), a.id)
    assert fingerprint(session) == before
    world.reopen(2024)
    filed = drive.acknowledge(world.ctx(world.commerce), a.id)
    assert (filed.newest.recommender_share, filed.newest.funds_share) == (3000, 2000)
    assert verify(session).ok
