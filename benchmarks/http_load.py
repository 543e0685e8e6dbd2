"""The ledger over HTTP, through gunicorn (issue 10, targets "HTTP under load" and "one report
over HTTP"):

  load          N concurrent keep-alive clients (threads) for S seconds mixing
                GET /api/v1/attribution?year=Y, GET /api/v1/agreements/{id} and
                PUT /api/v1/projects/{id}/investments/{period} (the host region's user, a month
                of the current year): requests/s, p50 and p99 per kind and overall; errors
                (status ≥ 500 or a failed connection) and unexpected 4xx counted apart
  one report    the median of sequential PUTs by one client through gunicorn   vs the raw
                per-report transaction floor of benchmarks.scale, in the same run on the same
                database (target: ≤ 3×)
  fair floor    (issue 20) the PUT, the GET of attribution (a past year as of now, and the
                current year) and a repeat download of a filing form, each sent in turn with
                the same kind of request to benchmarks/floor_app.py — a minimal Flask app under
                the same gunicorn command line, up at the same time, doing only what the
                request cannot avoid (see its docstring) — A B A B, --pairs of each: median
                wall ratios and the ratios of the workers' CPU (/proc's schedstat, in ns)
                (targets: PUT ≤ 1.5×, GET attribution ≤ 1.2×)

The ledger is the seeded `tiny` profile of benchmarks.scale (12 regions, 60 projects,
9 filed agreements, 2 years of monthly reports through the bulk import path), on a SQLite file
in a temporary directory or on LEDGER_BENCH_POSTGRES_URL (a disposable database: rebuilt).
gunicorn runs `wsgi:app` with production settings (a fresh secret and signing key, the login
counters in Redis under a key prefix of this run) on a free port and is stopped at the end.

    make bench-http
    .venv/bin/python -m benchmarks.http_load [--seconds 60] [--clients 50] [--workers 4]
        [--database sqlite|postgres] [--pairs 200] [--seed 1] [--no-write] [--pairs-only]

The figures go to stdout as one table and into benchmarks/RESULTS.md (section `http, DB`).
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
import sqlalchemy as sa

from ledger import create_app, current, signing
from ledger.commands.imports import import_reports
from ledger.commands.inputs import ReportInput
from ledger.commands.reports import report_investment
from ledger.commands.users import actor_of, create_user, issue_token
from ledger.config import TestingConfig
from ledger.db import make_engine
from ledger.io.imports import read_import
from ledger.migrate import rebuild, upgrade
from ledger.models import Agreement
from ledger.policy import Actor
from ledger.schemas.requests import UserCreate, load

from benchmarks import floor_app
from benchmarks.scale import (
    ADMIN, PROFILES, generate, region_actor, report_files, single_report_floor, write_results,
)

ROOT = Path(__file__).resolve().parent.parent
PROFILE = "tiny"
MIX = (("attribution", 2), ("agreement", 4), ("put", 4))   # kind, weight (of 10)
KINDS = [k for k, _ in MIX]
PASSWORD = "bench-http-" + "x" * 12


# ------------------------------------------------------------------ the ledger and its users

@dataclass
class Prepared:
    url: str
    year: int                               # the current year (PUTs)
    attribution_years: list[int]
    puts: dict[str, list[int]]              # host code → its projects
    tokens: dict[str, str]                  # host code → bearer token of its region user
    agreements: dict[str, list[int]]        # host code → agreements of its projects
    statistics_token: str
    all_agreements: list[int]
    months: int                             # months 1..months of the current year are open


def prepare(url: str, seed: int) -> Prepared:
    profile = PROFILES[PROFILE]
    app = create_app(TestingConfig, DATABASE_URL=url)
    engine = app.extensions["ledger.engine"]
    with app.app_context():
        session = current.session()
        admin = current.context(ADMIN)
        today = admin.today()
        world = generate(session, profile, seed, today)
        for n, data in enumerate(report_files(world, seed)):
            import_reports(current.context(Actor(None, "bench-statistics", "statistics")),
                           read_import(data, f"bench-{n}.csv"))
        hosts = sorted({h for _, h in world.projects})
        puts = {h: [p for p, hh in world.projects if hh == h] for h in hosts}
        tokens: dict[str, str] = {}
        for h in hosts:
            user = create_user(admin, load(UserCreate, {
                "username": f"load-{h}", "password": PASSWORD, "role": "region", "region_code": h}))
            tokens[h], _ = issue_token(current.context(actor_of(user)))
        stat = create_user(admin, load(UserCreate, {
            "username": "load-statistics", "password": PASSWORD, "role": "statistics"}))
        statistics_token, _ = issue_token(current.context(actor_of(stat)))
        host_of = dict(world.projects)
        agreements: dict[str, list[int]] = {h: [] for h in hosts}
        all_agreements = []
        for aid, pid in session.execute(sa.select(Agreement.id, Agreement.project_id)):
            agreements[host_of[pid]].append(aid)
            all_agreements.append(aid)
        session.close()
    engine.dispose()
    return Prepared(url, today.year, world.years, puts, tokens, agreements, statistics_token,
                    all_agreements, today.month)


# ------------------------------------------------------------------ gunicorn

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, workers: int, tmp: Path, app: str = "wsgi:app"
                   ) -> tuple[subprocess.Popen, str]:
    """gunicorn serving `app` (the ledger, or the floor app under the same command line)."""
    key = tmp / "signing-key.pem"
    if not key.exists():
        signing.create_key(key)
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT), LEDGER_DATABASE_URL=url,
               LEDGER_SECRET_KEY=secrets.token_urlsafe(48), LEDGER_SIGNING_KEY_FILE=str(key),
               LEDGER_RATELIMIT_STORAGE_URL=os.environ.get("LEDGER_RATELIMIT_STORAGE_URL",
                                                           "redis://127.0.0.1:6379/0"),
               LEDGER_RATELIMIT_KEY_PREFIX=f"bench-http-{os.getpid()}-{secrets.token_hex(4)}",
               # the paired downloads are hundreds a minute by one user
               LEDGER_DOCUMENT_RATE_LIMIT="100000 per minute")
    log_file = tmp / f"gunicorn-{app.partition(':')[0]}.log"
    with open(log_file, "wb") as log:   # the child keeps its own descriptor
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--preload", "--workers", str(workers), "--bind",
             f"127.0.0.1:{port}", "--backlog", "2048", "--log-level", "warning", app],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited {proc.returncode}: "
                                   + log_file.read_text(errors="replace")[-2000:])
            try:
                if requests.get(base + "/healthz", timeout=10).status_code == 200:
                    return proc, base
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz within 120 s")
    except BaseException:
        stop_gunicorn(proc)
        raise


def stop_gunicorn(proc: subprocess.Popen) -> None:
    """SIGTERM to the arbiter (it stops its workers), SIGKILL to the group if it lingers."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# ------------------------------------------------------------------ the clients

