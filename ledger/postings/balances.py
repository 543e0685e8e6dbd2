"""What each posting adds to its regions' figures — the one rule behind the running balances,
the as-of attribution scan and `ledger verify`'s check of the balances.

A posting of `amount` on a project hosted in H, posted to region R in `role`, adds
  amount to H's in_place (every role: the 在地 figure), and, when the role is recommender,
  amount to H's ceded and to R's credited.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ledger.db import adding
from ledger.domain.enums import PostingRole
from ledger.models import Balance, Posting

SUMMED = ("in_place", "ceded", "credited")


def moved(rows: Iterable[dict]) -> dict[tuple[int, str, str], list[int]]:
    """(year, line, region) → [in_place, ceded, credited] added by the posting rows."""
    out: dict[tuple[int, str, str], list[int]] = {}
    for r in rows:
        year, line, amount = r["year"], r["indicator"], r["amount"]
        host = out.setdefault((year, line, r["host_code"]), [0, 0, 0])
        host[0] += amount
        if r["role"] == PostingRole.RECOMMENDER:
            host[1] += amount
            out.setdefault((year, line, r["region_code"]), [0, 0, 0])[2] += amount
    return out


def summed(groups, *keys: str) -> sa.Subquery:
    """Per region (and per each of `keys`): (*keys, code, in_place, ceded, credited) summed in
    the database from `groups`, posting sums with the columns host_code, region_code, role,
    amount and `keys`."""
    recommender = groups.c.role == PostingRole.RECOMMENDER
    kept = [groups.c[k] for k in keys]
    moves = sa.union_all(
        sa.select(*kept, groups.c.host_code.label("code"), groups.c.amount.label("in_place"),
                  sa.case((recommender, groups.c.amount), else_=0).label("ceded"),
                  sa.literal(0).label("credited")),
        sa.select(*kept, groups.c.region_code, sa.literal(0), sa.literal(0), groups.c.amount)
        .where(recommender)).subquery()
    by = [moves.c[k] for k in keys] + [moves.c.code]
    # cast: PostgreSQL sums bigints as numeric, which psycopg returns as Decimal
    return (sa.select(*by, *(sa.cast(sa.func.sum(moves.c[f]), sa.BigInteger).label(f)
                             for f in SUMMED))
            .group_by(*by).subquery("summed"))


def from_postings() -> sa.Subquery:
    """(year, indicator, code, in_place, ceded, credited) for every year and line, summed from
    all the postings: what the running balances must hold (verify checks them against it)."""
    key = (Posting.year, Posting.indicator, Posting.host_code, Posting.region_code, Posting.role)
    groups = (sa.select(*key, sa.func.sum(Posting.amount).label("amount"))
              .group_by(*key).subquery("groups"))
    return summed(groups, "year", "indicator")


def add(conn: Connection, rows: list[dict]) -> None:
    """Move the running balances by the posting rows being inserted (same transaction)."""
    adding(Balance.__table__, ("year", "indicator", "region_code"), SUMMED,
           conn.dialect.name).run_many(conn, [
               {"year": y, "indicator": line, "region_code": code, **dict(zip(SUMMED, figures))}
               for (y, line, code), figures in moved(rows).items()])
