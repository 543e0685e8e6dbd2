"""The messages of a write, mailed once its transaction has committed (never inside it).

A command notes the facts it records (`noted`: an agreement event, a year event, receipts);
hooks on the app's sessions (`install`) then, before the commit, read who is told what
(queries.notifications.recipients, in the same transaction, so they see exactly what commits)
and, after the commit, send it (ledger.mail: smtplib). A rollback drops it all. Without
LEDGER_SMTP_URL nothing is read or sent. A failure to compose or to send is logged and never
fails the write, which has committed by then."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from ledger import mail
from ledger.domain.money import format_amount
from ledger.domain.periods import beijing_minute
from ledger.domain.vocabulary import MAIL_SUBJECT, MESSAGE_KINDS
from ledger.queries.notifications import Facts, Message, recipients

log = logging.getLogger(__name__)
FACTS, OUTBOX = "ledger_facts", "ledger_outbox"


@dataclass(frozen=True)
class Outgoing:
    """Where mail goes: LEDGER_SMTP_URL, the sender's address, the site's address for links."""

    url: str
    sender: str
    public_url: str


def noted(session: Session, *, agreement_events: Iterable[int] = (),
          year_events: Iterable[int] = (), receipts: Iterable[int] = ()) -> None:
    """Note facts recorded in the session's transaction (ids, flushed already)."""
    facts = session.info.setdefault(FACTS, Facts())
    facts.agreement_events.update(agreement_events)
    facts.year_events.update(year_events)
    facts.receipts.update(receipts)


def describe(m: Message, public_url: str) -> str:
    """A message as its e-mail tells it, in Chinese: what, which object, when, where."""
    what = MESSAGE_KINDS[m.kind]
    if m.number is not None:
        subject = f"协议编号 {m.number}（项目名称：{m.project_name}）"
    elif m.receipt_id is not None:
        subject = (f"项目名称：{m.project_name}，{m.received_on.isoformat()} 到位 "
                   f"{format_amount(m.amount)} 万元")
    else:
        subject = f"{m.year}年度"
    lines = [f"{what}：{subject}",
             f"时间（北京时间）：{beijing_minute(m.at)}"]
    if m.reason:
        lines.append(f"理由：{m.reason}")
    lines.append(f"查看：{public_url.rstrip('/')}{m.path}")
    return "\n".join(lines)


def compose(session: Session, facts: Facts, public_url: str) -> list[mail.Mail]:
    """One mail per user told of something, listing all it is told."""
    return [mail.Mail(user.email, f"{MAIL_SUBJECT}（{len(told)}条）",
                      "\n\n".join(describe(m, public_url) for m in told) + "\n")
            for user, told in recipients(session, facts)]


def install(factory: sessionmaker, outgoing: Callable[[], Outgoing | None],
            send: Callable[[str, str, list[mail.Mail]], None] = mail.send) -> None:
    """Mail the messages of every committed write of the factory's sessions; `outgoing` is
    read at each commit (None: LEDGER_SMTP_URL is unset, nothing is sent)."""

    @event.listens_for(factory, "before_commit")
    def _before(session: Session) -> None:
        facts = session.info.pop(FACTS, None)
        where = outgoing() if facts else None
        if where is None:
            return
        try:
            session.info[OUTBOX] = (where, compose(session, facts, where.public_url))
        except Exception:  # the write commits whatever its mail does
            log.exception("messages not mailed: composing failed")

    @event.listens_for(factory, "after_commit")
    def _after(session: Session) -> None:
        where, mails = session.info.pop(OUTBOX, (None, []))
        if not mails:
            return
        try:
            send(where.url, where.sender, mails)
        except Exception:
            log.exception("messages not mailed to %d users", len(mails))

    @event.listens_for(factory, "after_rollback")
    def _dropped(session: Session) -> None:
        session.info.pop(FACTS, None)
        session.info.pop(OUTBOX, None)
