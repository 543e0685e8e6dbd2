"""The date rules and project corrections at the commands, on both databases: "today" is the Beijing
civil date of the command context's clock; a correction is a journaled fact that `ledger verify`
replays (and a table changed behind it is caught); the demo's dates keep the rules."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ledger.domain.errors import Conflict, Invalid
from ledger.postings.replay import Replay
from tests import drive
from tests.factories import World
from tests.helpers import audit_rows, tamper, verify

# 2026-12-06 16:30 UTC is already 2026-12-07 in Beijing.
LATE_EVENING_UTC = datetime(2026, 12, 6, 16, 30, tzinfo=UTC)


def _at(world, moment: datetime) -> World:
    return World(world.session, world.ids, clock=lambda: moment)


def test_today_is_the_beijing_date_of_the_contexts_clock(world):
    w = _at(world, LATE_EVENING_UTC)
    p = drive.create_project(w.ctx(w.lingwu), {
        "name": "北京时间项目", "investor_name": "某公司", "investor_credit_code": "91640000710600058B",
        "industry_code": "C2614", "planned_investment": "1.00", "zone_id": w.zone_lw.id,
        "signed_on": "2026-12-07"})
    assert p.signed_on == date(2026, 12, 7)
    with pytest.raises(Invalid) as err:
        drive.change_stage(w.ctx(w.lingwu), p.id, "under_construction", "2026-12-08")
    assert err.value.code == "date.future" and err.value.errors == {"stage_on": [err.value.message]}
    assert err.value.message.params == {"today": "2026-12-07"}


def test_a_correction_is_replayed_by_verify_and_a_table_changed_behind_it_is_caught(world, session, app):
    p = world.project()
    world.agreement(p, first_year=2025)
    world.report(p, "2025-01", "10.00")
    drive.update_project(world.ctx(world.lingwu), p.id, {
        "signed_on": "2023-10-01", "started_on": "2024-02-01", "name": "更正名称",
        "reason": "依据合同更正"}, p.row_version)
    [entry] = [e for e in audit_rows(session, "project", p.id) if e.action == "project.correct"]
    assert (entry.before["signed_on"], entry.after["signed_on"]) == ("2023-12-01", "2023-10-01")
    assert (entry.before["started_on"], entry.after["started_on"]) == ("2024-01-01", "2024-02-01")
    assert entry.after["reason"] == "依据合同更正"
    session.commit()
    assert verify(session, app).ok
    replay = Replay()
    # The replayed project holds the corrected facts, not the reason.
    from ledger.models import AuditEntry
    from ledger.postings.journal import parsed
    for e in session.query(AuditEntry).order_by(AuditEntry.id):
        replay.apply(e, parsed(e.before), parsed(e.after))
    facts = replay.projects[p.id].values
    assert facts["signed_on"] == "2023-10-01" and facts["name"] == "更正名称" and "reason" not in facts
    session.close()
    assert tamper(app, "UPDATE projects SET signed_on = '2023-12-01' WHERE id = :id", id=p.id) == 1
    with app.extensions["ledger.sessionmaker"]() as s:
        result = verify(s, app)
    assert not result.ok
    assert any(f"project {p.id}: signed_on in projects differ" in problem for problem in result.problems)


def test_the_rules_hold_against_what_exists(world):
    p = world.project()
    world.agreement(p, first_year=2024)
    world.report(p, "2024-02", "1.00")
    host = world.ctx(world.lingwu)
    with pytest.raises(Conflict) as err:
        drive.update_project(host, p.id, {"started_on": "2024-03-01", "reason": "x"})
    assert (err.value.code, err.value.message.params) == (
        "project.start_after_report", {"period": "2024-02"})
    # within the first month reported, and the signing still in the agreement's first year
    project = drive.update_project(host, p.id, {"started_on": "2024-02-29", "signed_on": "2024-01-05",
                                                "reason": "依据开工报告更正"})
    assert (project.started_on, project.signed_on) == (date(2024, 2, 29), date(2024, 1, 5))


def test_an_ended_chain_does_not_hold_the_signing_back(world):
    p = world.project(stage="signed")
    a = world.agreement(p, first_year=2024, file=False)
    drive.withdraw(world.ctx(world.lingwu), a.id)
    project = drive.update_project(world.ctx(world.lingwu), p.id,
                                   {"signed_on": "2025-03-01", "reason": "更正"})
    assert project.signed_on == date(2025, 3, 1)


def test_the_demos_dates_keep_the_rules():
    from ledger.commands.demo import AGREEMENTS, PROJECTS
    from ledger.domain import dates
    from tests.helpers import today
    signed = {}
    for d in PROJECTS:
        facts = {"signed_on": date.fromisoformat(d.signed_on)}
        for stage, on in d.stages:
            facts[{"under_construction": "started_on", "in_operation": "operating_on",
                   "cancelled": "cancelled_on"}[stage]] = date.fromisoformat(on)
        assert dates.project_problems(facts, today()) == {}, d.key
        signed[d.key] = facts["signed_on"]
    for key, steps in AGREEMENTS.items():
        terms = {}
        for _, action, data in steps:
            if action == "create":
                terms = dict(data)
            elif action in ("edit", "amend"):
                terms |= data
            else:
                continue
            assert dates.agreement_problems(terms["first_year"], date.fromisoformat(terms["signed_on"]),
                                            signed[key], today()) == {}, (key, action)
