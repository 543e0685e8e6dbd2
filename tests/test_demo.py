"""The demo province (`ledger demo`): what it loads, that it verifies, and that it is idempotent."""

from __future__ import annotations

import hashlib
import re

import pytest
import sqlalchemy as sa

from ledger import current
from ledger.commands import demo
from ledger.context import Context
from ledger.db import Base
from ledger.domain.split import split
from ledger.domain import evidence
from ledger.domain.enums import Indicator
from ledger.models import (
    Agreement, AgreementEvent, AssessmentYear, FundsEvidence, FundsReceipt, FundsRevision,
    InvestmentReport, Posting, Project, Region, Zone,
)
from ledger.postings import head
from tests.helpers import verify
from ledger.queries.attribution import grand_total, region_totals, rolled_up
from ledger.queries.funds import receipts
from ledger.queries.users import check_password
from tests import drive
from tests.helpers import today

LANDED = [p for p in demo.PROJECTS if demo.landed(p)]
EXPECTED_STATUSES = {  # project key → each chain's version statuses, oldest first
    "polyolefin": [["superseded", "filed"]], "datacenter": [["filed"]],
    "aluminum": [["superseded", "filed"]], "dairy": [["filed"]], "starch": [["submitted"]],
    "cashmere": [["returned"]], "fine_chem": [["withdrawn"], ["signed"]],
    "motor": [["declined"], ["draft"]],
}


@pytest.fixture
def loaded(backend, app, session):
    """The demo province, loaded once per backend (snapshot `demo`); the logins it printed."""
    return backend.restore("demo")


def _project(session, key: str) -> Project:
    name = next(p.name for p in demo.PROJECTS if p.key == key)
    return session.scalar(sa.select(Project).where(Project.name == name))


def _statuses(session) -> dict[str, list[str]]:
    out = {}
    for key in demo.AGREEMENTS:
        chains = session.scalars(sa.select(Agreement).where(
            Agreement.project_id == _project(session, key).id).order_by(Agreement.id))
        out[key] = [[v.status for v in agreement.versions] for agreement in chains]
    return out


def _year_amount(session, project_id: int, year: int) -> int:
    """Σ of the newest revision of each month (the annual completed investment)."""
    total = 0
    for period in {r.period for r in session.scalars(sa.select(InvestmentReport).where(
            InvestmentReport.project_id == project_id,
            InvestmentReport.period.like(f"{year}-%")))}:
        newest = session.scalar(sa.select(InvestmentReport).where(
            InvestmentReport.project_id == project_id, InvestmentReport.period == period)
            .order_by(InvestmentReport.revision.desc()).limit(1))
        total += newest.amount
    return total


def _dump(session) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    session.rollback()
    out = {}
    for table in Base.metadata.sorted_tables:
        rows = session.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
        out[table.name] = [tuple(r) for r in rows]
    session.rollback()
    return out


def test_demo_loads_a_verified_province(session, loaded):
    logins = loaded

    result = verify(session)
    assert result.ok, result.problems
    assert result.postings > 0 and result.first_bad_seq is None
    regions = {r.code: r for r in session.scalars(sa.select(Region))}
    assert len(regions) == 29
    ndjd = regions["640000-NDJD"]
    assert (ndjd.level, ndjd.parent_code, ndjd.name) == ("committee", "640000", "宁东能源化工基地管委会")
    assert regions["640181"].name == "灵武市" and regions["640181"].parent_code == "640100"
    zones = session.scalars(sa.select(Zone)).all()
    assert {z.name for z in zones} >= {"银川经济技术开发区", "石嘴山经济技术开发区", "吴忠金积工业园区",
                                       "中卫工业园区", "宁东能源化工基地", "固原经济开发区"}
    assert all(1 <= len(z.blocks) <= 3 and z.leading_industries and z.restricted_industries
               for z in zones)
    assert next(z for z in zones if z.name == "宁东能源化工基地").region_code == "640000-NDJD"

    by_name = {u: (pw, role) for u, pw, role in logins}
    assert {"admin", "tongji", "shangwu", "lingwu", "ningdong"} <= set(by_name)
    for username, (password, _) in by_name.items():
        assert len(password) >= 8
        user = check_password(session, username, password)
        assert user is not None and user.username == username
    assert "statistics" in by_name["tongji"][1] and "640000-NDJD" in by_name["ningdong"][1]
    # Every region that hosts a demo project or is party to a demo agreement has a login.
    region_users = {code for _, code in demo.REGION_USERS}
    parties = {c for a in session.scalars(sa.select(Agreement))
               for c in (a.recommender_code, a.receiver_code)}
    hosts = set(session.scalars(sa.select(Project.host_code)))
    assert parties | hosts <= region_users


