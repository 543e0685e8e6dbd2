"""The messages (消息) of a user, read from the facts they tell of — never stored twice:

  * an agreement waiting for the user: the start page's to-do (agreements.waiting, the
    workflow's `waits_for`), dated by the chain's newest event;
  * an agreement returned to the user (a `return` event of an agreement the user is party to);
  * an agreement filed (the acknowledgement that filed it), for its parties and the filing
    bodies;
  * an assessment year closed or reopened (year_events), for everyone;
  * a receipt of funds without evidence (待补充凭证), for the host region, which adds it.

A return, a filing or a year is not told to whoever did it; the to-dos (waiting, evidence) are
listed whoever made them so, and mailed only to the others (recipients). Each message has a key naming its fact (a waiting
agreement's names the chain's row_version, so each new turn of the same chain is a new
message); what a user has read is kept by key (MessageRead) and by a mark (MessageMark: all up
to that moment). Visibility is the policy's: a region reads only its own agreements and
projects."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.context import Context
from ledger.domain import limits
from ledger.domain.enums import FILING_BODIES, MessageKind, Role, VersionStatus, YearAction
from ledger.models import (
    Agreement, AgreementEvent, FundsEvidence, FundsReceipt, MessageMark, MessageRead, Project,
    User, YearEvent,
)
from ledger.policy import Actor, agreements_seen_by
from ledger.queries import agreements as agreement_queries

K = MessageKind
YEAR_KIND = {YearAction.CLOSE: K.YEAR_CLOSED, YearAction.REOPEN: K.YEAR_REOPENED}


@dataclass(frozen=True)
class Message:
    key: str
    kind: MessageKind
    at: datetime                       # when the fact happened (UTC; shown in Beijing time)
    agreement_id: int | None = None
    number: str | None = None          # 协议编号
    project_id: int | None = None
    project_name: str | None = None    # 项目名称
    year: int | None = None            # 年度
    received_on: date | None = None
    amount: int | None = None          # 0.01万元
    reason: str | None = None
    by: str | None = None              # who did it (username), when someone did
    agreement_event: int | None = None
    year_event: int | None = None
    receipt_id: int | None = None
    read: bool = False

    @property
    def path(self) -> str:
        """The page of its object: the agreement, the project, or the years page."""
        if self.agreement_id is not None:
            return f"/agreements/{self.agreement_id}"
        if self.project_id is not None:
            return f"/projects/{self.project_id}"
        return "/years"


@dataclass(frozen=True)
class Inbox:
    items: list[Message]   # the newest first, at most limits.MESSAGES_SHOWN
    total: int
    unread: int


@dataclass
class Facts:
    """The facts a transaction recorded that may make messages (commands.notify mails them)."""

    agreement_events: set[int] = field(default_factory=set)
    year_events: set[int] = field(default_factory=set)
    receipts: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.agreement_events or self.year_events or self.receipts)


def _not_by(column, actor: Actor) -> sa.ColumnElement[bool]:
    return sa.true() if actor.id is None else sa.or_(column.is_(None), column != actor.id)


def _agreement_events(session: Session, actor: Actor, after: datetime | None,
                      only: Collection[int] | None = None) -> list[Message]:
    """Returned (to a party) and filed (for the parties and the filing bodies)."""
    filed = sa.and_(AgreementEvent.action == "acknowledge",
                    AgreementEvent.to_status == VersionStatus.FILED)
    if actor.role == Role.REGION:  # agreements_seen_by: the ones it is party to
        kinds = sa.or_(AgreementEvent.action == "return", filed)
    elif actor.role in FILING_BODIES:
        kinds = filed
    else:
        return []
    rows = session.execute(
        sa.select(AgreementEvent, Agreement.number, Project.id, Project.name, User.username)
        .join(Agreement, Agreement.id == AgreementEvent.agreement_id)
        .join(Project, Project.id == Agreement.project_id)
        .outerjoin(User, User.id == AgreementEvent.actor_id)
        .where(agreements_seen_by(actor), kinds, _not_by(AgreementEvent.actor_id, actor),
               sa.true() if after is None else AgreementEvent.at > after,
               sa.true() if only is None else AgreementEvent.id.in_(list(only))))
    return [Message(f"ae:{e.id}", K.RETURNED if e.action == "return" else K.FILED, e.at,
                    agreement_id=e.agreement_id, number=number, project_id=pid,
                    project_name=name, reason=e.reason, by=by, agreement_event=e.id)
            for e, number, pid, name, by in rows]


def _waiting(session: Session, actor: Actor, after: datetime | None,
             only: Collection[int] | None = None) -> list[Message]:
    """The agreements waiting for the user, as the start page counts them; one returned to
    the user, whose return is a message of its own, is not told twice."""
    if after is not None and only is None:  # what waits since the mark: a chain that moved since
        only = set(session.scalars(sa.select(AgreementEvent.agreement_id).distinct()
                                   .where(AgreementEvent.at > after)))
    found = agreement_queries.waiting(Context(session, actor), only) if only is None or only else []
    if not found:
        return []
    newest = (sa.select(sa.func.max(AgreementEvent.id))
              .where(AgreementEvent.agreement_id.in_([a.id for a in found]))
              .group_by(AgreementEvent.agreement_id))
    events = {e.agreement_id: (e, by) for e, by in session.execute(
        sa.select(AgreementEvent, User.username).outerjoin(User, User.id == AgreementEvent.actor_id)
        .where(AgreementEvent.id.in_(newest)))}
    names = dict(session.execute(sa.select(Project.id, Project.name).where(
        Project.id.in_({a.project_id for a in found}))).all())
    out = []
    for a in found:
        event, by = events.get(a.id, (None, None))
        if event is not None and event.action == "return":
            continue
        at = event.at if event is not None else a.created_at
        if after is not None and at <= after:
            continue
        out.append(Message(f"wait:{a.id}:{a.row_version}", K.WAITING, at, agreement_id=a.id,
                           number=a.number, project_id=a.project_id,
                           project_name=names[a.project_id], by=by,
                           agreement_event=event.id if event is not None else None))
    return out


def _years(session: Session, actor: Actor, after: datetime | None,
           only: Collection[int] | None = None) -> list[Message]:
    rows = session.execute(
        sa.select(YearEvent, User.username).outerjoin(User, User.id == YearEvent.actor_id)
        .where(_not_by(YearEvent.actor_id, actor),
               sa.true() if after is None else YearEvent.at > after,
               sa.true() if only is None else YearEvent.id.in_(list(only))))
    return [Message(f"ye:{e.id}", YEAR_KIND[YearAction(e.action)], e.at, year=e.year,
                    reason=e.reason, by=by, year_event=e.id) for e, by in rows]


def _evidence(session: Session, actor: Actor, after: datetime | None,
              only: Collection[int] | None = None) -> list[Message]:
    """The host region's receipts that count and have no evidence file: it adds the files."""
    if actor.role != Role.REGION:
        return []
    has_evidence = sa.exists().where(FundsEvidence.receipt_id == FundsReceipt.id)
    rows = session.execute(
        sa.select(FundsReceipt, Project.name)
        .join(Project, Project.id == FundsReceipt.project_id)
        .where(Project.host_code == actor.region_code, FundsReceipt.voided.is_(False),
               ~has_evidence,
               sa.true() if after is None else FundsReceipt.recorded_at > after,
               sa.true() if only is None else FundsReceipt.id.in_(list(only))))
    return [Message(f"ev:{r.id}", K.EVIDENCE_MISSING, r.recorded_at, project_id=r.project_id,
                    project_name=name, received_on=r.received_on, amount=r.amount,
                    receipt_id=r.id) for r, name in rows]


