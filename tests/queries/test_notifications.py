"""The messages (消息) each user reads from the facts: what waits for them (as the start page
counts it), returns, filings, years closed and reopened, receipts without evidence — only what
the user may see, never what they did themselves — and what each has read."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.commands import messages as message_commands
from ledger.commands.funds import add_evidence, record_funds
from ledger.commands.inputs import EvidenceUpload, FundsRow
from ledger.domain.errors import NotFound
from ledger.queries import dashboards, notifications
from tests import drive

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def kinds(world, actor) -> list[tuple[str, str | int | None]]:
    """(kind, what it names) of the user's messages, the newest first."""
    return [(m.kind, m.number or m.project_name if m.year is None else m.year)
            for m in notifications.inbox(world.ctx(actor)).items]


def unread(world, actor) -> int:
    return notifications.unread_count(world.ctx(actor))


def test_waiting_messages_are_the_start_pages_to_do(world, session):
    p = world.project()
    a = world.agreement(p, file=False)  # the host (灵武市) opens it naming 兴庆区
    everyone = (world.lingwu, world.xingqing, world.pingluo, world.statistics, world.commerce)

    def same_as_dashboard():
        for actor in everyone:
            waiting = [m.agreement_id for m in notifications.inbox(world.ctx(actor)).items
                       if m.kind == "waiting"]
            assert waiting == dashboards.counts(world.ctx(actor)).waiting, actor.username

    same_as_dashboard()
    assert kinds(world, world.xingqing) == [("waiting", a.number)]
    assert kinds(world, world.lingwu) == []
    drive.confirm(world.ctx(world.xingqing), a.id)
    same_as_dashboard()
    drive.submit(world.ctx(world.lingwu), a.id)
    same_as_dashboard()
    assert kinds(world, world.statistics) == kinds(world, world.commerce) == [("waiting", a.number)]
    assert kinds(world, world.xingqing) == []  # the confirm's turn is over: its message went
    message = notifications.inbox(world.ctx(world.statistics)).items[0]
    assert (message.project_name, message.path, message.by) == (p.name, f"/agreements/{a.id}",
                                                                "lingwu")


def test_returned_and_filed_go_to_the_parties_and_the_filing_bodies(world, session):
    p = world.project()
    a = world.agreement(p, file=False)
    drive.confirm(world.ctx(world.xingqing), a.id)
    drive.submit(world.ctx(world.lingwu), a.id)
    drive.return_(world.ctx(world.statistics), a.id, "分成比例依据不足")
    for party in (world.lingwu, world.xingqing):  # returned to both; not told twice as waiting
        (m,) = notifications.inbox(world.ctx(party)).items
        assert (m.kind, m.number, m.reason, m.by) == ("returned", a.number, "分成比例依据不足",
                                                      "tongji")
    assert kinds(world, world.statistics) == []  # its own return
    assert kinds(world, world.commerce) == []    # nothing waits for it any more
    assert kinds(world, world.pingluo) == []     # not its agreement
    filed = world.agreement(world.project(), file=True)
    assert ("filed", filed.number) in kinds(world, world.xingqing)
    assert ("filed", filed.number) in kinds(world, world.statistics)  # commerce filed it
    assert ("filed", filed.number) not in kinds(world, world.commerce)
    assert all(number != filed.number for _, number in kinds(world, world.pingluo))


def test_years_reach_everyone_but_who_closed_them(world, session):
    world.close(2023)
    world.reopen(2023, "更正数据")
    for actor in (world.lingwu, world.pingluo, world.commerce):
        assert kinds(world, actor) == [("year_reopened", 2023), ("year_closed", 2023)]
    assert kinds(world, world.statistics) == []
    reopened = notifications.inbox(world.ctx(world.lingwu)).items[0]
    assert (reopened.reason, reopened.path) == ("更正数据", "/years")


def test_evidence_missing_is_the_hosts_until_a_file_comes(world, session):
    p = world.project()
    world.agreement(p)
    receipt = record_funds(world.ctx(world.lingwu), FundsRow(
        row=1, received_on=date(2025, 3, 1), amount=1005, source="domestic",
        payer="宁夏某某有限公司", project_id=p.id)).receipt
    (m,) = [m for m in notifications.inbox(world.ctx(world.lingwu)).items
            if m.kind == "evidence_missing"]
    assert (m.project_name, m.amount, m.received_on, m.path) == (
        p.name, 1005, date(2025, 3, 1), f"/projects/{p.id}")
    assert all(m.kind != "evidence_missing"
               for actor in (world.xingqing, world.statistics, world.pingluo)
               for m in notifications.inbox(world.ctx(actor)).items)
    add_evidence(world.ctx(world.lingwu), p.id, receipt.id,
                 EvidenceUpload("bank_slip", "回单.png", PNG))
    assert all(m.kind != "evidence_missing"
               for m in notifications.inbox(world.ctx(world.lingwu)).items)


def test_read_one_and_all_per_user(world, session):
    world.close(2023)
    world.reopen(2023, "更正数据")
    assert unread(world, world.lingwu) == unread(world, world.pingluo) == 2
    first = notifications.inbox(world.ctx(world.lingwu)).items[0]
    message_commands.mark_read(world.ctx(world.lingwu), first.key)
    assert unread(world, world.lingwu) == 1 and unread(world, world.pingluo) == 2
    inbox = notifications.inbox(world.ctx(world.lingwu))
    assert [m.read for m in inbox.items] == [True, False] and inbox.unread == 1
    message_commands.mark_read(world.ctx(world.lingwu), first.key)  # again: nothing changes
    assert unread(world, world.lingwu) == 1
    message_commands.mark_all_read(world.ctx(world.lingwu))
    assert unread(world, world.lingwu) == 0 and unread(world, world.pingluo) == 2
    assert all(m.read for m in notifications.inbox(world.ctx(world.lingwu)).items)
    world.close(2023)  # a new fact after the mark is unread again
    assert unread(world, world.lingwu) == 1 and unread(world, world.pingluo) == 3


def test_a_key_that_is_no_message_of_the_user_is_refused(world, session):
    a = world.agreement(world.project(), file=False)
    (waiting,) = notifications.inbox(world.ctx(world.xingqing)).items
    for actor, key in ((world.pingluo, waiting.key), (world.xingqing, "ae:999999"),
                       (world.xingqing, "")):
        with pytest.raises(NotFound):
            message_commands.mark_read(world.ctx(actor), key)
    assert unread(world, world.xingqing) == 1
    assert a.id == waiting.agreement_id
