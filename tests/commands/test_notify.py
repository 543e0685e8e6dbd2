"""The messages mailed through SMTP (ledger.mail, ledger.commands.notify), against a real local
SMTP server (aiosmtpd): sent once the write has committed, to the users it concerns, nothing
after a rollback, nothing without LEDGER_SMTP_URL, and a server that fails never fails the
write."""

from __future__ import annotations

import email
import logging
import socket
import threading
from email.policy import default

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from ledger.db import writing
from ledger.mail import Server
from ledger.models import AgreementVersion
from tests import drive
from tests.factories import ADMIN

EMAILS = {"lingwu": "lingwu@example.cn", "xingqing": "xingqing@example.cn",
          "pingluo": "pingluo@example.cn", "statistics": "tongji@example.cn",
          "commerce": "shangwu@example.cn"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """What the server received: (recipients, message, the version's status as the database
    had committed it when the mail arrived)."""

    def __init__(self, engine: sa.Engine):
        self.engine, self.mails, self.arrived = engine, [], threading.Event()

    async def handle_DATA(self, server, session, envelope):
        with self.engine.connect() as conn:  # another connection: sees only what committed
            statuses = sorted(conn.scalars(sa.select(AgreementVersion.status)))
        self.mails.append((envelope.rcpt_tos,
                           email.message_from_bytes(envelope.content, policy=default), statuses))
        self.arrived.set()
        return "250 OK"

    def to(self, address: str):
        return [(m, statuses) for rcpt, m, statuses in self.mails if address in rcpt]


@pytest.fixture
def smtp(app, backend):
    inbox = Inbox(backend.engine)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{controller.port}"
    app.config["PUBLIC_URL"] = "https://ledger.example.cn"
    yield inbox
    controller.stop()
    app.config["SMTP_URL"] = ""


@pytest.fixture
def addressed(world):
    for name, address in EMAILS.items():
        drive.update_user(world.ctx(ADMIN), getattr(world, name).id, {"email": address})
    return world


def test_a_submit_mails_the_filing_bodies_after_it_commits(addressed, smtp):
    world = addressed
    p = world.project()
    a = world.agreement(p, file=False)
    drive.confirm(world.ctx(world.xingqing), a.id)
    smtp.mails.clear()
    drive.submit(world.ctx(world.lingwu), a.id)
    assert sorted(r for rcpt, _, _ in smtp.mails for r in rcpt) == [
        "shangwu@example.cn", "tongji@example.cn"]
    ((message, statuses),) = smtp.to("tongji@example.cn")
    assert statuses == ["submitted"]  # the mail came after the commit
    body = message.get_content()
    assert message["Subject"] == "招商引资分配台账消息（1条）"
    assert message["From"] == "ledger@localhost"
    assert f"协议待我办理：协议编号 {a.number}（项目名称：{p.name}）" in body
    assert "时间（北京时间）：" in body
    assert f"查看：https://ledger.example.cn/agreements/{a.id}" in body


def test_whoever_acted_and_who_is_not_concerned_get_nothing(addressed, smtp):
    world = addressed
    world.close(2023)
    assert sorted(r for rcpt, _, _ in smtp.mails for r in rcpt) == sorted(
        a for name, a in EMAILS.items() if name != "statistics")
    ((message, _),) = smtp.to("pingluo@example.cn")
    assert "考核年度已关闭：2023年度" in message.get_content()
    smtp.mails.clear()
    a = world.agreement(world.project(), file=False)
    assert [rcpt for rcpt, _, _ in smtp.mails] == [["xingqing@example.cn"]]
    smtp.mails.clear()
    drive.confirm(world.ctx(world.xingqing), a.id)  # waits for both parties: told is the host
    assert [rcpt for rcpt, _, _ in smtp.mails] == [["lingwu@example.cn"]]


def test_a_rolled_back_write_sends_nothing(addressed, smtp, session):
    world = addressed
    a = world.agreement(world.project(), file=False)
    drive.confirm(world.ctx(world.xingqing), a.id)
    smtp.mails.clear()
    with pytest.raises(RuntimeError), writing(session):
        drive.submit(world.ctx(world.lingwu), a.id)  # joins this transaction …
        raise RuntimeError("… which then fails")
    assert session.scalar(sa.select(AgreementVersion.status)) == "signed"
    world.close(2023)  # the next write mails only its own message
    assert all("协议" not in m.get_content() for _, m, _ in smtp.mails)
    assert smtp.mails


def test_nothing_is_sent_without_an_smtp_url(addressed, smtp, app):
    world = addressed
    app.config["SMTP_URL"] = ""
    world.close(2023)
    a = world.agreement(world.project(), file=False)
    drive.confirm(world.ctx(world.xingqing), a.id)
    assert smtp.mails == []


def test_a_failing_server_is_logged_and_the_write_stands(addressed, app, session, caplog):
    world = addressed
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nobody listens there
    with caplog.at_level(logging.ERROR, logger="ledger.commands.notify"):
        world.close(2023)
    app.config["SMTP_URL"] = ""
    assert "messages not mailed" in caplog.text
    assert world.reopen(2023).status == "open"  # it had closed


def test_the_smtp_url_names_the_server():
    assert Server.parse("smtps://ju%40x:p%3Ass@mail.example.cn") == Server(
        "smtps", "mail.example.cn", 465, "ju@x", "p:ss", False)
    assert Server.parse("smtp://127.0.0.1:2525?starttls=1") == Server(
        "smtp", "127.0.0.1", 2525, None, None, True)
    for wrong in ("http://mail.example.cn", "smtp://", "mail.example.cn:25"):
        with pytest.raises(ValueError):
            Server.parse(wrong)
