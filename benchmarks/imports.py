"""The bulk import of monthly reports, measured: a file of ROWS rows (PROJECTS projects × their
months) through the whole path — reading the CSV, the request rules of every row, the
database checks, and the write through the report pipeline (commands.reports) — on SQLite
and, when LEDGER_BENCH_POSTGRES_URL is set (a disposable database: it is rebuilt), on
PostgreSQL, side by side in one run.

The floor, measured in the same run on the same database: the rows the import wrote (its
reports, postings and audit rows) inserted again by one executemany transaction into copies
of those tables with the same indexes. The profile (cProfile, SQLite) says where the time goes.

    .venv/bin/python -m benchmarks.imports                    # 50,000 rows
    .venv/bin/python -m benchmarks.imports --projects 100 --months 50   # 5,000 rows, quick
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from ledger import create_app, current
from ledger.commands.imports import import_reports
from ledger.config import TestingConfig
from ledger.db import make_engine
from ledger.io.imports import read_import
from ledger.migrate import rebuild, upgrade
from ledger.models import AuditEntry, InvestmentReport, Posting

TARGET_ROWS_PER_S = 2000  # SQLite (issue 8)


def periods(months: int) -> list[str]:
    return [f"{2022 + m // 12}-{m % 12 + 1:02d}" for m in range(months)]  # from 2022-01


def import_file(project_ids: list[int], months: int) -> bytes:
    lines = ["项目ID,期间,完成投资(万元),备注"]
    for pid in project_ids:
        for m, period in enumerate(periods(months)):
            lines.append(f"{pid},{period},{(pid * 7919 + m * 104729) % 10**8 // 100}."
                         f"{(pid + m) % 100:02d},第{m + 1}期")
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def floor(engine: sa.Engine, repeats: int = 3) -> float:
    """Median seconds to insert, in one executemany transaction, the rows the import wrote."""
    tables = [InvestmentReport.__table__, Posting.__table__, AuditEntry.__table__]
    with engine.connect() as conn:
        rows = {t.name: [dict(r._mapping) for r in conn.execute(sa.select(t))] for t in tables}
    times = []
    for attempt in range(repeats):
        metadata = sa.MetaData()
        copies = [_copy(t, metadata, f"floor{attempt}_") for t in tables]
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


def _copy(table: sa.Table, metadata: sa.MetaData, prefix: str) -> sa.Table:
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


def run(url: str, n_projects: int, months: int, profile: bool) -> dict:
    from benchmarks.__main__ import province  # Ningxia, one zone, n landed projects, half filed

    app = create_app(TestingConfig, DATABASE_URL=url)
    out: dict = {}
    with app.app_context():
        session = current.session()
        t0 = time.perf_counter()
        plist, host, *_ = province(session, n_projects)
        out["setup s"] = time.perf_counter() - t0
        data = import_file([p.id for p in plist], months)
        out["file MB"] = len(data) / 2**20
        context = current.context(host.actor)
        profiler = cProfile.Profile() if profile else None
        t0 = time.perf_counter()
        upload = read_import(data, "bench.csv")
        out["read s"] = time.perf_counter() - t0
        assert not upload.refused, list(upload.refused.items())[:3]
        if profiler:
            profiler.enable()
        t0 = time.perf_counter()
        summary = import_reports(context, upload)
        out["import s"] = time.perf_counter() - t0
        if profiler:
            profiler.disable()
        out["rows"] = summary.rows
        out["postings"] = summary.postings
        assert summary.created == summary.rows == n_projects * months
        total = out["read s"] + out["import s"]
        out["rows/s"] = summary.rows / total
        engine = app.extensions["ledger.engine"]
        session.close()
        out["floor s"] = floor(engine)
        out["floor rows/s"] = summary.rows / out["floor s"]
        out["ratio"] = total / out["floor s"]
        if profiler:
            stream = io.StringIO()
            stats = pstats.Stats(profiler, stream=stream)
            stats.sort_stats("cumulative").print_stats(35)
            out["profile"] = stream.getvalue()
    app.extensions["ledger.engine"].dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--months", type=int, default=50, help="from 2022-01 (at most 59)")
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        upgrade(make_engine(url))
        results["sqlite"] = run(url, args.projects, args.months, False)
    pg = os.environ.get("LEDGER_BENCH_POSTGRES_URL")
    if pg:
        engine = make_engine(pg)
        rebuild(engine)
        engine.dispose()
        results["postgresql"] = run(pg, args.projects, args.months, False)
    keys = ["rows", "postings", "file MB", "setup s", "read s", "import s", "rows/s", "floor s",
            "floor rows/s", "ratio"]
    print(f"import of {args.projects} projects × {args.months} months "
          f"(half the projects under a filed agreement)")
    print(f"{'':16}" + "".join(f"{name:>14}" for name in results))
    for key in keys:
        print(f"{key:16}" + "".join(f"{r[key]:14.2f}" if isinstance(r[key], float)
                                    else f"{r[key]:14d}" for r in results.values()))
    s = results["sqlite"]
    verdict = "meets" if s["rows/s"] >= TARGET_ROWS_PER_S else "misses"
    print(f"SQLite {s['rows/s']:.0f} rows/s {verdict} the target of {TARGET_ROWS_PER_S} rows/s; "
          f"floor (one executemany transaction of the same rows) {s['floor rows/s']:.0f} rows/s")
    if not args.no_profile:
        # A separate, smaller run under cProfile (which slows it down): where the time goes.
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'profile.sqlite3'}"
            upgrade(make_engine(url))
            profiled = run(url, 100, 50, True)
        print(f"\nprofile of a 5,000-row import on SQLite under cProfile "
              f"({profiled['rows/s']:.0f} rows/s profiled), cumulative:\n" + profiled["profile"])


if __name__ == "__main__":
    main()
