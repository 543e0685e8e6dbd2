"""The messages page (消息) and the header's unread count: each user's own messages, in Chinese,
in Beijing time, linking to their objects; marking one or all read (POST with CSRF)."""

from __future__ import annotations

import re

from ledger.domain.periods import LOCAL_TZ
from ledger.models import YearEvent
from tests import drive
from tests.web.support import csrf_of, login, page, post


def header_link(html: str) -> str:
    """The header's 消息 link as text, tags dropped (what a screen reader reads)."""
    found = re.search(r'<a [^>]*id="messages-link"[^>]*>(.*?)</a>', html, re.S)
    assert found, "no messages link in the header"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found[1])).strip()


def test_the_header_counts_and_the_page_lists_the_users_messages(world, client, session):
    p = world.project()
    a = world.agreement(p, file=False)  # waits for 兴庆区
    world.close(2023)
    session.commit()
    login(client, "xingqing")
    html = page(client, "/dashboard")
    assert header_link(html) == "消息 2 未读"
    html = page(client, "/messages")
    assert 'aria-current="page"' in html and "2 条未读" in html
    assert f'href="/agreements/{a.id}">协议 {a.number} · {p.name}</a>' in html
    assert 'href="/years">2023年度</a>' in html
    assert "待我办理" in html and "年度已关闭" in html
    at = session.query(YearEvent).one().at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    assert at in html  # Beijing time
    login(client, "pingluo")  # the bystander: the year only
    assert header_link(page(client, "/dashboard")) == "消息 1 未读"
    assert a.number not in page(client, "/messages")


def test_marking_one_and_all_read(world, client, session):
    world.agreement(world.project(), file=False)
    world.close(2023)
    session.commit()
    login(client, "xingqing")
    html = page(client, "/messages")
    keys = re.findall(r'name="key" value="([^"]+)"', html)
    assert len(keys) == 2
    response = post(client, "/messages/read", {"key": keys[0]}, form_page="/messages")
    assert response.status_code == 302 and response.headers["Location"].endswith("/messages")
    html = page(client, "/messages")
    assert "已标为已读" in html and header_link(html) == "消息 1 未读"
    assert re.findall(r'name="key" value="([^"]+)"', html) == keys[1:]
    # A key of no message of hers: 404, nothing changes; without the token: 400.
    assert post(client, "/messages/read", {"key": "ye:99999"},
                form_page="/messages").status_code == 404
    assert client.post("/messages/read", data={"key": keys[1]}).status_code == 400
    assert header_link(page(client, "/messages")) == "消息 1 未读"
    response = post(client, "/messages/read-all", {}, form_page="/messages")
    assert response.status_code == 302
    html = page(client, "/messages")
    assert header_link(html) == "消息 0 未读" and "0 条未读" in html and 'name="key"' not in html
    login(client, "lingwu")  # another user's reading is her own
    assert header_link(page(client, "/dashboard")) == "消息 1 未读"
    drive.reopen_year(world.ctx(world.statistics), 2023, "更正数据")
    session.commit()
    login(client, "xingqing")
    assert header_link(page(client, "/dashboard")) == "消息 1 未读"


def test_english_and_logged_out(world, client, session):
    world.close(2023)
    session.commit()
    assert 'id="messages-link"' not in page(client, "/login")
    assert client.get("/messages").status_code == 302
    login(client, "lingwu")
    token = csrf_of(page(client, "/dashboard"))
    client.post("/language", data={"csrf_token": token, "lang": "en", "next": "/messages"})
    html = page(client, "/messages")
    assert header_link(html) == "Messages 1 unread" and "Year closed" in html