def test_demo_has_every_stage_status_and_a_closed_year(session, loaded):
    stages = set(session.scalars(sa.select(Project.stage)))
    assert stages == {"signed", "under_construction", "in_operation", "cancelled"}
    assert _statuses(session) == EXPECTED_STATUSES

    polyolefin = session.scalar(sa.select(Agreement).where(
        Agreement.project_id == _project(session, "polyolefin").id))
    v1, v2 = polyolefin.versions
    assert (v1.recommender_share, v1.first_year, v1.effective_last_year) == (3000, 2024, 2024)
    assert (v2.recommender_share, v2.first_year, v2.last_year) == (3333, 2025, None)
    assert v1.filing_number and v2.filing_number and v2.filing_number != v1.filing_number
    terminated = session.scalar(sa.select(Agreement).where(
        Agreement.project_id == _project(session, "aluminum").id))
    assert terminated.newest.last_year == 2025 and terminated.newest.status == "filed"
    submitted = session.scalar(sa.select(Agreement).where(
        Agreement.project_id == _project(session, "starch").id))
    assert submitted.newest.acknowledged_by == ["statistics"]
    returned = session.scalar(sa.select(Agreement).where(
        Agreement.project_id == _project(session, "cashmere").id))
    assert returned.newest.return_reason

    assert session.get(AssessmentYear, 2024).status == "closed"
    assert session.get(AssessmentYear, 2025) is None  # open
    for p in LANDED:
        project = _project(session, p.key)
        periods = set(session.scalars(sa.select(InvestmentReport.period)
                                      .where(InvestmentReport.project_id == project.id)))
        for year in (2024, 2025):
            assert {f"{year}-{m:02d}" for m in range(1, 13)} <= periods, (p.key, year)
    for p in demo.PROJECTS:
        if not demo.landed(p):
            assert session.scalar(sa.select(sa.func.count()).where(
                InvestmentReport.project_id == _project(session, p.key).id)) == 0
    revised = session.scalar(sa.select(sa.func.count()).where(InvestmentReport.revision == 2))
    assert revised == len(demo.REVISIONS)
    foreign = _project(session, "pv_glass")
    assert foreign.investor_foreign and foreign.investor_credit_code is None


def test_demo_attribution_reconciles(session, loaded):
    for year in (2024, 2025):
        rows = region_totals(session, year)
        total = grand_total(rows)
        assert total.attributed == total.in_place > 0
        assert total.ceded == total.credited > 0
        reported = sum(_year_amount(session, pid, year)
                       for pid in session.scalars(sa.select(Project.id)))
        assert total.in_place == reported
        province = rolled_up(rows, "640000")
        assert province.in_place == total.in_place and province.attributed == total.attributed

    # 2025 of the amended agreement: the recommender gets exactly split(annual, 33.33 %).
    rows = region_totals(session, 2025)
    polyolefin = _project(session, "polyolefin")
    annual = _year_amount(session, polyolefin.id, 2025)
    assert rows["640105"].credited == split(annual, 3333)[0]
    assert rows["640000-NDJD"].ceded == split(annual, 3333)[0]
    # The terminated agreement ends with 2025: in 2026 the host keeps everything.
    aluminum = _project(session, "aluminum")
    recommended_2026 = session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Posting.amount), 0))
        .where(Posting.project_id == aluminum.id, Posting.period.like("2026-%"),
               Posting.role == "recommender"))
    assert recommended_2026 == 0


