"""Importing files of monthly reports (ledger.io.imports + ledger.commands.imports) on both
databases: every row checked before anything is written, all rows in one transaction, every
problem named by row and field, the same file twice adds nothing."""

from __future__ import annotations

import json

import sqlalchemy as sa
import pytest

from ledger.commands.imports import import_reports
from ledger.domain.errors import Forbidden, Invalid
from ledger.io.imports import read_import
from ledger.domain.money import parse_amount
from ledger.models import InvestmentReport, Posting
from ledger.queries.attribution import grand_total, region_totals
from tests.helpers import assert_rejected, audit_rows, db_state, posting_count, verify
from tests.io.files import HEADERS_ZH, csv_bytes, xlsx_bytes

PERIODS = [f"{2024 + m // 12}-{m % 12 + 1:02d}" for m in range(20)]  # 2024-01 … 2025-08


def run(world, actor, data: bytes, progress=None):
    return import_reports(world.ctx(actor), read_import(data, "upload"), progress)


def problems_of(err: Invalid) -> dict:
    """errors.file as {row: {field: [codes]}}."""
    return {row: {f: [m.code for m in ms] for f, ms in fields.items()}
            for row, fields in err.errors["file"].items()}


def report_count(session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(InvestmentReport))


@pytest.fixture
def projects(world):
    """Fifty landed projects hosted by 灵武市, every other one with a filed agreement (30 %
    to 兴庆区 from 2025)."""
    out = []
    for i in range(50):
        project = world.project()
        if i % 2 == 0:
            world.agreement(project)
        out.append(project)
    return out


def thousand_rows(projects) -> list[list[str]]:
    return [[str(p.id), period, f"{(p.id * 7919 + m * 104729) % 10**7 / 100:.2f}", f"第{m}月"]
            for p in projects for m, period in enumerate(PERIODS)]


def test_a_good_thousand_row_file(world, projects, session):
    rows = thousand_rows(projects)
    assert len(rows) == 1000
    seen = []
    summary = run(world, world.lingwu, csv_bytes(rows), lambda done, total: seen.append((done, total)))
    assert (summary.rows, summary.created, summary.revised, summary.unchanged) == (1000, 1000, 0, 0)
    assert seen[-1] == (1000, 1000) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert report_count(session) == 1000
    assert summary.postings == posting_count(session) > 1000
    result = verify(session)
    assert result.ok, result.problems
    for year in (2024, 2025):
        expected = sum(parse_amount(r[2]) for r in rows if r[1].startswith(f"{year}-"))
        total = grand_total(region_totals(session, year))
        assert total.in_place == total.attributed == expected
    # one reconcile per project-year: each posting's cause names one project-year
    causes = set(session.scalars(sa.select(Posting.cause)))
    assert len(causes) == 100 and all(c.startswith("reports:") and c.endswith("×12") or
                                      c.endswith("×8") for c in causes)
    imported = [a for a in audit_rows(session, "import") if a.action == "investment.import"]
    assert [(a.after["rows"], a.after["created"], a.actor_username) for a in imported] == [
        (1000, 1000, "lingwu")]


def test_one_bad_row_among_999_writes_nothing_and_names_it(world, projects, session):
    rows = thousand_rows(projects)
    rows[499][2] = "12.345"
    err = assert_rejected(session, lambda: run(world, world.lingwu, csv_bytes(rows)), Invalid, "file")
    assert err.code == "import.invalid_rows" and problems_of(err) == {
        "501": {"amount": ["amount.too_many_decimals"]}}  # the header is row 1
    assert report_count(session) == 0 and posting_count(session) == 0


def test_the_same_file_twice_adds_nothing(world, session):
    few = [world.project() for _ in range(15)]
    world.agreement(few[0])
    data = xlsx_bytes([[int(r[0]), r[1], float(r[2]), r[3]] for r in thousand_rows(few)],
                      HEADERS_ZH)
    first = run(world, world.lingwu, data)
    before = db_state(session)
    second = run(world, world.lingwu, data)
    assert (first.created, second.created, second.revised, second.unchanged, second.postings) == (
        300, 0, 0, 300, 0)
    assert db_state(session) == before  # no revision, no posting, no audit row


