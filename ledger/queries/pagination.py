"""One page of a list, with the total count for the X-Pagination header."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.domain import limits

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int


def page_of(session: Session, query: sa.Select, page: int = 1,
            page_size: int = limits.PAGE_SIZE_DEFAULT,
            row: Callable[[Any], T] | None = None) -> Page[T]:
    total = session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    offset = (page - 1) * page_size
    if offset >= total:
        return Page([], total)  # past the end (also keeps huge page numbers from the database)
    items = list(session.scalars(query.offset(offset).limit(page_size)))
    return Page([row(x) for x in items] if row else items, total)
