"""Idempotency keys: the first response to a POST is kept with a hash of its request, in the
same write transaction as the action, so a second request with the same key waits for the
first and then replays it, and a crash cannot leave an action done whose response was lost."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa

from ledger.context import Context
from ledger.db import writing
from ledger.domain.errors import Invalid
from ledger.models import IdempotencyRecord


@dataclass
class Response:
    status_code: int
    body: str
    headers: dict[str, str]


@dataclass
class Slot:
    """What an idempotent request finds under its key: an earlier response to replay, or room
    for the response of this one (`keep` it)."""

    replay: Response | None
    kept: Response | None = None

    def keep(self, response: Response) -> None:
        self.kept = response


@contextmanager
def idempotent(ctx: Context, key: str, request_hash: str) -> Iterator[Slot]:
    """One write transaction around the lookup, the action and the stored response."""
    with writing(ctx.session) as session:
        found = session.scalar(sa.select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == ctx.actor.id, IdempotencyRecord.key == key))
        if found is not None and found.request_hash != request_hash:
            raise Invalid("idempotency.key_reused", field="Idempotency-Key")
        slot = Slot(None if found is None else Response(found.status_code, found.response_body,
                                                        found.response_headers))
        yield slot
        if found is None and slot.kept is not None:
            session.add(IdempotencyRecord(
                user_id=ctx.actor.id, key=key, request_hash=request_hash,
                status_code=slot.kept.status_code, response_body=slot.kept.body,
                response_headers=slot.kept.headers, created_at=ctx.now()))
