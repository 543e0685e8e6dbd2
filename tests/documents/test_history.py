"""Every fact a document prints is read as of its as-of time from the journal
(ledger/queries/documents/history.py), never from a current row: after a project is renamed, its
investor changed, its zone renamed and a region added, the filing form, the receipt and the
statement made again for the same as-of time are the same bytes, /verify says 一致 and lists
the later changes apart (此后的变更)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from urllib.parse import quote

import sqlalchemy as sa

from ledger.context import Context
from ledger.db import utcnow, writing
from ledger.documents.canonical import verification_code
from ledger.models import AgreementVersion, IssuedDocument, Region, Zone
from ledger.postings import append
from ledger.postings.journal import record
from ledger.postings.replay import BASELINE
from ledger.queries import documents as q
from ledger.queries.documents.history import History, Record, history
from tests import drive
from tests.documents.test_web import download, result_of, table_rows
from tests.factories import ADMIN
from tests.helpers import tamper
from tests.web.support import login

NEW_INVESTOR = "宁夏另一投资有限公司"
NEW_ZONE = "灵武羊绒产业园区（扩区）"


def change_everything_printed(world, p) -> None:
    """Later changes through the commands: the project renamed and its investor changed, its
    zone renamed, a region added below 银川市."""
    drive.update_project(world.ctx(world.lingwu), p.id,
                         {"name": f"{p.name}（一期）", "investor_name": NEW_INVESTOR})
    admin = Context(world.session, ADMIN)
    drive.update_zone(admin, world.zone_lw.id, {"name": NEW_ZONE})
    drive.create_region(admin, {"code": "640199", "name": "新设区", "level": "county",
                                "parent_code": "640100"})


def as_of_of(session, document_id: str) -> str:
    row = session.get(IssuedDocument, document_id)
    return json.loads(row.canonical)["as_of"]


def test_documents_made_again_for_their_time_are_the_same_bytes_after_later_changes(
        world, client, app, session):
    p = world.project()
    a = world.agreement(p)
    world.report(p, "2025-01", "100.00")
    old_name = p.name
    login(client, "lingwu")
    filing = download(client, f"/agreements/{a.id}/filing.pdf")
    receipt = download(client, f"/agreements/{a.id}/receipt.pdf")
    province = app.test_client()
    login(province, "tongji")
    statement = download(province, "/attribution/statement.pdf?year=2025")
    issued = {"filing": filing, "receipt": receipt, "statement": statement}
    ids = {kind: r.headers["X-Document-Id"] for kind, r in issued.items()}
    as_of = {kind: quote(as_of_of(session, i)) for kind, i in ids.items()}
    session.rollback()

    change_everything_printed(world, p)

    again = {"filing": download(client, f"/agreements/{a.id}/filing.pdf?as_of={as_of['filing']}"),
             "receipt": download(client,
                                 f"/agreements/{a.id}/receipt.pdf?as_of={as_of['receipt']}"),
             "statement": download(province, "/attribution/statement.pdf?year=2025"
                                              f"&as_of={as_of['statement']}")}
    for kind, response in again.items():
        assert response.headers["X-Document-Id"] == ids[kind], kind
        assert response.headers["X-Document-Digest"] == issued[kind].headers["X-Document-Digest"]
        assert response.data == issued[kind].data, kind  # byte for byte
    assert session.scalar(sa.select(sa.func.count()).select_from(IssuedDocument)) == 3
    # The form made now (its default as-of moved with the project's change) has the new facts.
    now = download(client, f"/agreements/{a.id}/filing.pdf")
    data = json.loads(session.get(IssuedDocument, now.headers["X-Document-Id"]).canonical)
    assert (data["project"]["name"], data["project"]["investor_name"],
            data["project"]["zone_name"]) == (f"{old_name}（一期）", NEW_INVESTOR, NEW_ZONE)

    public = app.test_client()
    for kind in ("filing", "receipt"):
        code = verification_code(ids[kind], app.config["SECRET_KEY"].encode())
        html = public.get(f"/verify/{ids[kind]}?code={code}").get_data(as_text=True)
        assert "一致" in result_of(html) and "不一致" not in result_of(html), kind
        later = [re.sub(r"^\d{4}-\d{2}-\d{2}\d{2}:\d{2}", "", row)
                 for row in table_rows(html, "verify-later")]
        assert later == [f"项目名称{old_name}{old_name}（一期）",
                         f"投资方宁夏某某有限公司{NEW_INVESTOR}",
                         f"所在开发区灵武羊绒产业园区{NEW_ZONE}"], kind
    code = verification_code(ids["statement"], app.config["SECRET_KEY"].encode())
    html = public.get(f"/verify/{ids['statement']}?code={code}").get_data(as_text=True)
    assert "一致" in result_of(html) and "不一致" not in result_of(html)
    # the region added appears on each line of the statement
    completed, funds = table_rows(html, "verify-later")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}\d{2}:\d{2}地区新设区（640199）（无）.*", completed), \
        completed
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}\d{2}:\d{2}招商引资实际到位资金：地区新设区（640199）（无）.*",
                        funds), funds


def test_the_facts_as_of_a_time_are_the_journals_of_that_time(world, session):
    p = world.project()
    a = world.agreement(p)
    world.report(p, "2025-01", "100.00")
    ctx = world.ctx(world.statistics)
    before = q.agreement_facts(ctx, a.id)
    statement = q.statement_facts(ctx, 2025)
    name = p.name
    change_everything_printed(world, p)

    assert q.agreement_facts(ctx, a.id, as_of=before.as_of) == before
    assert (before.project.name, before.project.investor_name, before.project.zone_name) == (
        name, "宁夏某某有限公司", "灵武羊绒产业园区")
    now = q.agreement_facts(ctx, a.id)  # as of the newest change of a fact it prints
    assert (now.project.name, now.project.investor_name, now.project.zone_name) == (
        f"{name}（一期）", NEW_INVESTOR, NEW_ZONE)
    assert now.version == before.version and now.as_of > before.as_of

    # The statement as of its time: the region added later is not in it; the one made now is.
    codes = [r.code for r in statement.attribution.regions]
    assert "640199" not in codes
    assert q.statement_facts(ctx, 2025, statement.attribution.as_of) == statement
    assert "640199" in [r.code for r in q.statement_facts(
        ctx, 2025, datetime.now(UTC)).attribution.regions]


def test_a_region_row_changed_behind_the_journal_is_not_printed(world, app, session):
    p = world.project()
    a = world.agreement(p)
    world.report(p, "2025-01", "100.00")
    session.rollback()
    assert tamper(app, "UPDATE regions SET name = '别名市' WHERE code = '640181'") == 1
    ctx = world.ctx(world.statistics)
    facts = q.agreement_facts(ctx, a.id)
    assert facts.receiver.name == "灵武市"  # as the journal recorded it
    [row] = [r for r in q.statement_facts(ctx, 2025).attribution.regions if r.code == "640181"]
    assert row.name == "灵武市"


def test_later_changes_of_a_version_are_listed_with_the_version_as_it_stood(world, session):
    """A version superseded later: the form of its time still prints it filed, and the change
    of its status is one of the later changes."""
    p = world.project()
    a = world.agreement(p, first_year=2025)
    ctx = world.ctx(world.statistics)
    first = q.agreement_facts(ctx, a.id)
    drive.amend(world.ctx(world.xingqing), a.id, {"recommender_share": "40", "first_year": 2026})
    world.file(world.session.get(type(a), a.id))
    facts, later = q.agreement_changes(ctx, a.id, 1, first.as_of)
    assert facts == first and facts.version.status == "filed" and facts.versions == 1
    assert later, "the amendment and its filing are later changes"
    assert later[-1][1].version.status == "superseded" and later[-1][1].versions == 2
    assert later[-1][1].version.last_year == 2025
    assert all(at > first.as_of for at, _ in later)
    assert [at for at, _ in later] == sorted(at for at, _ in later)


def test_a_baseline_stands_for_the_facts_before_the_journal_recorded_them():
    """A migrated journal starts with a baseline entry: an entity's facts before it are the
    baseline's; after it, its newest entry's."""
    t = datetime(2026, 1, 1, tzinfo=UTC)
    h = History()
    h.records[("zone", "1")] = [Record(5, t, "zone", "1", BASELINE, {"name": "旧"}),
                                Record(9, t, "zone", "1", "zone.update", {"name": "新"})]
    assert [h.at("zone", 1, seq)["name"] for seq in (1, 5, 8, 9, 20)] == \
        ["旧", "旧", "旧", "新", "新"]
    assert h.at("zone", 2, 20) is None
    assert h.later(5) == [(9, t)]  # a baseline is no later change


def test_one_read_per_kind_gives_each_entitys_history(world, session):
    p = world.project()
    name = p.name
    drive.update_project(world.ctx(world.lingwu), p.id, {"name": "第二个名字"})
    found = history(session, {"project": [p.id], "region": ["640181", "640100"]})
    names = [r.values["name"] for r in found.of("project", p.id)]
    assert names[0] == name and names[-1] == "第二个名字"
    assert [r.values["name"] for r in found.of("region", "640181")] == ["灵武市"]
    assert found.of("region", "640104") == []  # not asked for
    assert found.at("project", p.id, found.of("project", p.id)[0].seq)["name"] == name


def test_a_migrated_journal_reads_the_facts_before_its_baseline_from_the_baseline(world, session):
    """The journal migration's baseline holds every fact the tables held then; the entries
    before it are not read. A document as of a time before it prints the baseline's facts,
    one after a later change the change's."""
    p = world.project()
    a = world.agreement(p)
    earlier = q.agreement_facts(world.ctx(world.statistics), a.id).as_of
    session.rollback()
    facts = {
        "regions": {r.code: record("region", r) for r in session.scalars(sa.select(Region))},
        "zones": {str(z.id): record("zone", z) for z in session.scalars(sa.select(Zone))},
        "projects": {str(p.id): record("project", p) | {"name": "基线中的名称"}},
        "versions": [[a.number, v.version, record("version", v)]
                     for v in session.scalars(sa.select(AgreementVersion))]}
    with writing(session):
        append.entry(session, at=utcnow(), actor_id=None, actor_username="migration",
                     actor_role="admin", actor_region=None, action=BASELINE, entity="journal",
                     entity_id="test", after=facts)
    ctx = world.ctx(world.statistics)
    before = q.agreement_facts(ctx, a.id, as_of=earlier)
    assert before.project.name == "基线中的名称"  # the journal's oldest facts of the project
    assert before.version.status == "filed" and before.version.recommender_share == 3000
    assert before.receiver.name == "灵武市" and before.province.name == "宁夏回族自治区"
    drive.update_project(world.ctx(world.lingwu), p.id, {"name": "基线之后的名称"})
    assert q.agreement_facts(ctx, a.id).project.name == "基线之后的名称"
    assert q.agreement_facts(ctx, a.id, as_of=earlier) == before
