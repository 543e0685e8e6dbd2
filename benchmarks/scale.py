"""The ledger at scale, against its floors (issue 10): a seeded generator of a `province` (30
regions, 2,000 projects, 300 filed agreements, 3 years: 72,000 monthly reports) or a `national`
(3,000 regions, 50,000 projects, 5,000 agreements, 2 years: 1.2 million reports) ledger, loaded
through the bulk import path, then each measure beside its floor measured in the same run on the
same database:

  bulk import          the whole import (read the CSV, check every row, write)   vs one
                       executemany transaction of the same reports, postings and journal rows
  one report           report_investment (a revision of a current-year month)    vs a raw
                       per-report transaction inserting the same kinds of rows
  attribution          the attribution of every region for the newest year      vs the same
                       (rolled up, totals), current and as-of, of each line      GROUP BYs by hand
                       (funds in place also split by source)                     (and of the
                                                                                 source moves)
  verify               `ledger verify` (ledger.postings.verify)                   vs SHA-256
                       over the posting and journal rows by hand, in one streaming pass
  size                 database bytes per million reports

    make bench                      # province, SQLite (+ PostgreSQL with LEDGER_BENCH_POSTGRES_URL)
    make bench-national             # national: 45 min to 2 h the first time, 20–45 min after
    .venv/bin/python -m benchmarks.scale province [--seed 1] [--no-write]
    .venv/bin/python -m benchmarks.scale national --setup-only   # only build the setup cache

The generated ledger before any report is kept in var/bench-setup (and, for PostgreSQL, a
database beside the benchmark's) and restored by the next run of the same profile and seed;
`--fresh` builds it again.

LEDGER_BENCH_POSTGRES_URL names a disposable PostgreSQL database: it is rebuilt. The figures go
to stdout as one table and into benchmarks/RESULTS.md (the section of the profile).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import namedtuple
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa

from benchmarks.results import write_section
from ledger import create_app, current
from ledger.commands import agreements, projects, reference
from ledger.commands.imports import import_funds, import_reports
from ledger.commands.inputs import (
    AgreementInput, ProjectInput, RegionInput, ReportInput, StageChange, TermsInput, ZoneInput,
)
from ledger.commands.reports import report_investment
from ledger.config import TestingConfig
from ledger.context import Context
from ledger.db import make_engine
from ledger.domain import limits
from ledger.domain.enums import Indicator
from ledger.io.imports import FUNDS, read_import
from ledger.migrate import rebuild, upgrade
from ledger.models import (
    AuditEntry, Balance, FundsReceipt, FundsRevision, FundsSourceMove, InvestmentReport, Posting,
)
from ledger.policy import Actor
from ledger.postings import chain, journal, verify
from ledger.queries.attribution import attribution

from benchmarks.floors import copy_table, floor as executemany_floor

RESULTS = Path(__file__).with_name("RESULTS.md")
CREDIT = "91640000710600058B"
ADMIN = Actor.system("bench")
STATISTICS = Actor(None, "bench-statistics", "statistics")
COMMERCE = Actor(None, "bench-commerce", "commerce")


@dataclass(frozen=True)
class Profile:
    regions: int
    projects: int
    agreements: int
    years: int
    single_reports: int = 200   # revisions sent one by one through the service
    # of each attribution measure (the median is reported), a request's worth of work: enough
    # calls for the steady state a server worker is in (psycopg prepares a statement from its
    # sixth execution)
    request_repeats: int = 25
    # verify and its floor, each called this many times in turn (the medians are reported)
    verify_repeats: int = 3


PROFILES = {
    "province": Profile(30, 2_000, 300, 3),
    "national": Profile(3_000, 50_000, 5_000, 2),
    # a smoke test of this script
    "tiny": Profile(12, 60, 9, 2, single_reports=20, request_repeats=3, verify_repeats=1),
}
TARGETS = {  # the targets: (measure, how it is judged)
    "bulk import": "≥ 1/3 of the floor's rows/s",
    "one report": "≤ 3× the floor (the issue sets it for HTTP through gunicorn)",
    "attribution, current year": "≤ 20 ms (national)",
    "attribution, as-of": "≤ 1.2× the floor",
    "verify": "≤ 2× the floor (national)",
}


# ------------------------------------------------------------------ the generator

def region_tree(n: int) -> list[RegionInput]:
    """n regions: provinces of about 100 regions each (one for n ≤ 100), each with about
    √(its size) prefectures and the rest counties spread over them. Codes PP0000, PPFF00,
    PPFFCC (not GB/T 2260: the ledger only needs a tree)."""
    provinces = max(1, n // 100)
    out: list[RegionInput] = []
    for p in range(provinces):
        size = n // provinces + (n % provinces if p == provinces - 1 else 0)
        pp = 11 + p
        out.append(RegionInput(code=f"{pp:02d}0000", name=f"省{pp}", level="province"))
        prefectures = max(1, int((size - 1) ** 0.5))
        for f in range(prefectures):
            out.append(RegionInput(code=f"{pp:02d}{f + 1:02d}00", name=f"市{pp}-{f + 1}",
                                   level="prefecture", parent_code=f"{pp:02d}0000"))
        for c in range(size - 1 - prefectures):
            f, k = c % prefectures, c // prefectures
            out.append(RegionInput(code=f"{pp:02d}{f + 1:02d}{k + 1:02d}",
                                   name=f"县{pp}-{f + 1}-{k + 1}", level="county",
                                   parent_code=f"{pp:02d}{f + 1:02d}00"))
    assert len(out) == n and len({r.code for r in out}) == n
    return out


def region_actor(code: str) -> Actor:
    """A region's user, without a stored password (the journal records the username)."""
    return Actor(None, f"bench-{code}", "region", code)