def test_demo_has_funds_in_place_with_evidence(session, loaded):
    rows = session.scalars(sa.select(FundsReceipt).order_by(FundsReceipt.id)).all()
    assert len(rows) == len(demo.RECEIPTS)
    for year in (2024, 2025):  # several projects in each demo year
        assert len({r.project_id for r in rows if r.year == year}) >= 4, year
    assert {r.source for r in rows} == {"domestic", "foreign"}
    # Every file is what its name says, its bytes those its SHA-256 names.
    files = session.scalars(sa.select(FundsEvidence)).all()
    assert len(files) == sum(len(r.evidence) for r in demo.RECEIPTS)
    assert {f.media_type for f in files} == {"application/pdf", "image/png"}
    for f in files:
        assert evidence.media_type(f.filename, f.content) == f.media_type
        assert hashlib.sha256(f.content).hexdigest() == f.sha256 and f.size == len(f.content)
    # 待补充凭证: receipts that count and have no file yet, as the project pages show them.
    ctx = Context(session, demo.LOADER)
    missing = [r for p in {r.project_id for r in rows} for r in receipts(ctx, p)
               if r.evidence_missing]
    assert len(missing) == sum(1 for r in demo.RECEIPTS if not r.evidence and not r.changes)
    assert len(missing) >= 3
    # One receipt voided with its reason, one corrected from 2025 into 2026.
    voided = [r for r in rows if r.voided]
    assert len(voided) == 1
    revision = session.scalar(sa.select(FundsRevision).where(
        FundsRevision.receipt_id == voided[0].id, FundsRevision.revision == 2))
    assert revision.voided and "重复" in revision.reason
    moved = session.scalar(sa.select(FundsReceipt).where(FundsReceipt.project_id == _project(
        session, "cashmere").id))
    assert (moved.revision, moved.year) == (2, 2026)
    first = session.scalar(sa.select(FundsRevision).where(
        FundsRevision.receipt_id == moved.id, FundsRevision.revision == 1))
    assert first.received_on.year == 2025 and first.reason is None


def test_demo_funds_in_place_reconcile(session, loaded):
    """Each year the funds line sums the receipts that count, and the agreement whose funds share
    differs gives the recommender its funds share of them."""
    rows = session.scalars(sa.select(FundsReceipt).where(FundsReceipt.voided.is_(False))).all()
    for year in (2024, 2025, 2026):
        totals = grand_total(region_totals(session, year, indicator=Indicator.FUNDS_IN_PLACE))
        received = sum(r.amount for r in rows if r.year == year)
        assert totals.in_place == totals.attributed == received > 0, year
        assert totals.ceded == totals.credited
    datacenter = session.scalar(sa.select(Agreement).where(
        Agreement.project_id == _project(session, "datacenter").id)).newest
    assert (datacenter.recommender_share, datacenter.funds_share) == (5000, 4000)
    project = _project(session, "datacenter")
    for year in (2024, 2025):
        received = sum(r.amount for r in rows if r.project_id == project.id and r.year == year)
        credited = session.scalar(sa.select(sa.func.sum(Posting.amount)).where(
            Posting.project_id == project.id, Posting.year == year,
            Posting.indicator == Indicator.FUNDS_IN_PLACE, Posting.role == "recommender"))
        assert credited == split(received, 4000)[0] != split(received, 5000)[0]
    # The 2024 receipts went in before the year was closed: the closed year holds them.
    assert session.get(AssessmentYear, 2024).status == "closed"
    assert any(r.year == 2024 for r in rows)


def test_demo_evidence_files_are_valid():
    """The PDF's cross-reference table points at its objects; the PNG decodes."""
    from io import BytesIO

    from PIL import Image

    from ledger.commands import demo_evidence
    pdf = demo_evidence.pdf(["Ledger (demo)", "Amount: 1.00"])
    assert pdf.startswith(b"%PDF-1.4\n") and pdf.endswith(b"%%EOF\n")
    xref = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[xref:].startswith(b"xref\n0 6\n")
    entries = pdf[xref:].split(b"\n")[3:8]
    for number, line in enumerate(entries, start=1):
        offset = int(line[:10])
        assert pdf[offset:].startswith(b"%d 0 obj\n" % number), number
    assert b"(Ledger \\(demo\\)) '" in pdf
    image = Image.open(BytesIO(demo_evidence.png(3)))
    image.load()
    assert (image.format, image.size, image.mode) == ("PNG", (96, 48), "RGB")
    assert demo_evidence.png(3) == demo_evidence.png(3) != demo_evidence.png(4)


def test_second_run_writes_nothing(session, loaded):
    lines: list[str] = []
    first_logins = loaded
    before = _dump(session)
    head_before = head(session)

    lines.clear()
    second_logins = demo.load_demo(session, current.settings(), echo=lines.append)

    assert second_logins == first_logins
    after = _dump(session)
    assert {t: len(r) for t, r in after.items()} == {t: len(r) for t, r in before.items()}
    assert after == before
    assert head(session) == head_before
    news = [int(n) for line in lines for n in re.findall(r"\((\d+) new", line)]
    assert len(news) == 7 and set(news) == {0}
    assert any("(0 workflow steps" in line for line in lines)


