"""Ledger rows (分算记录) in recording order: officials read every posting, a region its own."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import undefer

from ledger.context import Context
from ledger.domain import limits
from ledger.models import Posting
from ledger.policy import postings_seen_by
from ledger.queries.pagination import Page, page_of


@dataclass(frozen=True)
class PostingRow:
    seq: int
    project_id: int
    indicator: str
    agreement_id: int | None
    version: int | None
    region_code: str
    role: str
    period: str
    amount: int
    cause: str
    recorded_at: datetime
    hash_version: int
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, p: Posting) -> "PostingRow":
        return cls(**{f.name: getattr(p, f.name) for f in fields(cls)})


def postings(ctx: Context, *, project: int | None = None, region: str | None = None,
             year: int | None = None, after_seq: int | None = None, page: int = 1,
             page_size: int = limits.PAGE_SIZE_DEFAULT) -> Page[PostingRow]:
    query = (sa.select(Posting).options(undefer(Posting.prev_hash))
             .where(postings_seen_by(ctx.actor)).order_by(Posting.seq))
    if project is not None:
        query = query.where(Posting.project_id == project)
    if region is not None:
        query = query.where(Posting.region_code == region)
    if year is not None:
        query = query.where(Posting.year == year)
    if after_seq is not None:
        query = query.where(Posting.seq > after_seq)
    return page_of(ctx.session, query, page, page_size, PostingRow.of)
