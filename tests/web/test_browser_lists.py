"""The agreements' search in the browser (headless Chromium, as tests/web/test_browser.py): the
statistics bureau narrows the list by number, status and "waiting for me", downloads it as
XLSX, and a county searching for another county's agreement finds nothing. axe-core checks
each page; the CSP reports nothing."""

from __future__ import annotations

import io
import threading
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest
from werkzeug.serving import make_server

from ledger import create_app, current
from ledger.config import TestingConfig
from ledger.migrate import upgrade
from tests.factories import World
from tests.web.test_browser import Visitor, chromium  # noqa: F401  (the browser fixture)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def listed(tmp_path_factory, signing_key_file):
    """The app on a free port with three agreements: a1 filed (兴庆区 → 灵武市), a2 a draft
    (平罗县 → 灵武市) waiting for 平罗县, a3 a draft (灵武市 → 兴庆区) waiting for 灵武市."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-lists') / 'ledger.sqlite3'}"
    app = create_app(TestingConfig, DATABASE_URL=url, SIGNING_KEY_FILE=str(signing_key_file))
    upgrade(app.extensions["ledger.engine"])
    with app.app_context():
        session = current.session()
        world = World(session, World.build(session))
        a1 = world.agreement(world.project(name="灵武羊绒项目"))
        a2 = world.agreement(world.project(name="灵武再生资源项目"), recommender=world.pingluo,
                             file=False, first_year=2027)
        xq = world.project(host=world.xingqing, zone=world.zone_xq, industry_code="C3811",
                           name="兴庆装备制造项目")
        a3 = world.agreement(xq, recommender=world.lingwu, file=False, last_year=2025)
        numbers = (a1.number, a2.number, a3.number)
        session.commit()
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", numbers
    httpd.shutdown()
    thread.join(timeout=10)
    app.extensions["ledger.engine"].dispose()


def _listed(v: Visitor) -> list[str]:
    return [t.strip() for t in v.page.locator("#agreement-list tbody td:first-child a")
            .all_inner_texts()]


def _filter(v: Visitor) -> None:
    with v.page.expect_navigation():
        v.page.click("form[role=search] button[type=submit]")
    v.check()


def test_the_agreements_are_searched_in_the_browser(chromium, listed):  # noqa: F811
    base, (a1, a2, a3) = listed
    v = Visitor(chromium, base)
    page = v.page
    v.login("tongji")
    v.goto("/agreements")
    assert _listed(v) == [a3, a2, a1]
    page.fill("#f-number", a2[-4:])
    _filter(v)
    assert _listed(v) == [a2] and v.text("#agreement-total") == "1"
    page.fill("#f-number", "")
    page.select_option("#f-status", "draft")
    page.fill("#f-year", "2027")
    _filter(v)
    assert _listed(v) == [a2]
    assert page.input_value("#f-status") == "draft" and page.input_value("#f-year") == "2027"
    with page.expect_download() as download:
        page.click("#agreements-export")
    assert download.value.suggested_filename.startswith("协议列表_")
    content = Path(download.value.path()).read_bytes()
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert [r[0] for r in sheet.iter_rows(min_row=7, values_only=True)] == [a2]

    v.login("lingwu")
    v.goto("/agreements")
    page.check("#f-waiting")
    _filter(v)
    assert _listed(v) == [a3] and "waiting=1" in urlsplit(page.url).query

    v.login("pingluo")   # a party to a2 only: a1 and a3 are not found by their numbers
    v.goto(f"/agreements?number={a1}")
    assert _listed(v) == [] and "没有符合筛选条件的协议" in v.text("#agreement-list")
    page.fill("#f-number", "XY-")
    _filter(v)
    assert _listed(v) == [a2]
    v.close()
