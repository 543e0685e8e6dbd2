"""The audit log page a statistician reads, on both databases: each action by its Chinese
name, the object by name with a link to its page, Beijing time, before → after as labelled
values in the product's units, the filters (who, region, action, object kind, dates, logins
on their own), paging, and the XLSX export."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import openpyxl
import sqlalchemy as sa

from ledger.domain import limits
from ledger.domain.periods import LOCAL_TZ
from ledger.domain.workflow import STEPS
from ledger.models import AuditEntry
from tests.web.support import field_error, login, page

ROOT = Path(__file__).resolve().parents[2]
ROW = re.compile(r'<tr class="audit-entry" data-action="([^"]+)">(.*?)</tr>', re.S)


def _rows(html: str) -> list[tuple[str, str]]:
    return ROW.findall(html)


def _story(world):
    project = world.project(name="灵武羊绒深加工项目")
    agreement = world.agreement(project, share="33.33")
    world.report(project, "2025-03", "1234.56")
    return project, agreement


def test_every_action_the_commands_write_has_a_name():
    from ledger.web.journal_words import AUDIT_ACTIONS
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "ledger").rglob("*.py"))
    written = set(re.findall(r'audit\(ctx, "([a-z_]+\.[a-z_]+)"', source))
    written |= set(re.findall(r'"action": "([a-z_]+\.[a-z_]+)"', source))
    written |= {f"agreement.{s.action}" for s in STEPS}
    written |= {"funds.record", "funds.correct", "funds.void", "funds.evidence", "funds.import",
                "journal.baseline"}
    assert written - set(AUDIT_ACTIONS) == set()
    assert len(written) > 25  # the patterns above still find the commands' actions


def test_entries_in_words_with_links_beijing_time_and_units(world, client, session):
    project, agreement = _story(world)
    login(client, "tongji")
    html = page(client, "/audit")
    rows = dict((action, body) for action, body in reversed(_rows(html)))
    created = rows["project.create"]
    assert "登记项目" in created and "project.create" not in created
    assert f'<a href="/projects/{project.id}">灵武羊绒深加工项目</a>' in created
    assert '计划投资</span>：<span class="after">50000.00 万元</span>' in created
    assert "灵武羊绒产业园区" in created and "灵武市（640181）" in created
    opened = rows["agreement.create"]
    assert "发起协议" in opened
    assert f'<a href="/agreements/{agreement.id}">{agreement.number}</a>' in opened
    assert '推荐地分算比例</span>：<span class="after">33.33%</span>' in opened
    assert "3333" not in opened
    assert "兴庆区（640104）" in opened
    acknowledged = rows["agreement.acknowledge"]
    assert '状态</span>：<span class="before">已报送</span> → <span class="after">已备案</span>' in acknowledged
    assert '备案编号</span>：<span class="before">（空）</span> → <span class="after">' in acknowledged
    report = rows["investment.report"]
    assert "报送完成投资" in report and "1234.56 万元" in report and "2025-03" in report
    assert "postings" not in report and "None" not in html and "项目 " + str(project.id) not in html
    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "project.create"))
    beijing = entry.at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    assert beijing in created and "Z<" not in html and "T0" not in created


def test_logins_are_shown_on_their_own(world, client):
    _story(world)
    login(client, "lingwu")
    login(client, "tongji")
    actions = [a for a, _ in _rows(page(client, "/audit"))]
    assert actions and "token.issue" not in actions
    logins = _rows(page(client, "/audit?show=logins"))
    assert logins and {a for a, _ in logins} <= {"token.issue", "token.revoke"}
    assert "登录" in logins[0][1] and "tongji" in logins[0][1]
    both = {a for a, _ in _rows(page(client, "/audit?show=all"))}
    assert "token.issue" in both and "project.create" in both


def test_the_filters(world, client):
    project, agreement = _story(world)
    login(client, "tongji")
    by_lingwu = _rows(page(client, "/audit?actor=lingwu"))
    assert by_lingwu and all("lingwu" in body for _, body in by_lingwu)
    by_region = _rows(page(client, "/audit?region=640104"))
    assert by_region and all("xingqing" in body for _, body in by_region)
    assert {a for a, _ in _rows(page(client, "/audit?action=investment.report"))} == {
        "investment.report"}
    assert {a for a, _ in _rows(page(client, "/audit?entity=agreement"))} <= {
        f"agreement.{s.action}" for s in STEPS}
    today = world.clock().astimezone(LOCAL_TZ).date()
    assert _rows(page(client, f"/audit?since={today}&until={today}"))
    assert not _rows(page(client, f"/audit?since={today + timedelta(days=1)}"))
    assert not _rows(page(client, f"/audit?until={today - timedelta(days=1)}"))
    html = page(client, f"/audit?since={today}&until={today - timedelta(days=1)}", 422)
    assert field_error(html, "f-until") == "截止日期早于起始日期"
    assert field_error(page(client, "/audit?since=2025-13-01", 422), "f-since")
    assert field_error(page(client, "/audit?show=everything", 422), "f-show")


def test_paging(world, client):
    for n in range(limits.PAGE_SIZE_DEFAULT // 4 + 1):
        world.project(name=f"分页项目{n}")  # create + stage: two entries each
    login(client, "tongji")
    first, second = _rows(page(client, "/audit")), _rows(page(client, "/audit?page=2"))
    assert len(first) == limits.PAGE_SIZE_DEFAULT and second
    assert not set(b for _, b in first) & set(b for _, b in second)
    assert 'href="/audit?page=2"' in page(client, "/audit")


def test_the_export_opens_with_openpyxl(world, client, session):
    project, _ = _story(world)
    login(client, "tongji")
    html = page(client, "/audit?entity=project")
    assert 'href="/audit/export.xlsx?entity=project"' in html
    response = client.get("/audit/export.xlsx?entity=project")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    cells = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    header = next(r for r in cells if r and r[0] == "序号")
    assert header[:6] == ("序号", "时间（北京时间）", "用户", "角色", "地区", "操作")
    body = cells[cells.index(header) + 1:]
    entries = session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "project")
                              .order_by(AuditEntry.id.desc())).all()
    assert [r[0] for r in body] == [e.id for e in entries]
    created = next(r for r in body if r[5] == "登记项目")
    assert created[7] == "灵武羊绒深加工项目" and "50000.00 万元" in created[9]
    assert created[1] == next(e for e in entries if e.action == "project.create").at.astimezone(
        LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    assert any(r and r[0] == "筛选条件" and "对象类型：项目" in r[1] for r in cells)


def test_only_readers_of_the_ledger_open_the_log_and_its_export(world, client):
    login(client, "lingwu")
    assert client.get("/audit").status_code == 403
    assert client.get("/audit/export.xlsx").status_code == 403
