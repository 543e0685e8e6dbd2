"""Every page fits the window: on a 375 px phone and a 1366 px laptop, in Chinese and in English,
for each demo role, no page is wider than the viewport (`scrollWidth <= innerWidth`; wide tables
scroll inside their card), the header stays one bar (collapsed behind a menu button on the phone,
one line on the laptop) and 退出 / Log out is reachable; axe-core finds no serious or critical
violation at either width.

The pages visited are built from the app's own routes (every GET route of the web blueprint that
answers a page, with its parameters filled from what the role can see), so a new page is covered
without touching this file; a route that is not a page (a file, a POST target) is named in
NOT_PAGES, and a page route no role could reach fails the test. Screenshots go to
tests/web/artifacts/layout/ (ignored by git).

The app runs in a thread against an SQLite database loaded with the demo province
(`ledger demo`)."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from ledger import create_app, current
from ledger.commands.demo import load_demo, password_of
from ledger.config import TestingConfig
from ledger.migrate import upgrade
from ledger.models import IssuedDocument
from tests.web.test_browser import AXE, AXE_RUN, chromium  # noqa: F401  (the browser fixture)

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "layout"
WIDTHS = {"phone": 375, "laptop": 1366}
LANGUAGES = ("zh", "en")
ROLES = ("admin", "tongji", "shangwu", "lingwu")  # one demo user of each role
# GET routes of the web blueprint that answer something other than a page.
NOT_PAGES = {"web.vendor", "web.static", "web.healthz", "web.attribution_file", "web.filing_pdf",
             "web.receipt_pdf", "web.statement_pdf", "web.import_template", "web.index",
             "web.audit_export", "web.funds_import_template", "web.funds_evidence",
             "web.agreement_export", "web.project_export"}
# Query strings a page needs to show its content (the rest take their defaults).
QUERIES = {"web.zone_match": "?industry=C2614", "web.attribution_page": "?year=2025",
           "web.zone_shares": "?year=2025"}
FITS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture(scope="module")
def demo(tmp_path_factory, signing_key_file):
    url = f"sqlite:///{tmp_path_factory.mktemp('layout') / 'ledger.sqlite3'}"
    app = create_app(TestingConfig, DATABASE_URL=url, SIGNING_KEY_FILE=str(signing_key_file))
    engine = app.extensions["ledger.engine"]
    upgrade(engine)
    with app.app_context():
        load_demo(current.session(), current.settings(), echo=lambda _: None)
        current.session().commit()
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=10)
    engine.dispose()


def page_rules(app) -> list:
    return [r for r in app.url_map.iter_rules()
            if r.endpoint.startswith("web.") and "GET" in r.methods and r.endpoint not in NOT_PAGES]


def first_id(page, path: str, pattern: str) -> str | None:
    page.goto(path)
    found = re.search(pattern, page.content())
    return found[1] if found else None


def fill(rule, values: dict) -> str | None:
    """The rule's path with `values` for its parameters (None: the role has nothing to fill it)."""
    path = rule.rule
    for name in rule.arguments:
        value = values.get(name)
        if value is None:
            return None
        path = re.sub(rf"<(?:[^:>]+:)?{name}>", value, path)
    return path + QUERIES.get(rule.endpoint, "")


def newest_document(app) -> str | None:
    with app.app_context():
        return current.session().scalar(
            sa.select(IssuedDocument.document_id).order_by(IssuedDocument.first_issued_at.desc()))