def test_revisions_and_a_mix(world, session):
    p = world.project()
    world.report(p, "2024-01", "10.00")
    world.report(p, "2024-02", "20.00")
    summary = run(world, world.lingwu, csv_bytes([[p.id, "2024-01", "10.00", ""],
                                                  [p.id, "2024-02", "25.00", "更正"],
                                                  [p.id, "2024-03", "30", ""]]))
    assert (summary.created, summary.revised, summary.unchanged) == (1, 1, 1)
    revisions = session.execute(sa.select(InvestmentReport.period, InvestmentReport.revision,
                                          InvestmentReport.amount, InvestmentReport.note)
                                .where(InvestmentReport.project_id == p.id)
                                .order_by(InvestmentReport.period, InvestmentReport.revision)).all()
    assert [tuple(r) for r in revisions] == [("2024-01", 1, 1000, ""), ("2024-02", 1, 2000, ""),
                                             ("2024-02", 2, 2500, "更正"), ("2024-03", 1, 3000, "")]


def test_every_problem_of_every_row_at_once(world, session):
    landed = world.project(project_code="2023-640181-26-03-000001", signed_on="2022-12-01",
                           stage_on="2023-01-01")
    unlanded = world.project(stage="signed")
    hidden = world.project(host=world.xingqing, zone=world.zone_xq, industry_code="C3811")
    late = world.project(stage_on="2024-06-15")
    world.report(landed, "2023-05", "1.00")
    world.close(2023)
    rows = [
        [landed.id, "", "2024-01", "1.00", ""],                          # 2 fine
        [99999, "", "2024-01", "1.00", ""],                              # 3 no such project
        [hidden.id, "", "2024-01", "1.00", ""],                          # 4 another region's
        [unlanded.id, "", "2024-01", "1.00", ""],                        # 5 not landed
        [landed.id, "", "2099-01", "1.00", ""],                          # 6 future
        [landed.id, "", "2023-06", "1.00", ""],                          # 7 closed year, changes
        [landed.id, "", "2023-05", "1.00", ""],                          # 8 closed year, unchanged: fine
        ["", "2023-640181-26-03-000001", "2024-01", "2.00", ""],         # 9 same project and month as 2
        [landed.id, "2023-640104-26-03-000009", "2024-02", "1.00", ""],  # 10 unknown code
        ["", "", "2024-03", "1.00", ""],                                 # 11 no project
        [late.id, "", "2024-05", "1.00", ""],                            # 12 before it started
        [late.id, "", "2024-06", "1.00", ""],                            # 13 its first month: fine
    ]  # numbered as the spreadsheet shows them: the header is row 1
    data = csv_bytes(rows, ["项目ID", "项目代码", "期间", "完成投资(万元)", "备注"])
    err = assert_rejected(session, lambda: run(world, world.lingwu, data), Invalid, "file")
    assert problems_of(err) == {
        "3": {"project_id": ["resource.not_found"]},
        "4": {"project_id": ["resource.not_found"]},
        "5": {"project_id": ["report.not_landed"]},
        "6": {"period": ["period.future"]},
        "7": {"period": ["year.closed"]},
        "9": {"project_code": ["import.duplicate_row"]},
        "10": {"project_code": ["resource.not_found"]},
        "11": {"project_id": ["import.project_missing"]},
        "12": {"period": ["report.before_start"]},
    }
    assert err.message == "9 row(s) of the file are invalid; nothing was imported"
    texts = err.errors["file"]
    # another region's project reads exactly like one that does not exist
    assert texts["4"]["project_id"] == [f"project {hidden.id} not found"]
    assert texts["3"]["project_id"] == ["project 99999 not found"]
    assert texts["9"]["project_code"] == ["the same project and period as row 2"]
    assert texts["12"]["period"] == [
        "must not be before 2024-06, the month the project started construction"]


def test_project_id_and_code_must_name_the_same_project(world, session):
    a = world.project(project_code="2023-640181-26-03-000001")
    b = world.project(project_code="2023-640181-26-03-000002")
    data = csv_bytes([[a.id, "2023-640181-26-03-000002", "2024-01", "1"]],
                     ["project_id", "project_code", "period", "amount"])
    err = assert_rejected(session, lambda: run(world, world.lingwu, data), Invalid, "file")
    assert problems_of(err) == {"2": {"project_code": ["import.project_mismatch"]}}
    assert b.id != a.id


def test_a_region_importing_another_regions_project_is_told_not_found(world, session):
    project = world.project()  # hosted by 灵武市
    data = csv_bytes([[project.id, "2024-01", "1.00", ""]])
    err = assert_rejected(session, lambda: run(world, world.pingluo, data), Invalid, "file")
    assert err.errors["file"] == {"2": {"project_id": [f"project {project.id} not found"]}}


