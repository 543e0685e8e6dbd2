"""Agreements, as the user may see them."""

from __future__ import annotations

import sqlalchemy as sa

from ledger.context import Context
from ledger.domain import limits
from ledger.models import Agreement
from ledger.policy import agreements_seen_by
from ledger.queries.lookup import visible_agreement
from ledger.queries.pagination import Page, page_of


def agreements(ctx: Context, *, page: int = 1,
               page_size: int = limits.PAGE_SIZE_DEFAULT) -> Page[Agreement]:
    """The agreements this user may see, newest first."""
    query = sa.select(Agreement).where(agreements_seen_by(ctx.actor)).order_by(Agreement.id.desc())
    return page_of(ctx.session, query, page, page_size)


def agreement(ctx: Context, agreement_id: int) -> Agreement:
    return visible_agreement(ctx.session, ctx.actor, agreement_id)