def _all(session: Session, actor: Actor, after: datetime | None) -> list[Message]:
    found = [m for part in (_waiting, _agreement_events, _years, _evidence)
             for m in part(session, actor, after)]
    return sorted(found, key=lambda m: (m.at, m.key), reverse=True)


def _read_state(session: Session, user_id: int | None) -> tuple[datetime | None, set[str]]:
    if user_id is None:
        return None, set()
    mark = session.get(MessageMark, user_id)
    keys = set(session.scalars(sa.select(MessageRead.key).where(MessageRead.user_id == user_id)))
    return (mark.read_through if mark is not None else None), keys


def _unread(messages: Iterable[Message], mark: datetime | None, keys: set[str]) -> list[Message]:
    return [m for m in messages if not ((mark is not None and m.at <= mark) or m.key in keys)]


def inbox(ctx: Context, limit: int = limits.MESSAGES_SHOWN) -> Inbox:
    """The messages page: the newest `limit` messages, each marked read or not."""
    mark, keys = _read_state(ctx.session, ctx.actor.id)
    found = _all(ctx.session, ctx.actor, None)
    unread = {m.key for m in _unread(found, mark, keys)}
    items = [replace(m, read=m.key not in unread) for m in found[:limit]]
    return Inbox(items, len(found), len(unread))


def unread_count(ctx: Context) -> int:
    """The header's count: only the facts after the user's mark are read at all."""
    mark, keys = _read_state(ctx.session, ctx.actor.id)
    return len(_unread(_all(ctx.session, ctx.actor, mark), mark, keys))


def keys(ctx: Context) -> set[str]:
    """The keys of every message the user has (a key to mark read must be one of them)."""
    return {m.key for m in _all(ctx.session, ctx.actor, None)}


def recipients(session: Session, facts: Facts) -> list[tuple[User, list[Message]]]:
    """Who is told of the facts just recorded, with an address to mail, and what each is told:
    the messages these facts make for each active user with an e-mail address (commands.notify
    mails them once the transaction has committed). Not who recorded them."""
    users = session.scalars(sa.select(User).where(User.active.is_(True), User.email.is_not(None),
                                                  User.email != "").order_by(User.id)).all()
    agreements = set(session.scalars(sa.select(AgreementEvent.agreement_id).where(
        AgreementEvent.id.in_(facts.agreement_events)))) if facts.agreement_events else set()
    recorded_by = dict(session.execute(sa.select(FundsReceipt.id, FundsReceipt.recorded_by).where(
        FundsReceipt.id.in_(facts.receipts))).all()) if facts.receipts else {}
    out = []
    for user in users:
        actor = Actor(user.id, user.username, user.role, user.region_code)
        told: list[Message] = []
        if agreements:
            told += [m for m in _waiting(session, actor, None, agreements)  # not one's own turn
                     if m.agreement_event in facts.agreement_events and m.by != user.username]
            told += _agreement_events(session, actor, None, facts.agreement_events)
        if facts.year_events:
            told += _years(session, actor, None, facts.year_events)
        if facts.receipts:
            told += [m for m in _evidence(session, actor, None, facts.receipts)
                     if recorded_by.get(m.receipt_id) != user.id]
        if told:
            out.append((user, sorted(told, key=lambda m: (m.at, m.key))))
    return out