def test_the_recommender_sees_the_project_but_may_not_report_for_it(world, session):
    project = world.project()
    world.agreement(project)  # 兴庆区 recommends: it sees the project
    data = csv_bytes([[project.id, "2025-01", "1.00", ""]])
    err = assert_rejected(session, lambda: run(world, world.xingqing, data), Invalid, "file")
    assert problems_of(err) == {"2": {"project_id": ["forbidden.host_only"]}}


def test_the_statistics_bureau_may_import_for_any_region(world, session):
    a = world.project()
    b = world.project(host=world.xingqing, zone=world.zone_xq, industry_code="C3811")
    summary = run(world, world.statistics, csv_bytes([[a.id, "2024-01", "1.00", ""],
                                                      [b.id, "2024-01", "2.00", ""]]))
    assert summary.created == 2
    reporters = set(session.scalars(sa.select(InvestmentReport.reported_by)))
    assert reporters == {world.statistics.id}


@pytest.mark.parametrize("who", ["commerce", "ADMIN"])
def test_other_roles_may_not_import(world, session, who):
    from tests.factories import ADMIN
    actor = ADMIN if who == "ADMIN" else world.commerce
    project = world.project()
    assert_rejected(session, lambda: run(world, actor, csv_bytes([[project.id, "2024-01", "1", ""]])),
                    Forbidden)


def test_the_filled_template_imports_back(world, session):
    import io

    import openpyxl

    from ledger.io.imports import template_csv, template_xlsx
    project = world.project(project_code="2023-640181-26-03-000001")
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    sheet = book.worksheets[0]
    sheet.append([project.id, None, "2024-01", 12.5, "模板"])
    sheet.append([None, "2023-640181-26-03-000001", "2024-02", 3, None])
    out = io.BytesIO()
    book.save(out)
    assert run(world, world.lingwu, out.getvalue()).created == 2
    data = template_csv() + f"{project.id},,2024-03,1.00,\r\n".encode()
    assert run(world, world.lingwu, data).created == 1
    assert report_count(session) == 3


def test_a_bulk_import_equals_the_same_reports_sent_one_by_one(world, session):
    """The bulk path (insert_rows, set-based reconcile, one append) writes what the reports
    sent one project-year at a time through report_investments write: the same postings and
    journal entries for twin projects, then the same after revisions; verify holds."""
    from ledger.commands.inputs import ReportInput
    from ledger.commands.reports import report_investments
    from ledger.models import AuditEntry

    bulk, single = [], []
    for i in range(6):
        for group in (bulk, single):
            project = world.project()
            if i % 2 == 0:
                world.agreement(project)
            group.append(project)
    twin = {b.id: s.id for b, s in zip(bulk, single)}

    def send(rows, by_file: bool) -> None:
        if by_file:
            run(world, world.lingwu, csv_bytes([[str(p.id), period, amount, note]
                                                for p, period, amount, note in rows]))
            return
        groups: dict = {}
        for p, period, amount, note in rows:
            groups.setdefault((twin[p.id], period[:4]), []).append(
                ReportInput(twin[p.id], period, parse_amount(amount), note))
        for group in groups.values():
            report_investments(world.ctx(world.lingwu), group)

    def written(projects) -> list:
        ids = {p.id: n for n, p in enumerate(projects)}
        rows = session.execute(sa.select(Posting).where(Posting.project_id.in_(ids))
                               .order_by(Posting.seq)).scalars()
        return [(ids[p.project_id], p.period, p.region_code, p.role, p.amount, p.version,
                 p.cause.replace(f":{p.project_id}/", ":P/")) for p in rows]

    def entries(projects) -> list:
        """Each report's journal entry, its project by its place among `projects`."""
        ids = {str(p.id): n for n, p in enumerate(projects)}
        return [(ids[e.entity_id], e.before, json.loads(e.after), e.actor_username)
                for e in session.scalars(sa.select(AuditEntry).where(
                    AuditEntry.action == "investment.report", AuditEntry.entity_id.in_(ids))
                    .order_by(AuditEntry.id))]

    first = [(p, period, f"{(p.id * 31 + m * 7) % 5000}.{m % 100:02d}", f"第{m}月")
             for p in bulk for m, period in enumerate(PERIODS)]
    revised = [(p, period, "1.00", "更正") for p in bulk for period in ("2024-03", "2025-02")]
    for rows in (first, revised):
        session.expire_all()
        send(rows, by_file=True)
        send(rows, by_file=False)
        session.expire_all()
        assert written(bulk) == written(single)
        assert entries(bulk) == entries(single)
    assert len(written(bulk)) > len(first)
    result = verify(session)
    assert result.ok, result.problems


