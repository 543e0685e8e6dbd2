"""The audit log (the journal), newest first (administrators and the statistics bureau), with
the names of the objects its entries are about."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from ledger.context import Context
from ledger.domain import limits
from ledger.domain.periods import LOCAL_TZ
from ledger.models import Agreement, AuditEntry, Project, User, Zone
from ledger.postings.journal import parsed
from ledger.policy import require_ledger_reader
from ledger.queries.pagination import Page, page_of

# The entries of logging in and out: shown on their own, not among the changes of facts.
LOGIN_ACTIONS = ("token.issue", "token.revoke")
# At most this many entries go into one export.
EXPORT_MAX = 50_000


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor_username: str
    actor_role: str
    actor_region: str | None
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @classmethod
    def of(cls, e: AuditEntry) -> "AuditRow":
        row = {f.name: getattr(e, f.name) for f in fields(cls)}
        return cls(**row | {"before": parsed(e.before), "after": parsed(e.after)})

    @property
    def project_id(self) -> int | None:
        """The project the entry is about, when it is about one (a project, its reports, a
        receipt of its funds, an agreement on it)."""
        if self.entity == "project":
            return int(self.entity_id)
        values = self.after if isinstance(self.after, dict) else self.before
        found = values.get("project_id") if isinstance(values, dict) else None
        return found if isinstance(found, int) else None


@dataclass
class Names:
    """The names of what a page of entries mentions, looked up once for the page."""

    projects: dict[int, str] = field(default_factory=dict)
    agreements: dict[str, int] = field(default_factory=dict)   # number → id
    users: dict[int, str] = field(default_factory=dict)
    zones: dict[int, str] = field(default_factory=dict)


def _between(since: date | None, until: date | None):
    """Beijing days (inclusive) as UTC bounds on the entries' times."""
    conditions = []
    if since is not None:
        conditions.append(AuditEntry.at >= datetime.combine(since, time(), LOCAL_TZ))
    if until is not None:
        conditions.append(AuditEntry.at < datetime.combine(until + timedelta(days=1), time(),
                                                           LOCAL_TZ))
    return conditions


def _query(*, entity: str | None = None, actor: str | None = None, region: str | None = None,
           action: str | None = None, since: date | None = None, until: date | None = None,
           logins: bool | None = None) -> sa.Select:
    """`logins`: True only the logins and logouts, False none of them, None both."""
    query = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if actor is not None:
        query = query.where(AuditEntry.actor_username == actor)
    if region is not None:
        query = query.where(AuditEntry.actor_region == region)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if logins is True:
        query = query.where(AuditEntry.action.in_(LOGIN_ACTIONS))
    elif logins is False:
        query = query.where(AuditEntry.action.not_in(LOGIN_ACTIONS))
    return query.where(*_between(since, until))


def audit_log(ctx: Context, *, page: int = 1, page_size: int = limits.PAGE_SIZE_DEFAULT,
              **filters) -> Page[AuditRow]:
    """One page of the entries `filters` select (see _query)."""
    require_ledger_reader(ctx.actor)
    return page_of(ctx.session, _query(**filters), page, page_size, AuditRow.of)


def audit_rows(ctx: Context, **filters) -> list[AuditRow]:
    """Every entry `filters` select, newest first, at most EXPORT_MAX (an export)."""
    require_ledger_reader(ctx.actor)
    return [AuditRow.of(e) for e in ctx.session.scalars(_query(**filters).limit(EXPORT_MAX))]


def names(ctx: Context, rows: list[AuditRow]) -> Names:
    """The project names, agreement ids, usernames and zone names `rows` mention."""
    require_ledger_reader(ctx.actor)
    session, found = ctx.session, Names()
    project_ids = {r.project_id for r in rows} - {None}
    numbers = {r.entity_id for r in rows if r.entity == "agreement"}
    user_ids = {int(r.entity_id) for r in rows if r.entity == "user" and r.entity_id.isdigit()}
    zone_ids = {int(r.entity_id) for r in rows if r.entity == "zone" and r.entity_id.isdigit()}
    for values in (v for r in rows for v in (r.before, r.after) if isinstance(v, dict)):
        if isinstance(values.get("zone_id"), int):
            zone_ids.add(values["zone_id"])
    if project_ids:
        found.projects = dict(session.execute(
            sa.select(Project.id, Project.name).where(Project.id.in_(project_ids))).all())
    if numbers:
        found.agreements = dict(session.execute(
            sa.select(Agreement.number, Agreement.id).where(Agreement.number.in_(numbers))).all())
    if user_ids:
        found.users = dict(session.execute(
            sa.select(User.id, User.username).where(User.id.in_(user_ids))).all())
    if zone_ids:
        found.zones = dict(session.execute(
            sa.select(Zone.id, Zone.name).where(Zone.id.in_(zone_ids))).all())
    return found