def role_pages(app, page, base: str) -> dict[str, list[str]]:
    """{endpoint: [paths]} for the logged-in role: every page route, filled from what it sees
    (an agreement with actions for this role when it has one)."""
    page.goto("/agreements")
    agreements = list(dict.fromkeys(re.findall(r'href="/agreements/(\d+)"', page.content())))
    values = {"project_id": first_id(page, "/projects", r'href="/projects/(\d+)"'),
              "agreement_id": agreements[0] if agreements else None,
              "user_id": first_id(page, "/users", r'href="/users/(\d+)"')}
    actions: list[str] = []
    for agreement_id in agreements:
        page.goto(f"/agreements/{agreement_id}")
        actions = sorted(set(re.findall(rf'href="/agreements/{agreement_id}/([a-z_]+)"',
                                        page.content())))
        if actions:
            values["agreement_id"] = agreement_id
            break
    if values["agreement_id"]:
        response = page.request.get(f"{base}/agreements/{values['agreement_id']}/filing.pdf")
        if response.ok:
            values["document_id"] = newest_document(app)
    pages: dict[str, list[str]] = {}
    for rule in page_rules(app):
        if "action" in rule.arguments:
            paths = [fill(rule, values | {"action": a}) for a in actions]
        else:
            paths = [fill(rule, values)]
        pages[rule.endpoint] = [p for p in paths if p]
    return pages


def context_for(chromium, base: str, width: int, language: str):
    context = chromium.new_context(base_url=base, viewport={"width": width, "height": 800},
                                   locale="zh-CN", device_scale_factor=1)
    context.add_cookies([{"name": "lang", "value": language, "url": base}])
    context.add_init_script(path=str(AXE))  # injected by the browser: the page's CSP allows no inline script
    return context


def login(page, username: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password_of(username))
    with page.expect_navigation():
        page.press("#password", "Enter")
    assert page.url.endswith("/dashboard"), page.url


def check_fits(page, name: str, menu_open: bool = False) -> list[str]:
    """The problems of the page as it is now (none: it fits); a screenshot either way."""
    page.wait_for_load_state("load")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    problems = []
    if not page.evaluate(FITS):
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                         && !e.closest('.table-responsive, .overflow-auto'))
            .slice(0, 3).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
        problems.append(f"{name}: {page.evaluate('document.documentElement.scrollWidth')} px wide "
                        f"({wide})")
    for violation in page.evaluate(AXE_RUN):
        problems.append(f"{name}: axe {violation['id']} ({violation['impact']}) {violation['nodes']}")
    header = page.evaluate("document.querySelector('header')?.getBoundingClientRect().height ?? 0")
    if header > 80 and not menu_open:
        problems.append(f"{name}: the header is {header:.0f} px tall")
    return problems


def slug(path: str) -> str:
    return re.sub(r"[^\w]+", "-", path).strip("-") or "root"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", WIDTHS)
def test_every_page_fits_the_window(demo, chromium, size, language):
    app, base = demo
    width = WIDTHS[size]
    problems: list[str] = []
    covered: set[str] = set()
    for username in ROLES:
        context = context_for(chromium, base, width, language)
        page = context.new_page()
        login(page, username)
        for endpoint, paths in role_pages(app, page, base).items():
            for path in paths:
                response = page.goto(path)
                if response.status == 200 and response.headers["content-type"].startswith("text/html"):
                    covered.add(endpoint)
                problems += check_fits(page, f"{size}-{language}-{username}-{slug(path)}")
        # The menu button opens the navigation on the phone; 退出 / Log out is then on screen.
        page.goto("/dashboard")
        logout = page.locator("form[action='/logout'] button")
        if size == "phone":
            assert not logout.is_visible()
            page.click(".navbar-toggler")
            logout.wait_for(state="visible")
            problems += check_fits(page, f"{size}-{language}-{username}-menu", menu_open=True)
        box = logout.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (username, box)
        context.close()
    # Anonymous: the login page, the public verification page and an error page.
    context = context_for(chromium, base, width, language)
    page = context.new_page()
    document = newest_document(app)
    for path in ("/login", f"/verify/{document}", "/no-such-page", "/projects/999999"):
        page.goto(path)
        problems += check_fits(page, f"{size}-{language}-anonymous-{slug(path)}")
    context.close()
    assert problems == []
    assert covered == {r.endpoint for r in page_rules(app)}  # every page route was reached