@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    errors: dict[str, int] = field(default_factory=lambda: {k: 0 for k in KINDS})
    unexpected: dict[str, int] = field(default_factory=lambda: {k: 0 for k in KINDS})
    samples: list[str] = field(default_factory=list)


def amount(rng: random.Random) -> str:
    return f"{rng.randrange(0, 10**6)}.{rng.randrange(100):02d}"


def request(http: requests.Session, base: str, kind: str, p: Prepared, host: str,
            rng: random.Random) -> requests.Response:
    auth = {"Authorization": f"Bearer {p.tokens[host]}"}
    if kind == "attribution":
        year = rng.choice(p.attribution_years + [p.year])
        return http.get(f"{base}/api/v1/attribution", params={"year": year}, headers=auth)
    if kind == "agreement":
        own = p.agreements[host]
        if own:
            return http.get(f"{base}/api/v1/agreements/{rng.choice(own)}", headers=auth)
        return http.get(f"{base}/api/v1/agreements/{rng.choice(p.all_agreements)}",
                        headers={"Authorization": f"Bearer {p.statistics_token}"})
    pid = rng.choice(p.puts[host])
    period = f"{p.year}-{rng.randrange(1, p.months + 1):02d}"
    return http.put(f"{base}/api/v1/projects/{pid}/investments/{period}", headers=auth,
                    json={"amount": amount(rng), "note": "load"})