@dataclass
class World:
    projects: list[tuple[int, str]]     # (id, host code)
    agreements: int
    first_year: int
    years: list[int]


def generate(session, profile: Profile, seed: int, today: date) -> World:
    """Regions, a zone per county, landed projects spread over the counties (started on the
    first day of the first year), and filed agreements on every (projects/agreements)-th
    project naming a county of another prefecture as the recommender."""
    rng = random.Random(seed)
    admin = Context(session, ADMIN)
    regions = region_tree(profile.regions)
    for r in regions:
        reference.create_region(admin, r)
    counties = [r for r in regions if r.level == "county"]
    zones = {}
    for r in counties:
        zones[r.code] = reference.create_zone(admin, ZoneInput(
            name=f"园区{r.code}", level="provincial", kind="industrial", region_code=r.code,
            blocks=[], leading_industries=["C26"], restricted_industries=[])).id
    years = list(range(today.year - profile.years, today.year))
    first_year = years[0]
    start = date(first_year, 1, 1)
    every = max(1, profile.projects // max(1, profile.agreements))
    out: list[tuple[int, str]] = []
    filed = 0
    for i in range(profile.projects):
        host = counties[rng.randrange(len(counties))].code
        ctx = Context(session, region_actor(host))
        p = projects.create_project(ctx, ProjectInput(
            name=f"项目{i}", investor_name="某公司", investor_credit_code=CREDIT,
            industry_code="C2614", planned_investment=rng.randrange(10**6, 10**9),
            zone_id=zones[host], signed_on=start))
        projects.change_stage(ctx, p.id, StageChange("under_construction", start))
        out.append((p.id, host))
        if i % every == 0 and filed < profile.agreements:
            recommender = rng.choice([c.code for c in counties if c.code[:4] != host[:4]]
                                     or [c.code for c in counties if c.code != host])
            terms = TermsInput(recommender_share=rng.randrange(500, 5001), first_year=first_year,
                               last_year=None, signed_on=start, recommender_signatory="甲",
                               receiver_signatory="乙", reason="基准")
            a = agreements.create_agreement(ctx, AgreementInput(p.id, recommender, terms))
            rec = Context(session, region_actor(recommender))
            for c, action in ((rec, agreements.confirm), (rec, agreements.submit),
                              (Context(session, STATISTICS), agreements.acknowledge),
                              (Context(session, COMMERCE), agreements.acknowledge)):
                a = action(c, a.id, a.row_version)
            filed += 1
    return World(out, filed, first_year, years)


def report_files(world: World, seed: int) -> list[bytes]:
    """Every month of every year of every project, as CSV files of at most IMPORT_ROWS rows
    (a project-year never split), amounts seeded."""
    rng = random.Random(seed + 1)
    files, lines = [], []
    for year in world.years:
        for pid, _ in world.projects:
            if len(lines) + 12 > limits.IMPORT_ROWS:
                files.append(_csv(lines))
                lines = []
            for m in range(1, 13):
                lines.append(f"{pid},{year}-{m:02d},{rng.randrange(0, 10**7)}.{rng.randrange(100):02d},")
    if lines:
        files.append(_csv(lines))
    return files


def _csv(lines: list[str], header: str = "项目ID,期间,完成投资(万元),备注") -> bytes:
    return (header + "\r\n" + "\r\n".join(lines) + "\r\n").encode()


RECEIPTS = 3  # receipts of funds in place per project and year
FUNDS_HEADER = "项目ID,到账日期,到位资金(万元),资金来源,出资方,备注"


def funds_files(world: World, seed: int) -> list[bytes]:
    """RECEIPTS receipts of funds in place per project and year, on seeded days, amounts and
    sources (four in five 境内区外), as CSV files of at most IMPORT_ROWS rows."""
    rng = random.Random(seed + 3)
    files, lines = [], []
    for year in world.years:
        for pid, _ in world.projects:
            if len(lines) + RECEIPTS > limits.IMPORT_ROWS:
                files.append(_csv(lines, FUNDS_HEADER))
                lines = []
            for _ in range(RECEIPTS):
                day = date(year, rng.randrange(1, 13), rng.randrange(1, 29))
                source = "境内区外" if rng.random() < 0.8 else "境外"
                lines.append(f"{pid},{day.isoformat()},{rng.randrange(1, 10**6)}."
                             f"{rng.randrange(100):02d},{source},某出资方,")
    if lines:
        files.append(_csv(lines, FUNDS_HEADER))
    return files


# ------------------------------------------------------------------ the measures and their floors

def single_report_floor(engine: sa.Engine, n: int) -> float:
    """Mean seconds of a raw transaction inserting what one report writes — its report row,
    two postings, one journal row — into copies of the tables with their indexes."""
    tables = [InvestmentReport.__table__, Posting.__table__, AuditEntry.__table__]
    with engine.connect() as conn:
        samples = {t.name: dict(conn.execute(sa.select(t).limit(1)).one()._mapping) for t in tables}
    metadata = sa.MetaData()
    copies = [copy_table(t, metadata, "floor1_") for t in tables]
    metadata.create_all(engine)
    try:
        t0 = time.perf_counter()
        for i in range(n):
            with engine.begin() as conn:
                for original, copy in zip(tables, copies):
                    row = dict(samples[original.name])
                    key = list(original.primary_key.columns)[0].name
                    row[key] = i + 1
                    if "hash" in row:
                        row["hash"] = hashlib.sha256(f"{original.name}{i}".encode()).hexdigest()
                    if original.name == "investment_reports":
                        row["revision"] = 1000 + i
                    rows = [row] if original.name != "postings" else [
                        row, dict(row, seq=n + i + 1, hash=hashlib.sha256(f"p{i}".encode()).hexdigest())]
                    conn.execute(copy.insert(), rows)
        return (time.perf_counter() - t0) / n
    finally:
        metadata.drop_all(engine)


def attribution_floor(session, year: int, as_of: datetime | None,
                      indicator: str = Indicator.COMPLETED_INVESTMENT) -> list[list]:
    """The regions, and the year's postings of one line grouped by host, region and role as
    region_totals reads them as of a moment, by hand; on funds in place also the split by
    source, which the postings do not carry: the year's source moves grouped by host and
    source as of the same moment (the rows that hold it, read once). For the current year
    (which region_totals reads from the running balances) the same scans without the cut:
    what the balances save. The rows read, per statement."""
    cut = "" if as_of is None else " AND recorded_at <= :as_of"
    params = {"year": year, "line": indicator} | (
        {} if as_of is None else {"as_of": as_of.replace(tzinfo=None)})
    statements = ["SELECT code, name, level, parent_code FROM regions",
                  "SELECT host_code, region_code, role, sum(amount) FROM postings "
                  "WHERE year = :year AND indicator = :line" + cut +
                  " GROUP BY host_code, region_code, role"]
    if indicator == Indicator.FUNDS_IN_PLACE:
        statements.append("SELECT host_code, source, sum(amount) FROM funds_source_moves "
                          "WHERE year = :year" + cut + " GROUP BY host_code, source")
    return [session.execute(sa.text(sql), params).all() for sql in statements]


def funds_floor(engine: sa.Engine) -> float:
    """Seconds to insert, in one executemany transaction, what the funds import wrote — its
    receipts, their revisions, the source moves, the funds line's balances, its postings and
    journal entries — into copies of the tables with their indexes."""
    tables = [(FundsReceipt.__table__, None), (FundsRevision.__table__, None),
              (FundsSourceMove.__table__, None),
              (Balance.__table__, Balance.indicator == Indicator.FUNDS_IN_PLACE),
              (Posting.__table__, Posting.indicator == Indicator.FUNDS_IN_PLACE),
              (AuditEntry.__table__, AuditEntry.action == "funds.record")]
    with engine.connect() as conn:
        rows = {t.name: [dict(r._mapping) for r in conn.execute(
            sa.select(t) if where is None else sa.select(t).where(where))] for t, where in tables}
    metadata = sa.MetaData()
    copies = [copy_table(t, metadata, "floorf_") for t, _ in tables]
    metadata.create_all(engine)
    try:
        t0 = time.perf_counter()
        with engine.begin() as conn:
            for (original, _), copy in zip(tables, copies):
                conn.execute(copy.insert(), rows[original.name])
        return time.perf_counter() - t0
    finally:
        metadata.drop_all(engine)


def chain_floor(engine: sa.Engine) -> int:
    """SHA-256 over every posting and journal row in one streaming pass, by hand: the rows
    fetched and encoded as their chains define, each hash over its predecessor's. Rows become
    named tuples, as verify reads them (a field by name costs a Row some 20 times more)."""
    count = 0
    with engine.connect() as conn:
        for table, order, encode in ((Posting.__table__, Posting.seq, chain.canonical_encoding),
                                     (AuditEntry.__table__, AuditEntry.id, journal.encoding)):
            prev = chain.GENESIS_HASH
            result = conn.execute(sa.select(table).order_by(order)
                                  .execution_options(stream_results=True, yield_per=5000))
            for row in map(namedtuple("Record", result.keys())._make, result):
                prev = hashlib.sha256(prev.encode() + encode(row)).hexdigest()
                count += 1
    return count


def catch_up_autovacuum(engine: sa.Engine) -> str:
    """On a PostgreSQL server whose autovacuum is off (this machine's), VACUUM ANALYZE once
    after the import, as autovacuum would have by then: without it every upsert of a running
    balance leaves a dead row version the reads step over, and no table has statistics."""
    if engine.dialect.name != "postgresql":
        return "(SQLite)"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if conn.exec_driver_sql("SHOW autovacuum").scalar() == "on":
            return "on"
        t0 = time.perf_counter()
        conn.exec_driver_sql("VACUUM ANALYZE")
        return f"off: VACUUM ANALYZE after the import ({time.perf_counter() - t0:.1f} s)"


def database_bytes(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            return conn.scalar(sa.text("SELECT pg_database_size(current_database())"))
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        used = conn.exec_driver_sql("PRAGMA page_count").scalar() - \
            conn.exec_driver_sql("PRAGMA freelist_count").scalar()
        return used * conn.exec_driver_sql("PRAGMA page_size").scalar()


class SetupCache:
    """The generated ledger before any report (regions, zones, projects, filed agreements),
    kept between runs: the national setup goes through the services one command at a time and
    takes longer than everything it precedes. A copy is keyed by profile, seed and the year the
    generator counted from (a new year builds afresh; `--fresh` ignores the cache) and migrated
    to the current head when restored. SQLite keeps a file in `directory`; PostgreSQL a
    database beside the benchmark's, copied with CREATE DATABASE … TEMPLATE."""

    def __init__(self, directory: Path, profile_name: str, seed: int, today: date):
        self.key = f"{profile_name}-seed{seed}-{today.year}"
        self.world_file = directory / f"{self.key}.json"
        self.sqlite_file = directory / f"{self.key}.sqlite3"

    def _admin(self, url: str) -> tuple[sa.Engine, str, str]:
        """An AUTOCOMMIT engine on the server's `postgres` database, the benchmark database's
        name and its cache's name."""
        u = sa.make_url(url)
        return (sa.create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT"),
                u.database, f"{u.database}_setup_{self.key.replace('-', '_')}".lower()[:63])

    def restore(self, url: str) -> tuple[World, float] | None:
        """Put the cached ledger in the benchmark database; (world, setup seconds) or None."""
        if not self.world_file.exists():
            return None
        if url.startswith("sqlite"):
            if not self.sqlite_file.exists():
                return None
            target = Path(sa.make_url(url).database)
            for stale in (target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
                stale.unlink(missing_ok=True)
            shutil.copyfile(self.sqlite_file, target)
        else:
            admin, name, cached = self._admin(url)
            with admin.connect() as conn:
                if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                   {"n": cached}):
                    return None
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{cached}"')
            admin.dispose()
        engine = make_engine(url)
        upgrade(engine)  # a ledger kept before the newest migrations
        engine.dispose()
        saved = json.loads(self.world_file.read_text())
        world = World(**saved["world"])
        world.projects = [tuple(p) for p in world.projects]
        return world, saved["setup s"][engine.dialect.name]

    def save(self, url: str, engine: sa.Engine, world: World, seconds: float) -> None:
        engine.dispose()  # a template database must have no other connection
        self.world_file.parent.mkdir(parents=True, exist_ok=True)
        if url.startswith("sqlite"):
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            engine.dispose()
            shutil.copyfile(sa.make_url(url).database, self.sqlite_file)
        else:
            admin, name, cached = self._admin(url)
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{cached}"')
                conn.exec_driver_sql(f'CREATE DATABASE "{cached}" TEMPLATE "{name}"')
            admin.dispose()
        # the same world on every database (the same seed); the setup time of each
        saved = json.loads(self.world_file.read_text()) if self.world_file.exists() else {}
        seconds = saved.get("setup s", {}) | {engine.dialect.name: seconds}
        self.world_file.write_text(json.dumps({"world": asdict(world), "setup s": seconds}))


def one_report(out: dict, engine: sa.Engine, profile: Profile, world: World, seed: int,
               year: int) -> None:
    """One report through the service, revisions of months of the newest year one by one,
    beside its floor (in an app context)."""
    rng = random.Random(seed + 2)
    picks = [(rng.choice(world.projects), rng.randrange(1, 13))
             for _ in range(profile.single_reports)]
    t0 = time.perf_counter()
    for (pid, host), month in picks:
        report_investment(current.context(region_actor(host)),
                          ReportInput(pid, f"{year}-{month:02d}", rng.randrange(10**7)))
    out["one report ms"] = 1000 * (time.perf_counter() - t0) / len(picks)
    current.session().close()
    out["one report floor ms"] = 1000 * single_report_floor(engine, profile.single_reports)


def run(url: str, profile: Profile, seed: int, cache: SetupCache | None = None,
        setup_only: bool = False, only: str | None = None) -> dict:
    """Every measure on the database at `url`, a disposable one: the generated ledger restored
    from `cache`, or else emptied, migrated and generated; with `setup_only`, only the
    generated ledger (into `cache`); with only="attribution", the imports (the ledger the
    attribution reads) and the attribution measures, without the other floors and measures."""
    restored = cache.restore(url) if cache else None
    if not restored:
        engine = make_engine(url)
        rebuild(engine)
        engine.dispose()
    app = create_app(TestingConfig, DATABASE_URL=url)
    engine = app.extensions["ledger.engine"]
    out: dict = {}
    with app.app_context():
        session = current.session()
        if restored:
            world, seconds = restored
            out["setup s"] = f"{seconds:,.1f} (an earlier run; restored from --setup-cache)"
        else:
            t0 = time.perf_counter()
            world = generate(session, profile, seed, current.context(ADMIN).today())
            out["setup s"] = time.perf_counter() - t0
            session.close()
            if cache:
                cache.save(url, engine, world, out["setup s"])
        if setup_only:
            return out
        files = report_files(world, seed)
        stat = current.context(STATISTICS)

        # bulk import
        rows = postings_written = 0
        per_file = []
        for n, data in enumerate(files):
            t0 = time.perf_counter()
            summary = import_reports(stat, read_import(data, f"bench-{n}.csv"))
            per_file.append(time.perf_counter() - t0)
            rows += summary.rows
            postings_written += summary.postings
        out["import s"] = sum(per_file)
        # whether a file costs more as the ledger grows: the first, the median and the last
        out["import s per file"] = " / ".join(
            f"{s:.2f}" for s in (per_file[0], statistics.median(per_file), per_file[-1]))
        out["reports"], out["postings"] = rows, postings_written
        session.close()
        # the size before the floors create (and drop) their copies of the tables
        out["MB per million reports"] = database_bytes(engine) / 2**20 / rows * 10**6
        if only is None:
            out["import floor s"] = executemany_floor(engine, repeats=1)

        # bulk import of funds in place, beside its executemany floor
        receipts = 0
        t0 = time.perf_counter()
        for n, data in enumerate(funds_files(world, seed)):
            receipts += import_funds(stat, read_import(data, f"funds-{n}.csv", FUNDS)).rows
        out["funds import s"] = time.perf_counter() - t0
        out["receipts"] = receipts
        session.close()
        if only is None:
            out["funds import floor s"] = funds_floor(engine)
        out["autovacuum"] = catch_up_autovacuum(engine)
        year = world.years[-1]
        if only is None:
            one_report(out, engine, profile, world, seed, year)
        session.close()

        # attribution of each line, current and as-of (the moment its bulk import ended), each
        # a request's worth of calls: both the attribution's statements and the floor's are
        # prepared by psycopg from their sixth execution, as in a server worker
        for line, prefix, cause in ((Indicator.COMPLETED_INVESTMENT, "attribution", "reports:%"),
                                    (Indicator.FUNDS_IN_PLACE, "funds attribution", "funds:%")):
            as_of = session.scalar(sa.select(sa.func.max(Posting.recorded_at))
                                   .where(Posting.cause.like(cause)))
            session.close()
            for label, moment in (("current", None), ("as-of", as_of)):
                s, f = interleaved(lambda: attribution(stat, year, moment, indicator=line),
                                   lambda: attribution_floor(session, year, moment, line),
                                   profile.request_repeats, session.close)
                out[f"{prefix} {label} ms"], out[f"{prefix} {label} floor ms"] = 1000 * s, 1000 * f
        if only == "attribution":
            engine.dispose()
            return out

        # verify, in turn with its floor (A B A B: the machine's drift moves both)
        results = []
        out["verify s"], out["verify floor s"] = interleaved(
            lambda: results.append(verify(session)), lambda: chain_floor(engine),
            profile.verify_repeats, session.close)
        failed = [r for r in results if not r.ok]
        assert not failed, failed[0].problems[:5]
        out["journal entries"] = results[0].journal_entries
        out["years"] = f"{world.years[0]}–{world.years[-1]}"
        out["agreements"] = world.agreements
    engine.dispose()
    return out


# ------------------------------------------------------------------ the table

def interleaved(measure, floor, repeats: int, between) -> tuple[float, float]:
    """Median seconds of `measure` and of `floor`, called in turn `repeats` times each (A B A
    B: a drift of the machine's speed moves both), `between` after each call."""
    a, b = [], []
    for _ in range(repeats):
        for fn, times in ((measure, a), (floor, b)):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
            between()
    return statistics.median(a), statistics.median(b)


def table(profile_name: str, results: dict[str, dict]) -> list[str]:
    names = list(results)
    lines = [f"| measure | {' | '.join(names)} | floor ({' | '.join(names)}) | ratio ({' | '.join(names)}) | target |",
             "|---|" + "---:|" * (3 * len(names)) + "---|"]

    def row(label, key, floor_key, fmt, ratio_of, target):
        if any(floor_key not in r for r in results.values()):
            return  # not measured (--only)
        vals = [fmt(r[key]) for r in results.values()]
        floors = [fmt(r[floor_key]) for r in results.values()]
        ratios = [f"{ratio_of(r[key], r[floor_key]):.2f}×" for r in results.values()]
        lines.append(f"| {label} | {' | '.join(vals)} | {' | '.join(floors)} | "
                     f"{' | '.join(ratios)} | {target} |")

    for r in results.values():
        r["import rows/s"] = r["reports"] / r["import s"]
        if "import floor s" in r:
            r["import floor rows/s"] = r["reports"] / r["import floor s"]
    row("bulk import, reports/s", "import rows/s", "import floor rows/s", lambda v: f"{v:,.0f}",
        lambda v, f: f / v, TARGETS["bulk import"] + " (ratio floor/import ≤ 3)")
    for r in results.values():
        r["funds import rows/s"] = r["receipts"] / r["funds import s"]
        if "funds import floor s" in r:
            r["funds import floor rows/s"] = r["receipts"] / r["funds import floor s"]
    row("bulk import of funds in place, receipts/s", "funds import rows/s",
        "funds import floor rows/s", lambda v: f"{v:,.0f}", lambda v, f: f / v,
        TARGETS["bulk import"] + " (ratio floor/import ≤ 3)")
    row("one report, ms", "one report ms", "one report floor ms", lambda v: f"{v:.2f}",
        lambda v, f: v / f, TARGETS["one report"])
    row("attribution current year, ms", "attribution current ms", "attribution current floor ms",
        lambda v: f"{v:.1f}", lambda v, f: v / f, TARGETS["attribution, current year"])
    row("attribution as-of, ms", "attribution as-of ms", "attribution as-of floor ms",
        lambda v: f"{v:.1f}", lambda v, f: v / f, TARGETS["attribution, as-of"])
    row("funds in place: attribution current year, ms", "funds attribution current ms",
        "funds attribution current floor ms", lambda v: f"{v:.1f}", lambda v, f: v / f,
        TARGETS["attribution, current year"])
    row("funds in place: attribution as-of, ms", "funds attribution as-of ms",
        "funds attribution as-of floor ms", lambda v: f"{v:.1f}", lambda v, f: v / f,
        TARGETS["attribution, as-of"])
    row("verify, s", "verify s", "verify floor s", lambda v: f"{v:.2f}", lambda v, f: v / f,
        TARGETS["verify"])
    for label, key in (("reports", "reports"), ("funds receipts", "receipts"),
                       ("postings", "postings"),
                       ("journal entries", "journal entries"), ("filed agreements", "agreements"),
                       ("years", "years"), ("setup (regions, projects, agreements), s", "setup s"),
                       ("import, s", "import s"), ("import floor, s", "import floor s"),
                       ("import s per file (first / median / last)", "import s per file"),
                       ("autovacuum", "autovacuum"),
                       ("database MB per million reports", "MB per million reports")):
        if any(key not in r for r in results.values()):
            continue
        vals = [f"{r[key]:,.1f}" if isinstance(r[key], float) else f"{r[key]:,}" if isinstance(r[key], int)
                else str(r[key]) for r in results.values()]
        lines.append(f"| {label} | {' | '.join(vals)} |" + " |" * (2 * len(names) + 1))
    return lines


def write_results(profile_name: str, profile: Profile, seed: int, lines: list[str],
                  command: str) -> None:
    """Replace the profile's section of RESULTS.md (or append it)."""
    write_section(RESULTS, profile_name, f"{profile_name}: {profile.regions:,} regions, "
                  f"{profile.projects:,} projects, {profile.agreements:,} agreements, "
                  f"{profile.years} years (seed {seed})",
                  ["Database: " + profile_name.partition(", ")[2] + ".", "", *lines], command)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("profile", choices=sorted(PROFILES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true",
                        help="only LEDGER_BENCH_POSTGRES_URL (its own section of RESULTS.md)")
    parser.add_argument("--setup-cache", type=Path, default=Path("var/bench-setup"),
                        help="where the generated ledger is kept between runs (default: %(default)s)")
    parser.add_argument("--fresh", action="store_true", help="generate the ledger, ignore the cache")
    parser.add_argument("--only", choices=["attribution"],
                        help="only the imports and the attribution measures (printed, RESULTS.md "
                             "not updated)")
    parser.add_argument("--setup-only", action="store_true",
                        help="only generate the ledger into --setup-cache (no measures, no RESULTS.md)")
    args = parser.parse_args()
    if args.setup_only and args.fresh:
        parser.error("--setup-only fills the cache: it cannot be combined with --fresh")
    profile = PROFILES[args.profile]
    cache = None if args.fresh else SetupCache(args.setup_cache, args.profile, args.seed,
                                               datetime.now(UTC).date())
    results: dict[str, dict] = {}
    pg = os.environ.get("LEDGER_BENCH_POSTGRES_URL")
    if args.postgres_only and not pg:
        parser.error("--postgres-only needs LEDGER_BENCH_POSTGRES_URL")
    if not args.postgres_only:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            results["SQLite"] = run(url, profile, args.seed, cache, args.setup_only, args.only)
    if pg and not args.sqlite_only:
        results["PostgreSQL"] = run(pg, profile, args.seed, cache, args.setup_only, args.only)
    if args.setup_only:
        for db, r in results.items():
            took = r["setup s"] if isinstance(r["setup s"], str) else f"generated in {r['setup s']:.1f} s"
            print(f"{db}: setup kept in {args.setup_cache} ({took})")
        return
    lines = table(args.profile, results)
    print("\n".join(lines))
    if not (args.no_write or args.only):
        write_results(f"{args.profile}, {' and '.join(results)}", profile, args.seed, lines, " ".join(
            (["LEDGER_BENCH_POSTGRES_URL=…"] if pg and not args.sqlite_only else [])
            + ["python -m benchmarks.scale", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