def test_the_same_bad_rows_sent_one_by_one_are_refused_as_one_import_refuses_them(world, session):
    """The refusals have one source too: each bad row sent alone as a PUT (the request schema,
    then the report pipeline as a one-row batch) raises the first problem the import names for
    that row, and a row with one problem the same problem, with the same parameters; the PUT's
    error class (its status) is the rule's. A doubled row is the one refusal a lone PUT cannot
    meet. Nothing is written either way."""
    from ledger.domain.errors import Conflict, DomainError, NotFound
    from tests import drive

    landed = world.project()
    world.report(landed, "2024-03", "1.00")
    world.close(2024)
    late = world.project(stage_on="2025-06-15")
    unlanded = world.project(stage="signed")
    hidden = world.project(host=world.xingqing, zone=world.zone_xq, industry_code="C3811")
    party = world.project(host=world.xingqing, zone=world.zone_xq, industry_code="C3811")
    world.agreement(party, recommender=world.lingwu)  # 灵武 sees it, but does not host it
    bad = [  # (project id, period, amount), the PUT's error class
        ((landed.id, "2099-01", "1.00"), Invalid),
        ((99999, "2025-02", "1.00"), NotFound),
        ((hidden.id, "2025-02", "1.00"), NotFound),
        ((party.id, "2025-02", "1.00"), Forbidden),
        ((unlanded.id, "2025-02", "1.00"), Conflict),
        ((late.id, "2025-05", "1.00"), Conflict),
        ((landed.id, "2024-03", "2.00"), Conflict),
        ((landed.id, "2025-03", "1.005"), Invalid),
        ((landed.id, "2025-03", "-1.00"), Invalid),
        ((99999, "2099-01", "1.00"), Invalid),     # two problems: the future month first
        ((unlanded.id, "2099-02", "1.00"), Invalid),
        ((party.id, "2099-03", "1.00"), Invalid),
    ]
    before = db_state(session)

    def codes(problems) -> list:
        return [(p.code, p.params) for p in problems]

    alone = []
    for (project_id, period, amount), kind in bad:
        try:
            drive.report(world.ctx(world.lingwu), project_id, period, amount)
        except DomainError as err:
            session.rollback()
            assert type(err) is kind, (project_id, period, amount, err)
            alone.append(codes([p for ps in err.errors.values() for p in ps]
                               if err.errors else [err.message]))
        else:
            raise AssertionError(f"accepted alone: {project_id} {period} {amount}")
    assert db_state(session) == before

    with pytest.raises(Invalid) as refused:
        run(world, world.lingwu, csv_bytes([[str(p), period, amount, ""]
                                            for (p, period, amount), _ in bad]))
    session.rollback()
    assert db_state(session) == before
    by_row = refused.value.errors["file"]
    assert sorted(by_row, key=int) == [str(n) for n in range(2, 2 + len(bad))]
    together = [codes([p for ps in by_row[str(n)].values() for p in ps])
                for n in range(2, 2 + len(bad))]
    for row, one, every in zip(bad, alone, together):
        assert one == every[:1], row
        assert len(every) > 1 or one == every, row
    assert [len(every) for every in together][-3:] == [2, 2, 2]


def test_a_funds_file_is_recorded_whole_with_monotonic_progress_and_one_journal_entry(world, session):
    """Receipts of interleaved project-years: progress only rises and ends at the row count, the
    import is journaled once (funds.import) beside each receipt's funds.record, verify holds."""
    from ledger.commands.imports import import_funds
    from ledger.io.imports import FUNDS
    from ledger.models import FundsReceipt

    a, b = world.project(), world.project()
    world.agreement(a)
    rows = [[p.id, f"{year}-0{month}-1{month}", f"{month}.0{month}", "境外", "某公司", ""]
            for month in range(1, 5) for year in (2024, 2025) for p in (a, b)]
    rows.append([a.id, "2024-12-01", "1.00", "domestic", "某公司", ""])  # its first group last
    header = ["项目ID", "到账日期", "到位资金(万元)", "资金来源", "出资方", "备注"]
    seen = []
    summary = import_funds(world.ctx(world.lingwu), read_import(csv_bytes(rows, header), "f.csv", FUNDS),
                           lambda done, total: seen.append((done, total)))
    assert (summary.rows, summary.created) == (17, 17)
    assert summary.postings == posting_count(session) > 0
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and seen[-1] == (17, 17)
    assert session.scalar(sa.select(sa.func.count()).select_from(FundsReceipt)) == 17
    imported = [r for r in audit_rows(session, "import") if r.action == "funds.import"]
    assert [(r.after["rows"], r.after["created"], r.after["file"]) for r in imported] == [
        (17, 17, "f.csv")]
    result = verify(session)
    assert result.ok, result.problems