def client(n: int, base: str, p: Prepared, stop_at: float, tally: Tally, lock: threading.Lock,
           seed: int) -> None:
    rng = random.Random(seed * 1000 + n)
    hosts = sorted(p.tokens)
    host = hosts[n % len(hosts)]
    kinds = [k for k, w in MIX for _ in range(w)]
    lat = {k: [] for k in KINDS}
    err = {k: 0 for k in KINDS}
    bad = {k: 0 for k in KINDS}
    samples = []
    with requests.Session() as http:
        while time.monotonic() < stop_at:
            kind = rng.choice(kinds)
            t0 = time.perf_counter()
            try:
                r = request(http, base, kind, p, host, rng)
                status = r.status_code
            except requests.RequestException as e:
                status, r = None, e
            dt = time.perf_counter() - t0
            if status is None or status >= 500:
                err[kind] += 1
                samples.append(f"{kind}: {status or r}"[:300])
            elif status >= 400:
                bad[kind] += 1
                samples.append(f"{kind}: {status} {r.text[:200]}")
            else:
                lat[kind].append(dt)
    with lock:
        for k in KINDS:
            tally.latencies[k] += lat[k]
            tally.errors[k] += err[k]
            tally.unexpected[k] += bad[k]
        tally.samples += samples[:5]


def load_run(base: str, p: Prepared, clients: int, seconds: float, seed: int) -> tuple[Tally, float]:
    tally, lock = Tally(), threading.Lock()
    stop_at = time.monotonic() + seconds
    t0 = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n, base, p, stop_at, tally, lock, seed))
               for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally, time.perf_counter() - t0


def sequential_puts(base: str, p: Prepared, n: int, seed: int) -> list[float]:
    """n PUTs one after the other by one keep-alive client (after 10 unmeasured ones)."""
    rng = random.Random(seed + 7)
    host = min(p.tokens)
    out = []
    with requests.Session() as http:
        for i in range(n + 10):
            t0 = time.perf_counter()
            r = request(http, base, "put", p, host, rng)
            dt = time.perf_counter() - t0
            if r.status_code != 200:
                raise RuntimeError(f"sequential PUT answered {r.status_code}: {r.text[:300]}")
            if i >= 10:
                out.append(dt)
    return out


# answered 404 (JSON) by the API without the database: the part of a PUT that is HTTP,
# gunicorn and Flask (a missing static file would also render the HTML error page)
NO_DATABASE = "/api/v1/none"


def sequential_plain(base: str, n: int) -> list[float]:
    """n GETs of NO_DATABASE one after the other by one keep-alive client: the HTTP, gunicorn
    and Flask part of a request, without the database."""
    out = []
    with requests.Session() as http:
        for i in range(n + 10):
            t0 = time.perf_counter()
            r = http.get(base + NO_DATABASE)
            if r.status_code != 404:
                raise RuntimeError(f"{NO_DATABASE} answered {r.status_code}")
            if i >= 10:
                out.append(time.perf_counter() - t0)
    return out


def in_process(p: Prepared, n: int, seed: int) -> float:
    """Median seconds of n reports through the service in this process (no HTTP): the same
    kind of PUT as sequential_puts, as benchmarks.scale measures `one report`."""
    rng = random.Random(seed + 8)
    host = min(p.tokens)
    app = create_app(TestingConfig, DATABASE_URL=p.url)
    times = []
    with app.app_context():
        session = current.session()
        for _ in range(n):
            period = f"{p.year}-{rng.randrange(1, p.months + 1):02d}"
            inp = ReportInput(rng.choice(p.puts[host]), period, rng.randrange(10**8))
            t0 = time.perf_counter()
            report_investment(current.context(region_actor(host)), inp)
            times.append(time.perf_counter() - t0)
        session.close()
    app.extensions["ledger.engine"].dispose()
    return statistics.median(times)


# ------------------------------------------------------------------ the fair floor, paired

