"""Small helpers every service uses: audit rows, snapshots, value checks, the local clock."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.db import utcnow
from ledger.domain.errors import Invalid, NotFound, PreconditionFailed
from ledger.models import AuditEntry
from ledger.policy import Actor

LOCAL_TZ = ZoneInfo("Asia/Shanghai")  # civil dates (filed_on, numbering years) are Beijing dates
PERIOD_RE = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")  # [0-9]: no full-width digits


def today() -> date:
    return utcnow().astimezone(LOCAL_TZ).date()


def snapshot(obj: Any, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The column values of a model as JSON-safe data (for the audit log)."""
    names = fields or tuple(c.key for c in sa.inspect(obj).mapper.column_attrs)
    out = {}
    for name in names:
        value = getattr(obj, name)
        out[name] = value.isoformat() if isinstance(value, (date, datetime)) else value
    return out


def audit(session: Session, actor: Actor, action: str, entity: str, entity_id: Any,
          before: dict | None = None, after: dict | None = None) -> None:
    session.add(AuditEntry(
        actor_id=actor.id, actor_username=actor.username, actor_role=actor.role,
        action=action, entity=entity, entity_id=str(entity_id), before=before, after=after,
        at=utcnow()))


def get_or_404(session: Session, model, key, what: str):
    obj = session.get(model, key) if key is not None else None
    if obj is None:
        raise NotFound(f"{what} {key} not found")
    return obj


def text(value: Any, field: str, *, max_len: int, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise Invalid("must be a string", field=field)
    value = value.strip()
    if required and not value:
        raise Invalid("must not be blank", field=field)
    if len(value) > max_len:
        raise Invalid(f"must be at most {max_len} characters", field=field)
    return value


def as_date(value: Any, field: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise Invalid("must be a date (YYYY-MM-DD)", field=field)


def as_year(value: Any, field: str) -> int:
    if type(value) is not int or not 1990 <= value <= 2100:
        raise Invalid("must be a year between 1990 and 2100", field=field)
    return value


def as_period(value: Any, field: str = "period") -> str:
    if not isinstance(value, str) or not PERIOD_RE.fullmatch(value):
        raise Invalid("must be a month YYYY-MM", field=field)
    as_year(int(value[:4]), field)
    return value


def as_bool(value: Any, field: str) -> bool:
    if type(value) is not bool:
        raise Invalid("must be true or false", field=field)
    return value


def reject_unknown(data: dict, allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise Invalid("unknown field(s)", errors={k: ["unknown field"] for k in unknown})


def check_row_version(current: int, expected: int | None) -> None:
    """Optimistic concurrency: a caller that read version N may only change version N (412)."""
    if expected is not None and expected != current:
        raise PreconditionFailed("the resource changed since you read it; reload and retry")