def test_interrupted_load_is_completed_by_the_next_run(session, monkeypatch):
    calls = {"n": 0}

    def failing_after(n, real):
        def wrapper(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] > n:
                raise RuntimeError("simulated crash")
            return real(*args, **kwargs)
        return wrapper

    with monkeypatch.context() as m:  # crash in the middle of the monthly reports
        m.setattr(demo, "report_investment", failing_after(40, demo.report_investment))
        with pytest.raises(RuntimeError):
            demo.load_demo(session, current.settings(), echo=lambda _: None)
    calls["n"] = 0
    with monkeypatch.context() as m:  # then in the middle of an agreement's workflow
        m.setattr(demo.agreements, "acknowledge", failing_after(3, demo.agreements.acknowledge))
        with pytest.raises(RuntimeError):
            demo.load_demo(session, current.settings(), echo=lambda _: None)
    assert session.get(AssessmentYear, 2024) is None

    demo.load_demo(session, current.settings(), echo=lambda _: None)

    assert verify(session).ok
    assert _statuses(session) == EXPECTED_STATUSES
    steps = session.scalar(sa.select(sa.func.count()).where(AgreementEvent.action != "supersede"))
    assert steps == sum(len(s) for s in demo.AGREEMENTS.values())
    months = len(demo.periods(demo.last_period(today())))
    reports = session.scalar(sa.select(sa.func.count()).select_from(InvestmentReport))
    assert reports == len(LANDED) * months + len(demo.REVISIONS)
    assert session.get(AssessmentYear, 2024).status == "closed"
    before = _dump(session)
    demo.load_demo(session, current.settings(), echo=lambda _: None)
    assert _dump(session) == before


def test_receipts_of_a_year_closed_before_them_are_left(session, monkeypatch):
    """A database whose 2024 was closed before the demo had receipts (an older demo, or the
    bureau): the run records what it still may and says what it left, and the rest of a
    project's script waits behind the receipt its closed year refuses."""
    with monkeypatch.context() as m:
        m.setattr(demo, "_load_funds", lambda loader, found: None)
        demo.load_demo(session, current.settings(), echo=lambda _: None)
    assert session.get(AssessmentYear, 2024).status == "closed"
    lines: list[str] = []

    demo.load_demo(session, current.settings(), echo=lines.append)

    line = next(x for x in lines if x.startswith("funds in place"))
    starts_in_2024 = {r.key for r in demo.RECEIPTS if r.received_on < "2025"}
    assert f"; {len(starts_in_2024)} steps left, their year closed" in line
    recorded = session.scalars(sa.select(FundsReceipt)).all()
    assert recorded and all(r.year > 2024 for r in recorded)
    assert {r.project_id for r in recorded} == {
        _project(session, r.key).id for r in demo.RECEIPTS if r.key not in starts_in_2024}
    assert verify(session).ok
    before = _dump(session)
    demo.load_demo(session, current.settings(), echo=lambda _: None)
    assert _dump(session) == before


def test_cli_demo_prints_logins(app, runner):
    with app.app_context():  # an administrator account that existed before the demo
        drive.create_user(Context(current.session(), demo.LOADER), {
            "username": "admin", "role": "admin", "password": "someone-elses-password"})
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "regions: 29" in result.output
    for username in ("tongji", "shangwu", "lingwu", "ningdong"):
        line = next(x for x in result.output.splitlines() if x.strip().startswith(f"{username} "))
        assert demo.password_of(username) in line
    admin_line = next(x for x in result.output.splitlines() if x.strip().startswith("admin "))
    assert "(unchanged)" in admin_line and demo.password_of("admin") not in result.output
    with app.app_context():
        assert verify(current.session()).ok
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and demo.password_of("tongji") in again.output
    verified = runner.invoke(args=["verify"])
    assert verified.exit_code == 0 and verified.output.startswith("ok: ")


def test_credit_codes_are_valid():
    from stdnum.cn import uscc
    for p in demo.PROJECTS:
        if p.credit:
            code = demo.credit_code(p.credit)
            assert len(code) == 18 and uscc.is_valid(code) and code.startswith(p.credit)


def test_last_period_never_reaches_the_current_month():
    from datetime import date
    assert demo.last_period(date(2026, 11, 26)) == "2026-10"
    assert demo.last_period(date(2026, 3, 1)) == "2026-02"
    assert demo.last_period(date(2026, 1, 5)) == "2025-12"
    assert demo.last_period(date(2030, 1, 1)) == demo.LAST_PERIOD
