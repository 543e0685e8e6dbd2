"""The help page: linked from every page's footer, open to anyone, in Chinese and English; it
quotes the policy and names its source, says what each role does, draws every step of the
workflow table, shows docs/attribution.md's worked example with the figures the ledger's own
functions give, explains 仅用于年度绩效考核 and names both accounting lines."""

from __future__ import annotations

import re
from html import unescape

from ledger.domain import workflow
from ledger.domain.vocabulary import INDICATORS
from ledger.web.help import main_path, worked_example
from tests.web.support import login, page

QUOTE = ("建立跨开发区招商引资分配机制……推荐地与接受地……签订招商引资项目投资转移协议……"
         "报自治区统计局、商务厅备案……在年度绩效考核中对招商引资、完成投资核算时予以体现")


def text_of(html: str, element_id: str) -> str:
    """The text of the element with `element_id` (up to its closing tag of the same name)."""
    found = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert found, f"no #{element_id}"
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", found[2])))


def steps_drawn(html: str) -> dict[str, str]:
    """{action: the text of its arrow} of the workflow diagram."""
    diagram = re.search(r'id="workflow-diagram">(.*?)</ul>', html, re.S)[1]
    items = re.findall(r'<li class="flow-step" data-action="(\w+)">(.*?)</li>', diagram, re.S)
    return {a: re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", t))) for a, t in items}


def test_the_footer_of_every_page_links_the_help_page(world, client):
    assert 'href="/help"' in page(client, "/login")
    login(client, "lingwu")
    for path in ("/dashboard", "/projects", "/agreements", "/attribution", "/years"):
        assert re.search(r'<footer[^>]*>.*href="/help".*</footer>', page(client, path), re.S), path


def test_the_help_page_in_chinese(world, client):
    login(client, "tongji")
    html = page(client, "/help")
    assert "<h1" in html and "帮助" in html
    assert QUOTE in text_of(html, "policy-quote")
    assert "开发区改革实施方案" in html and not re.search(r"〔\d{4}〕\d+号", html)  # no invented number
    roles = text_of(html, "roles")
    for role in ("市、县（区）", "统计局", "商务厅", "系统管理员"):
        assert role in roles
    assert "仅用于年度绩效考核" in html and "在地" in html
    lines = text_of(html, "lines")
    assert all(word in lines for word in INDICATORS.values())
    assert "待补充凭证" in lines


def test_the_diagram_draws_every_workflow_step(world, client):
    html = page(client, "/help")  # anonymous: the help page needs no login
    drawn = steps_drawn(html)
    assert list(drawn) == [s.action for s in workflow.STEPS]
    words = {"confirm": "确认", "submit": "报送备案", "acknowledge": "确认备案", "return": "退回",
             "withdraw": "撤回", "decline": "拒绝", "amend": "变更"}
    for action, word in words.items():
        assert word in drawn[action], (action, drawn[action])
    assert "草稿" in drawn["confirm"] and "已签约" in drawn["confirm"]
    assert "统计局、商务厅" in drawn["acknowledge"] and "已备案" in drawn["acknowledge"]
    assert "（尚无协议）" in drawn["create"]
    path = text_of(html, "workflow-path")
    assert [a for a, _ in main_path()] == ["create", "confirm", "submit", "acknowledge"]
    assert re.search(r"草稿.*确认.*已签约.*报送备案.*已报送.*确认备案.*已备案", path)


def test_the_worked_example_shows_the_ledgers_figures(world, client):
    html = page(client, "/help")
    rule = text_of(html, "example-rule")
    assert "10.05 × 30.00% = 3.015" in rule and "3.01" in rule and "7.04" in rule
    table = text_of(html, "worked-example")
    rows = re.findall(r"<tr>(.*?)</tr>", re.search(r'id="worked-example".*?<tbody>(.*?)</tbody>',
                                                  html, re.S)[1], re.S)
    cells = [[unescape(re.sub(r"<[^>]+>", "", c)).strip()
              for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)] for r in rows]
    assert [c[-3:] for c in cells] == [["2025-01", "+3.01", "+7.04"],
                                       ["2025-02", "+3.02", "+7.03"],
                                       ["2025-01", "-3.01", "-7.04"],
                                       ["2025-02", "-0.01", "+0.01"]]
    assert "全年合计 10.05" in table and table.rstrip().endswith("3.01 7.04")
    # … the same figures the functions give: the page does not hard-code them.
    example = worked_example()
    assert example["total_split"] == ("3.01", "7.04") and example["product"] == "3.015"


def test_the_help_page_in_english(world, client):
    assert "统计局" in text_of(page(client, "/help"), "roles")  # Chinese first: nothing sticks
    client.set_cookie("lang", "en")
    html = page(client, "/help")
    roles = text_of(html, "roles")
    for role in ("Region", "Statistics bureau", "Commerce department", "Administrator"):
        assert role in roles
    assert '<html lang="en">' in html
    for heading in ("The policy", "Who does what", "The agreement workflow",
                    "How shares are computed", "The two accounting lines"):
        assert heading in html
    assert QUOTE in text_of(html, "policy-quote")  # the policy is quoted in its own words
    drawn = steps_drawn(html)
    assert "Confirm" in drawn["confirm"] and "Acknowledge filing" in drawn["acknowledge"]
    assert "10.05 × 30.00% = 3.015" in text_of(html, "example-rule")
