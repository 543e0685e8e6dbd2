"""Searching text columns: a LIKE pattern matching typed text anywhere, its own % and _ taken
literally (q=% once matched every project)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

import sqlalchemy as sa

T = TypeVar("T")

LIKE_ESCAPE = "\\"
# At most this many rows go into one list export (a spreadsheet of a list as filtered).
EXPORT_MAX = 50_000


# An IN list is sent in parts of this many values (SQLite and PostgreSQL cap a statement's
# parameters; an export can name tens of thousands of ids).
IN_CHUNK = 1000


def chunks(values: Iterable[T]) -> Iterator[list[T]]:
    """`values` sorted, IN_CHUNK at a time."""
    ordered = sorted(values)
    for start in range(0, len(ordered), IN_CHUNK):
        yield ordered[start:start + IN_CHUNK]


def like(text: str) -> str:
    """A LIKE pattern matching `text` anywhere."""
    escaped = (text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%")
               .replace("_", LIKE_ESCAPE + "_"))
    return f"%{escaped}%"


def contains(text: str, *columns) -> sa.ColumnElement[bool]:
    """Any of `columns` holds `text` (case as typed)."""
    pattern = like(text)
    return sa.or_(*(column.like(pattern, escape=LIKE_ESCAPE) for column in columns))