def worker_cpu(proc: subprocess.Popen) -> float:
    """CPU seconds (user + system) used so far by the arbiter's workers, to the nanosecond:
    each task's time on a CPU from /proc/PID/task/TID/schedstat. (/proc/PID/stat counts in
    ticks of 10 ms: over a few hundred requests of a few ms, a worker's count moved by a tick
    either way, and the ratio by a tenth from one run to the next.)"""
    total = 0
    for pid in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split():
        for task in Path(f"/proc/{pid}/task").iterdir():
            total += int((task / "schedstat").read_text().split()[0])
    return total / 1e9


@dataclass
class Paired:
    """One kind of request to the ledger and to the floor app, sent in turn (A B A B) by one
    keep-alive client each: the seconds of each, and the workers' CPU seconds over them all."""

    label: str
    why: str                 # what the floor does, and why it is the fair one
    real: list[float]
    floor: list[float]
    real_cpu: float
    floor_cpu: float

    @property
    def wall_ratio(self) -> float:
        return statistics.median(self.real) / statistics.median(self.floor)

    @property
    def cpu_ratio(self) -> float:
        return self.real_cpu / self.floor_cpu if self.floor_cpu else float("nan")


WARM_PAIRS = 60  # unmeasured pairs before each kind's measured ones (paired)


def paired(label: str, why: str, servers, calls, n: int, warm: int = WARM_PAIRS) -> Paired:
    """`calls` (ledger, floor) each sent n times in turn after `warm` unmeasured pairs; the
    workers' CPU read from /proc before and after the n pairs (both servers serve only these
    requests meanwhile, so each server's CPU is that of its own n requests). `warm` is enough
    for every worker to have served a few: gunicorn's sync workers take the requests as they
    come, and after 10 some were still cold, their first requests (connecting, compiling the
    statements: about 20 ms each in the ledger) measured as if every request paid them."""
    for _ in range(warm):
        for call in calls:
            call()
    times: tuple[list[float], list[float]] = ([], [])
    cpu0 = [worker_cpu(proc) for proc in servers]
    for _ in range(n):
        for call, out in zip(calls, times):
            t0 = time.perf_counter()
            call()
            out.append(time.perf_counter() - t0)
    cpu = [worker_cpu(proc) - c for proc, c in zip(servers, cpu0)]
    return Paired(label, why, *times, *cpu)


def ok(response: requests.Response, what: str) -> requests.Response:
    if response.status_code != 200:
        raise RuntimeError(f"{what} answered {response.status_code}: {response.text[:300]}")
    return response


def against_floor(real, base: str, floor, floor_base: str, p: Prepared, n: int, seed: int
                  ) -> list[Paired]:
    """The PUT, the GET of attribution (a past year as of now, which scans; the current year,
    which reads the running balances) and a repeat download of a filing form, each paired with
    the floor app's request."""
    rng = random.Random(seed + 9)
    host = min(h for h in p.tokens if p.agreements[h])
    auth = {"Authorization": f"Bearer {p.tokens[host]}"}
    past = min(p.attribution_years)
    as_of = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    servers = (real, floor)
    out = []
    with requests.Session() as a, requests.Session() as b:
        out.append(paired(
            "PUT …/investments/{period}",
            "the bearer token's user read, then in that transaction the report row, two "
            "postings and a journal row inserted (the raw per-report floor of "
            "benchmarks.scale) and COMMIT",
            servers, (lambda: ok(request(a, base, "put", p, host, rng), "PUT"),
                      lambda: ok(b.put(floor_base + "/floor/report", headers=auth,
                                       json={"amount": amount(rng), "note": "load"}),
                                 "floor PUT")), n))
        for label, params, why in (
                (f"GET /attribution, past year {past} as of now", {"year": past, "as_of": as_of},
                 "the bearer token's user read (no API request is answered without it), then "
                 "in that transaction the regions and the year's postings grouped by host, "
                 "region and role, cut at as_of (the scan the as-of attribution is, "
                 "benchmarks.scale.attribution_floor), the rows sent back as JSON unformatted"),
                (f"GET /attribution, current year {p.year}", {"year": p.year},
                 "the token's user, then the same scan without the cut: what the running "
                 "balances save")):
            out.append(paired(
                label, why, servers,
                (lambda: ok(a.get(f"{base}/api/v1/attribution", params=params, headers=auth),
                            "GET attribution"),
                 lambda: ok(b.get(floor_base + "/floor/attribution", params=params,
                                  headers=auth),
                            "floor attribution")), n))
        agreement = p.agreements[host][0]
        url = f"{base}/api/v1/agreements/{agreement}/filing.pdf"
        first = ok(a.get(url, headers=auth), "first filing download")   # renders and keeps it
        document_id = first.headers["X-Document-Id"]

        def download():
            r = ok(a.get(url, headers=auth), "filing download")
            if r.headers["X-Document-Id"] != document_id or r.content != first.content:
                raise RuntimeError("a repeat download is not the first document's bytes")
        out.append(paired(
            "GET …/filing.pdf, a repeat download",
            "the token's user, the kept PDF's bytes read by id and the download's journal "
            "row, in one transaction: an issued document's bytes are fixed by its id and "
            "digest, and every download is journalled; rendering is the floor of a first "
            "download only",
            servers, (download, lambda: ok(b.get(f"{floor_base}/floor/document/{document_id}",
                                                 headers=auth),
                                           "floor document")), n))
    return out


