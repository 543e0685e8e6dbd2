"""The whole story through the browser (headless Debian Chromium driven by Playwright): a county
registers a project and opens an agreement naming the recommending county; that county
confirms and submits; the statistics bureau and the commerce department acknowledge; the host
reports two months; the statistics bureau sees docs/attribution.md's worked example in the
attribution table and closes the year. On every page axe-core finds no serious or critical
violation, the CSP reports nothing, and the browser asks no host but the app's own. Screenshots of
the dashboard, agreement, month grid and attribution pages go to tests/web/artifacts/ (ignored by
git).

The app runs in a thread on a free port against an SQLite database of its own (the browser
story needs one backend; the test-client tests run on both)."""

from __future__ import annotations

import re
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from ledger import create_app, current
from ledger.config import TestingConfig
from ledger.migrate import upgrade
from tests.factories import PASSWORD, VALID_CREDIT_CODE, World

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
# Chromium on a machine with no network but the registries: no background traffic at all.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => ["serious", "critical"].includes(v.impact))
    .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}));
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory, signing_key_file):
    assert AXE.is_file(), f"{AXE} is missing: run `make deps` (npm ci)"
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'ledger.sqlite3'}"
    app = create_app(TestingConfig, DATABASE_URL=url, SIGNING_KEY_FILE=str(signing_key_file))
    upgrade(app.extensions["ledger.engine"])
    with app.app_context():
        ids = World.build(current.session())
        World(current.session(), ids).user("guanli", "admin")  # the accounts' pages
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=10)
    app.extensions["ledger.engine"].dispose()


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visitor:
    """One browser context (one user at a time) that checks every page it opens."""

    def __init__(self, browser, base: str):
        self.base = base
        self.context = browser.new_context(base_url=base, viewport={"width": 1366, "height": 768},
                                           locale="zh-CN")
        self.context.add_init_script(path=str(AXE))  # injected by the browser, not by the page
        self.requests: list[str] = []
        self.problems: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("response", self._response)
        self.checked: set[str] = set()

    def _console(self, message) -> None:
        if message.text.startswith("Failed to load resource"):
            return  # a page answered 404/422 on purpose; assets are checked in _response
        if message.type == "error" or "Content Security Policy" in message.text:
            self.problems.append(f"console {message.type}: {message.text}")

    def _response(self, response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(f"{response.status} for {response.url}")

    def check(self) -> None:
        """axe-core on the page as it is now: no serious or critical violation."""
        page = self.page
        page.wait_for_load_state("load")
        violations = page.evaluate(AXE_RUN)
        assert violations == [], f"{page.url}: {violations}"
        self.checked.add(re.sub(r"\d+", "N", urlsplit(page.url).path))

    def goto(self, path: str) -> None:
        self.page.goto(path)
        self.check()

    def submit(self, selector: str = "main form[method=post] button[type=submit]") -> None:
        with self.page.expect_navigation():
            self.page.click(selector)
        self.check()

    def login(self, username: str) -> None:
        page = self.page
        if page.url.startswith(self.base) and page.locator("form[action='/logout']").count():
            with page.expect_navigation():
                page.click("form[action='/logout'] button")
        self.goto("/login")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.press("#password", "Enter")  # the keyboard submits the form
        assert urlsplit(page.url).path == "/dashboard", page.url
        self.check()

    def text(self, selector: str) -> str:
        return self.page.inner_text(selector)

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()
        host = urlsplit(self.base).netloc
        foreign = [u for u in self.requests
                   if urlsplit(u).scheme not in ("data", "blob", "about") and urlsplit(u).netloc != host]
        assert foreign == [], f"requests to other hosts: {foreign}"
        assert self.requests, "no request was recorded at all"
        assert self.problems == []


def pdf_text(path: str) -> str:
    """A downloaded PDF read back with poppler, without the line breaks of its layout."""
    text = subprocess.run(["pdftotext", path, "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", "", text)


@pytest.fixture
def visitor(chromium, server):
    v = Visitor(chromium, server)
    yield v
    v.close()


def register_project(v: Visitor, name: str, planned: str = "50000.00") -> None:
    v.goto("/projects/new")
    page = v.page
    page.fill("#name", name)
    page.fill("#investor_name", "宁夏某某新材料有限公司")
    page.fill("#investor_credit_code", VALID_CREDIT_CODE)
    page.fill("#industry_code", "C2614")
    page.fill("#planned_investment", planned)
    page.select_option("#zone_id", label="灵武羊绒产业园区")
    page.fill("#signed_on", "2024-03-01")
    v.submit()


def act(v: Visitor, agreement_url: str, button: str) -> None:
    """Open the agreement, follow the action's button, check the terms shown, act."""
    v.goto(agreement_url)
    with v.page.expect_navigation():
        v.page.click(f"main .btn:text-is('{button}')")
    v.check()
    assert "30.00%" in v.text("main .terms")  # the terms being acted on are on the page
    v.submit()
    assert urlsplit(v.page.url).path == urlsplit(agreement_url).path


def test_the_whole_story(visitor):
    v, page = visitor, visitor.page

    # 灵武市 (the host) registers the project, moves it to construction, opens the agreement.
    v.login("lingwu")
    register_project(v, "年产5万吨高端聚烯烃项目")
    project_path = urlsplit(page.url).path
    assert re.fullmatch(r"/projects/\d+", project_path)
    page.click("summary:text-is('变更阶段')")
    page.select_option("#stage", "under_construction")
    page.fill("#stage_on", "2024-04-01")
    v.submit("form[action$='/stage'] button[type=submit]")
    assert "开工建设" in v.text(".timeline")
    with page.expect_navigation():
        page.click("a:text-is('发起协议')")
    v.check()
    page.select_option("#recommender_code", "640104")
    page.fill("#recommender_share", "30")
    page.fill("#first_year", "2025")
    page.fill("#signed_on", "2025-01-10")
    page.fill("#recommender_signatory", "张三")
    page.fill("#receiver_signatory", "李四")
    page.fill("#reason", "兴庆区经开区主导产业不含化工")
    v.submit()
    agreement_path = urlsplit(page.url).path
    assert re.fullmatch(r"/agreements/\d+", agreement_path)
    assert "草稿" in v.text("main h1")

    # 兴庆区 (the recommender) finds it waiting on its dashboard, confirms and submits it.
    v.login("xingqing")
    assert "XY-" in v.text("#waiting-h + .table-responsive table")
    v.screenshot("dashboard")
    act(v, agreement_path, "确认")
    act(v, agreement_path, "报送备案")
    assert "已报送" in v.text("main h1")

    # The statistics bureau and the commerce department acknowledge: filed.
    for username in ("tongji", "shangwu"):
        v.login(username)
        assert agreement_path.rsplit("/", 1)[1] in page.inner_html("#waiting-h + .table-responsive table")
        act(v, agreement_path, "确认备案")
    assert "已备案" in v.text("main h1")
    assert re.search(r"统备〔\d{4}〕\d+号", v.text("main .terms"))
    timeline = v.text(".timeline")
    for step in ("发起", "确认", "报送备案", "确认备案"):
        assert step in timeline
    v.screenshot("agreement")

    # The host reports January and February 2025 in the month grid.
    v.login("lingwu")
    v.goto(f"{project_path}/investments?year=2025")
    page.fill("#amount_01", "10.05")
    page.fill("#amount_02", "10.05")
    page.fill("#note_02", "二月进度款")
    v.submit()
    assert "已记录 2 个月" in v.text("main .alert-success")
    grid = v.text("table.month-grid")
    assert grid.count("10.05") == 2
    v.screenshot("month-grid")

    # … and imports a file: a wrong row is shown beside its cells and nothing is written; the
    # corrected file reports March (no investment that month).
    project_id = project_path.rsplit("/", 1)[1]
    v.goto("/investments/import")
    rows = f"项目ID,期间,完成投资(万元),备注\r\n{project_id},2025-13,0.00,\r\n".encode()
    page.set_input_files("#file", files=[{"name": "三月.csv", "mimeType": "text/csv", "buffer": rows}])
    v.submit()
    # the header is row 1, so the wrong row is row 2, as the spreadsheet shows it
    assert "2025-13" in v.text("#row-2") and "未导入" in v.text("#form-errors")
    v.screenshot("import-refused")
    page.set_input_files("#file", files=[{"name": "三月.csv", "mimeType": "text/csv",
                                          "buffer": rows.replace(b"2025-13", b"2025-03")}])
    v.submit()
    assert "新报 1 个月" in v.text("main .alert-success")
    with page.expect_navigation():  # the other kind of import is a tab of the same page
        page.click(".nav-tabs a:text-is('到位资金')")
    v.check()
    assert v.text(".nav-tabs .active") == "到位资金" and "资金来源" in v.text("main")

    # The statistics bureau sees docs/attribution.md's worked example: recommender 6.03, receiver
    # 14.07.
    v.login("tongji")
    v.goto("/attribution?year=2025")
    row = lambda code: v.text(f"#attribution-table tr[data-code='{code}']").split("\t")  # noqa: E731
    assert row("640104")[-4:] == ["0.00", "0.00", "6.03", "6.03"]      # 兴庆区: credited
    assert row("640181")[-4:] == ["20.10", "6.03", "0.00", "14.07"]   # 灵武市: in place, ceded
    assert "0.00" in v.text("#attribution-table tfoot")                # reconciliation
    page.wait_for_selector("#attribution-chart canvas")                # the chart is drawn
    v.screenshot("attribution")
    with page.expect_download() as download:
        page.click("a:text-is('分地区汇总（CSV）')")
    exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "6.03" in exported and "14.07" in exported and "仅用于年度绩效考核" in exported
    with page.expect_download() as download:
        page.click("a:text-is('年度分算汇总表（PDF）')")
    statement = pdf_text(download.value.path())
    assert "6.03" in statement and "14.07" in statement and "仅用于年度绩效考核" in statement
    v.goto(agreement_path)
    number = re.search(r"XY-[\w-]+", v.text("main h1"))[0]
    filing_number = re.search(r"统备〔\d{4}〕\d+号", v.text("main .terms"))[0]
    with page.expect_download() as download:
        page.click("#filing-pdf")
    filing = pdf_text(download.value.path())
    for expected in ("备案表", number, filing_number, "30.00%", "兴庆区", "灵武市"):
        assert expected in filing, expected

    # … and closes the year, confirming its checklist: the months not reported yet.
    v.goto("/years")
    assert "未报送月份" in v.text("#checklist-2025") and "2025-12" in v.text("#checklist-2025")
    with page.expect_navigation():
        page.click("#year-2025 button:has-text('项未完成事项并关闭 2025 年度')")
    v.check()
    assert "已关闭" in v.text("#year-2025")
    assert "2025 考核年度已关闭" in v.text("main .alert-success")

    # The month grid of a closed year takes no more entries.
    v.login("lingwu")
    v.goto(f"{project_path}/investments?year=2025")
    assert page.locator("#amount_01").count() == 0 and "已关闭" in v.text("main")
    for path in ("/projects", "/agreements", "/zones/shares?year=2025", "/zones/match?industry=C2614"):
        v.goto(path)
    v.login("tongji")
    v.goto("/audit")
    assert {"/dashboard", "/projects/new", "/projects/N", "/agreements/N", "/agreements/N/confirm",
            "/projects/N/investments", "/investments/import", "/funds/import", "/attribution",
            "/years",
            "/audit"} <= v.checked


def test_a_validation_error_in_chinese_beside_its_field_and_the_language_switch(visitor):
    v, page = visitor, visitor.page
    v.login("lingwu")
    register_project(v, "三位小数项目", planned="100.005")
    assert v.text("#planned_investment-error") == "最多保留两位小数（实际 3 位），系统不会自动舍入"
    assert page.get_attribute("#planned_investment", "aria-invalid") == "true"
    with page.expect_navigation():
        page.click("button:text-is('English')")
    v.check()
    assert page.get_attribute("html", "lang") == "en"
    assert "Register a project" in v.text("main h1")
    with page.expect_navigation():
        page.click("button:text-is('中文')")
    assert page.get_attribute("html", "lang") == "zh-CN" and "登记项目" in v.text("main h1")


def test_another_regions_agreement_is_a_404_page_in_chinese(visitor):
    v, page = visitor, visitor.page
    v.login("lingwu")
    register_project(v, "平罗看不到的项目")
    project_path = urlsplit(page.url).path
    v.login("pingluo")  # 平罗县 is neither host nor party
    response = page.goto(project_path)
    assert response.status == 404
    v.check()
    assert "未找到" in v.text("#error-message")


def test_a_forged_form_is_refused(visitor):
    v, page = visitor, visitor.page
    v.login("lingwu")
    v.goto("/projects/new")
    page.evaluate("document.querySelector('main input[name=csrf_token]').value = 'forged'")
    page.fill("#name", "伪造表单项目")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    v.check()
    assert "表单已过期或并非来自本站" in v.text("#error-message")
    v.goto("/projects")
    assert "伪造表单项目" not in v.text("main")


def test_the_keyboard_reaches_the_skip_link_first(visitor):
    v, page = visitor, visitor.page
    v.login("lingwu")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_accounts_and_the_audit_log(visitor):
    """The administrator creates an account; its one-time password leads to the change page
    first; the statistician reads the audit log in words, logins on their own."""
    v, page = visitor, visitor.page
    v.login("guanli")
    v.goto("/users")
    v.goto("/users/new")
    page.fill("#username", "yanchi")
    page.select_option("#role", "region")
    page.select_option("#region_code", "640323")
    v.submit()
    password = v.text("#one-time-password").strip()
    v.goto("/users?role=region&q=yan")
    assert "yanchi" in v.text("main table")
    page.click("main table a:text('yanchi')")
    page.wait_for_load_state("load")
    v.check()
    assert "必须修改密码" in v.text("main h1")
    with page.expect_navigation():
        page.click("form[action='/logout'] button")
    v.goto("/login")
    page.fill("#username", "yanchi")
    page.fill("#password", password)
    with page.expect_navigation():
        page.press("#password", "Enter")
    assert urlsplit(page.url).path == "/account/password", page.url
    v.check()
    assert "管理员重置" in v.text("#must-change")
    page.fill("#old_password", password)
    page.fill("#new_password", "yanchi-own-pass")
    page.fill("#new_password_repeat", "yanchi-own-pass")
    v.submit()
    assert urlsplit(page.url).path == "/dashboard"
    assert "密码已修改" in v.text("main .alert-success")
    v.login("tongji")
    v.goto("/audit")
    assert "创建用户" in v.text("main table")
    assert 'data-action="token.issue"' not in page.content()
    v.goto("/audit?show=logins")
    assert "登录" in v.text("main table")
    assert {"/users", "/users/new", "/users/N", "/account/password", "/audit"} <= v.checked


def _png(width: int = 24, height: int = 16) -> bytes:
    """A small valid PNG (a grey rectangle), made here so the browser can draw the thumbnail."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_the_host_records_funds_with_evidence_and_the_bureau_sees_them(visitor):
    v, page = visitor, visitor.page
    v.login("lingwu")
    register_project(v, "到位资金测试项目")
    project_path = urlsplit(page.url).path

    # The host records a receipt: a wrong amount is refused beside its field, then it is kept.
    page.click("summary:text-is('录入到位资金')")
    page.fill("#received_on", "2026-02-10")
    page.fill("#amount", "1200.005")
    page.select_option("#source", label="境外资金")
    page.fill("#payer", "香港某某投资有限公司")
    v.submit("form[action$='/funds'] button[type=submit]")
    assert "两位小数" in v.text("#amount-error")
    page.fill("#amount", "1200.50")
    v.submit("form[action$='/funds'] button[type=submit]")
    assert "到账记录已录入" in v.text("main .alert-success")
    row = v.text("table.funds tr.receipt")
    assert "2026-02-10" in row and "1200.50" in row and "境外资金" in row
    assert "待补充凭证" in row

    # … and uploads the bank slip as a PNG: shown as a thumbnail, 待补充凭证 is gone.
    page.click("summary:text-is('更正、作废或上传凭证')")
    receipt_id = page.get_attribute("table.funds tr.receipt", "id").split("-")[1]
    page.select_option(f"#f{receipt_id}-kind", label="银行进账单")
    page.set_input_files(f"#f{receipt_id}-file", files=[
        {"name": "进账单.png", "mimeType": "image/png", "buffer": _png()}])
    v.submit("form[action$='/evidence'] button[type=submit]")
    assert "凭证已上传" in v.text("main .alert-success")
    assert "待补充凭证" not in v.text("table.funds tr.receipt")
    page.wait_for_function("document.querySelector('img.evidence-thumb').naturalWidth > 0")
    v.screenshot("project-funds")

    # The statistics bureau sees the receipt and its evidence on the project page, read-only.
    v.login("tongji")
    v.goto(project_path)
    row = v.text("table.funds tr.receipt")
    assert "1200.50" in row and "香港某某投资有限公司" in row and "银行进账单" in row
    page.wait_for_function("document.querySelector('img.evidence-thumb').naturalWidth > 0")
    assert page.locator("form[action*='/funds']").count() == 0
    page.click("summary:has-text('修改记录')")
    assert "lingwu" in v.text("details.revisions table")


def test_the_header_counts_messages_and_one_is_marked_read(visitor):
    """A county sees in the header how many messages it has not read (the number in the link's
    accessible name), opens the list, follows nothing yet, marks the agreement's message read."""
    v, page = visitor, visitor.page
    v.login("pingluo")  # start from nothing unread: other tests of this server close years
    v.goto("/messages")
    if page.locator("#messages-read-all").count():
        v.submit("#messages-read-all")
    assert page.get_by_role("link", name="消息 0 未读", exact=True).count() == 1

    v.login("lingwu")  # opens an agreement naming 平罗县: it waits for 平罗县's confirmation
    register_project(v, "消息测试项目")
    with page.expect_navigation():
        page.click("a:text-is('发起协议')")
    v.check()
    page.select_option("#recommender_code", "640221")
    page.fill("#recommender_share", "20")
    page.fill("#first_year", "2025")
    page.fill("#signed_on", "2025-01-10")
    page.fill("#recommender_signatory", "王五")
    page.fill("#receiver_signatory", "李四")
    page.fill("#reason", "平罗县推荐落地")
    v.submit()
    agreement_path = urlsplit(page.url).path

    v.login("pingluo")
    link = page.get_by_role("link", name="消息 1 未读")
    assert link.count() == 1
    with page.expect_navigation():
        link.click()
    v.check()
    row = page.locator("table.messages tbody tr", has_text="消息测试项目")
    assert "待我办理" in row.inner_text() and "未读" in row.inner_text()
    assert row.locator("a").get_attribute("href") == agreement_path
    with page.expect_navigation():
        row.locator("button:text-is('标为已读')").click()
    v.check()
    assert "消息已标为已读" in v.text("main .alert-success")
    assert page.get_by_role("link", name="消息 0 未读", exact=True).count() == 1
    assert "已读" in page.locator("table.messages tbody tr", has_text="消息测试项目").inner_text()
    v.screenshot("messages")


def test_every_problem_of_a_form_beside_its_field_in_one_submit(visitor):
    """The empty agreement form says 不能为空 under each required field, the signatories each
    under their own; a month-grid rule sits in the cell of its month, named by its input."""
    v, page = visitor, visitor.page
    v.login("lingwu")
    register_project(v, "一次提交项目")
    project_path = urlsplit(page.url).path
    page.click("summary:text-is('变更阶段')")
    page.select_option("#stage", "under_construction")
    page.fill("#stage_on", "2024-04-01")
    v.submit("form[action$='/stage'] button[type=submit]")
    v.goto(f"{project_path}/agreements/new")
    v.submit()
    for name in ("recommender_code", "recommender_share", "first_year", "signed_on",
                 "recommender_signatory", "receiver_signatory", "reason"):
        assert v.text(f"#{name}-error") == "不能为空", name
        assert f"{name}-error" in page.get_attribute(f"#{name}", "aria-describedby")
    assert page.locator("#funds_share-error, #last_year-error").count() == 0
    v.screenshot("agreement-empty")

    v.goto(f"{project_path}/investments?year=2024")
    page.fill("#amount_03", "5.00")   # before construction started (April)
    page.fill("#amount_05", "5.005")  # three decimals
    v.submit()
    march = v.text("#amount_03-error")
    assert march.startswith("2024-03：") and "2024-04" in march
    assert v.text("#amount_05-error").startswith("2024-05：最多保留两位小数")
    assert page.get_attribute("#amount_03", "aria-describedby") == "amount_03-error"
    assert page.get_attribute("#amount_03", "aria-invalid") == "true"
    # the message is inside the month's own row
    assert page.locator("tr:has(th#month-03) #amount_03-error").count() == 1
    assert "2024-03" in v.text("#form-errors") and "2024-05" in v.text("#form-errors")
