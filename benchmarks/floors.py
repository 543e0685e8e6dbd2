"""Copies of the ledger's tables for the floors of the scale benchmark: the same columns,
keys, unique constraints and indexes, no foreign keys (a floor writes the bytes and checks
nothing)."""

from __future__ import annotations

import statistics
import time

import sqlalchemy as sa

from ledger.models import AuditEntry, InvestmentReport, Posting


def floor(engine: sa.Engine, repeats: int = 3) -> float:
    """Median seconds to insert, in one executemany transaction, the rows the import wrote."""
    tables = [InvestmentReport.__table__, Posting.__table__, AuditEntry.__table__]
    with engine.connect() as conn:
        rows = {t.name: [dict(r._mapping) for r in conn.execute(sa.select(t))] for t in tables}
    times = []
    for attempt in range(repeats):
        metadata = sa.MetaData()
        copies = [copy_table(t, metadata, f"floor{attempt}_") for t in tables]
        metadata.create_all(engine)
        try:
            start = time.perf_counter()
            with engine.begin() as conn:
                for original, copy in zip(tables, copies):
                    conn.execute(copy.insert(), rows[original.name])
            times.append(time.perf_counter() - start)
        finally:
            metadata.drop_all(engine)
    return statistics.median(times)


def copy_table(table: sa.Table, metadata: sa.MetaData, prefix: str) -> sa.Table:
    """The table's columns, primary key, unique constraints and indexes (no foreign keys: the
    floor writes the bytes and checks nothing)."""
    copy = sa.Table(prefix + table.name, metadata,
                    *[sa.Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable,
                                autoincrement=False) for c in table.columns])
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint):
            copy.append_constraint(sa.UniqueConstraint(*[c.name for c in constraint.columns]))
    for column in table.columns:
        if column.unique:
            copy.append_constraint(sa.UniqueConstraint(column.name))
    for index in table.indexes:
        sa.Index(prefix + index.name, *[copy.c[c.name] for c in index.columns], unique=index.unique)
    return copy