def test_a_funds_file_with_a_refused_cell_writes_nothing(world, session):
    from ledger.commands.imports import import_funds
    from ledger.io.imports import FUNDS

    p = world.project()
    header = ["project_id", "received_on", "amount", "source", "payer"]
    before = db_state(session)
    with pytest.raises(Invalid) as refused:
        import_funds(world.ctx(world.lingwu), read_import(csv_bytes(
            [[p.id, "2025-01-02", "1.00", "境外", "某公司"],
             [p.id, "2025-01-02", "1.00", "abroad", "某公司"]], header), "f.csv", FUNDS))
    session.rollback()
    assert problems_of(refused.value) == {"3": {"source": ["field.one_of"]}}
    assert db_state(session) == before


def _loaded(load, raw: dict):
    """What loading `raw` gives: the row, or the refusal's messages with their codes."""
    from marshmallow import ValidationError
    try:
        return load(raw)
    except ValidationError as err:
        return {f: [(m, m.code) for m in ms] for f, ms in err.messages.items()}


@pytest.mark.parametrize("kind", ["investment", "funds"])
def test_rows_loaded_as_a_batch_are_loaded_as_the_schema_loads_each(kind):
    """RowLoader (the import's batch) against schema.load, row by row, over good rows and
    every kind of bad cell, each value seen twice (the second from the loader's memory), in
    the same order of fields and messages."""
    from ledger.io.imports import KINDS
    from ledger.schemas.requests import RowLoader

    schema = KINDS[kind].schema
    loader = RowLoader(schema)
    assert loader.fast  # the batch path, not schema.load for every row
    good = ({"project_id": "7", "period": "2025-01", "amount": "10.05", "note": "一月"}
            if kind == "investment" else
            {"project_id": "7", "received_on": "2025-03-15", "amount": "10.05",
             "source": "境外", "payer": "某公司", "note": ""})
    changes = [{}, {"note": "  两\r\n行  "},
               {"project_id": None, "project_code": "2023-640000-26-03-004512"},
               {"project_id": None}, {"project_id": "x"}, {"project_id": "0"},
               {"project_code": "bad"}, {"amount": "1.005"}, {"amount": "0"},
               {"amount": "-1"}, {"amount": None}, {"note": "\u202e"}, {"note": "x" * 501},
               {"period": "2025-13"}, {"received_on": "2025-02-30"}, {"source": "别处"},
               {"payer": " "}, {"amount": "abc", "project_id": None}, {"unknown": "1"},
               # a field with a _validate of its own (OptionalCode: "" loads as None, unchecked)
               {"project_code": ""},
               # a value of another type than text (the memory keeps 1, "1" and True apart)
               {"project_id": 1}, {"project_id": "1"}, {"project_id": True}, {"amount": 1},
               {"amount": True}, {"row": True}, {"row": 1.0}]
    for number, change in enumerate(changes * 2, start=2):
        raw = {"row": number} | {k: v for k, v in (good | change).items() if v is not None}
        expected = _loaded(schema.load, raw)
        assert _loaded(loader.load, raw) == expected, raw
        if isinstance(expected, dict):
            assert list(_loaded(loader.load, raw)) == list(expected)


def test_the_batch_calls_a_hook_as_the_schema_does_with_or_without_its_keywords():
    """Ours take marshmallow's keyword arguments as **_, unread: called without them. A hook
    that takes them as any other name gets them, as schema.load gives them."""
    from marshmallow import Schema, fields, post_load

    from ledger.io.imports import KINDS
    from ledger.schemas.requests import RowLoader

    for kind in KINDS.values():
        loader = RowLoader(kind.schema)
        assert all(type(hook).__name__ == "method" for hook in loader.rules + loader.post)

    class Reads(Schema):
        a = fields.String()

        @post_load
        def _out(self, data, **kwargs):
            return data | {k: kwargs[k] for k in ("many", "partial", "unknown")}

    schema = Reads()
    assert RowLoader(schema).load({"a": "x"}) == schema.load({"a": "x"})
    assert RowLoader(schema).load({"a": "x"})["many"] is False