def floor_lines(results: list[Paired], n: int) -> list[str]:
    lines = ["", f"Against the fair floor (benchmarks/floor_app.py: a minimal Flask app under the "
             f"same gunicorn command line, both servers up at once; the ledger's request and "
             f"the floor's sent in turn, A B A B, {n} pairs after {WARM_PAIRS} unmeasured; "
             f"wall: medians; CPU: the workers' time on a CPU over the {n}, from /proc's "
             f"schedstat):",
             "",
             "| request | ms | floor ms | wall ratio | CPU ms | floor CPU ms | CPU ratio | target "
             "| the floor |", "|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for r in results:
        limit = (1.5 if r.label.startswith("PUT") else
                 1.2 if r.label.startswith("GET /attribution") else None)
        target = ""
        if limit is not None:
            met = r.wall_ratio <= limit and r.cpu_ratio <= limit
            target = f"≤ {limit}× — " + ("met" if met else "missed")
        lines.append(
            f"| {r.label} | {1000 * statistics.median(r.real):.2f} "
            f"| {1000 * statistics.median(r.floor):.2f} | {r.wall_ratio:.2f}× "
            f"| {1000 * r.real_cpu / n:.2f} | {1000 * r.floor_cpu / n:.2f} | {r.cpu_ratio:.2f}× "
            f"| {target} | {r.why} |")
    return lines


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


# ------------------------------------------------------------------ one run

def run(url: str, args, tmp: Path) -> tuple[list[str], dict]:
    t0 = time.perf_counter()
    p = prepare(url, args.seed)
    setup = time.perf_counter() - t0
    engine = make_engine(url)
    floor_tables = sa.MetaData()
    floor_app.copies(floor_tables)
    floor_tables.create_all(engine)
    proc, base = start_gunicorn(url, args.workers, tmp)
    try:
        floor_proc, floor_base = start_gunicorn(url, args.workers, tmp, "benchmarks.floor_app:app")
        try:
            floors = against_floor(proc, base, floor_proc, floor_base, p, args.pairs, args.seed)
        finally:
            stop_gunicorn(floor_proc)
            floor_tables.drop_all(engine)
            engine.dispose()
        if args.pairs_only:
            return floor_lines(floors, args.pairs), {}
        loadavg = os.getloadavg()[0]
        cpu = time.process_time()
        tally, elapsed = load_run(base, p, args.clients, args.seconds, args.seed)
        cpu = time.process_time() - cpu
        seq = sequential_puts(base, p, args.sequential, args.seed)
        plain = statistics.median(sequential_plain(base, args.sequential))
    finally:
        stop_gunicorn(proc)
    service = in_process(p, args.sequential, args.seed)
    engine = make_engine(url)
    try:
        floor = single_report_floor(engine, args.sequential)
    finally:
        engine.dispose()

    lines = [f"gunicorn {args.workers} workers, {args.clients} keep-alive clients (threads, "
             f"`requests`) for {args.seconds:g} s; mix "
             + ", ".join(f"{k} {w}/10" for k, w in MIX) + f"; ledger `{PROFILE}` profile of "
             f"benchmarks.scale (seed {args.seed}; setup {setup:.1f} s). The clients run on the "
             f"same cores as the server: they used {cpu:.0f} s of CPU in {elapsed:.0f} s; load "
             f"average before the load {loadavg:.1f} (other work on the machine moves the figures).",
             "",
             "| kind | ok requests | req/s | p50 ms | p99 ms | errors (≥ 500, connection) "
             "| unexpected 4xx |", "|---|---:|---:|---:|---:|---:|---:|"]
    everything = []
    for k in KINDS:
        v = tally.latencies[k]
        everything += v
        lines.append(f"| {k} | {len(v):,} | {len(v) / elapsed:,.1f} | {1000 * percentile(v, .5):.1f} "
                     f"| {1000 * percentile(v, .99):.1f} | {tally.errors[k]} | {tally.unexpected[k]} |")
    errors, unexpected = sum(tally.errors.values()), sum(tally.unexpected.values())
    lines.append(f"| **all** | {len(everything):,} | {len(everything) / elapsed:,.1f} "
                 f"| {1000 * percentile(everything, .5):.1f} | {1000 * percentile(everything, .99):.1f} "
                 f"| {errors} | {unexpected} |")
    one = statistics.median(seq)
    ratio = one / floor
    lines += ["", "| one report over HTTP | figure | floor | ratio | target |", "|---|---:|---:|---:|---|",
              f"| sequential PUT through gunicorn, median of {len(seq)}, ms (p99 "
              f"{1000 * percentile(seq, .99):.2f}) | {1000 * one:.2f} | {1000 * floor:.3f} "
              f"| {ratio:.1f}× | ≤ 3× the raw per-report transaction "
              f"({'met' if ratio <= 3 else 'missed'}) |",
              f"| GET {NO_DATABASE} through gunicorn (404, no database), median of "
              f"{args.sequential}, ms | {1000 * plain:.2f} | | | the HTTP part of the PUT above |",
              f"| the same report through the service in one process (no HTTP), median of "
              f"{args.sequential}, ms | {1000 * service:.2f} | {1000 * floor:.3f} "
              f"| {service / floor:.1f}× | the service part of the PUT above |",
              "", f"HTTP under load: {errors} errors, {unexpected} unexpected 4xx "
              f"(target: zero errors — {'met' if errors == 0 else 'missed'})."]
    if tally.samples:
        lines += ["", "First failures:", "", *[f"- `{s}`" for s in tally.samples[:5]]]
    lines += floor_lines(floors, args.pairs)
    return lines, {"errors": errors, "unexpected": unexpected, "ratio": ratio}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--sequential", type=int, default=200,
                        help="sequential PUTs for the one-report figure (and rows of its floor)")
    parser.add_argument("--pairs", type=int, default=400,
                        help="requests of each kind paired with the floor app's")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    parser.add_argument("--pairs-only", action="store_true",
                        help="only the requests paired with the floor app (implies --no-write)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if args.database == "postgres":
            url = os.environ.get("LEDGER_BENCH_POSTGRES_URL")
            if not url:
                parser.error("--database postgres needs LEDGER_BENCH_POSTGRES_URL (a disposable database)")
            engine = make_engine(url)
            rebuild(engine)
            engine.dispose()
            name = "PostgreSQL"
        else:
            url = f"sqlite:///{tmp / 'bench.sqlite3'}"
            engine = make_engine(url)
            upgrade(engine)
            engine.dispose()
            name = "SQLite"
        lines, _ = run(url, args, tmp)
    print("\n".join(lines))
    if not (args.no_write or args.pairs_only):
        write_results(f"http, {name}", PROFILES[PROFILE], args.seed, lines, " ".join(
            (["LEDGER_BENCH_POSTGRES_URL=…"] if args.database == "postgres" else [])
            + ["python -m benchmarks.http_load", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
