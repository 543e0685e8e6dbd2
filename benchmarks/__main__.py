"""Run the benchmarks on SQLite and, when LEDGER_BENCH_POSTGRES_URL (or
LEDGER_TEST_POSTGRES_URL) is set, PostgreSQL — side by side in one run, since these machines
are noisy and only ratios measured together mean much.

    make bench                       # or: .venv/bin/python -m benchmarks --projects 40
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from ledger import create_app, get_session
from ledger.config import TestingConfig
from ledger.db import make_engine
from ledger.ledger import verify
from ledger.migrate import upgrade
from ledger.policy import Actor
from ledger.services import agreements, projects, reference, users
from ledger.services.investments import report_investment
from ledger.totals import grand_total, region_totals

ADMIN = Actor.system("bench")
CREDIT = "91640000710600058B"


def province(session, n_projects: int) -> tuple[list, Actor, Actor, Actor, Actor]:
    """Ningxia's regions, one zone, n landed projects in 灵武, half with a filed agreement."""
    from ledger.domain.codes import reference_regions
    for row in reference_regions():
        reference.create_region(session, ADMIN, row)
    zone = reference.create_zone(session, ADMIN, {
        "name": "基准园区", "level": "provincial", "kind": "industrial", "region_code": "640181",
        "leading_industries": ["C26"], "restricted_industries": []})
    make = lambda name, role, region=None: users.actor_of(users.create_user(  # noqa: E731
        session, ADMIN, {"username": name, "password": "bench-pass", "role": role, "region_code": region}))
    host, rec = make("host", "region", "640181"), make("rec", "region", "640104")
    stat, com = make("stat", "statistics"), make("com", "commerce")
    out = []
    for i in range(n_projects):
        p = projects.create_project(session, host, {
            "name": f"项目{i}", "investor_name": "某公司", "investor_credit_code": CREDIT,
            "industry_code": "C2614", "planned_investment": "1000.00", "zone_id": zone.id})
        p = projects.change_stage(session, host, p.id, "under_construction", "2024-01-01")
        if i % 2 == 0:
            a = agreements.create_agreement(session, rec, {
                "project_id": p.id, "recommender_code": "640104", "recommender_share": "33.33",
                "first_year": 2024, "signed_on": "2024-01-01",
                "signatories": {"recommender": "甲", "receiver": "乙"}, "reason": "基准"})
            agreements.confirm(session, host, a.id)
            agreements.submit(session, host, a.id)
            agreements.acknowledge(session, stat, a.id)
            agreements.acknowledge(session, com, a.id)
        out.append(p)
    return out, host, rec, stat, com


def run(url: str, n_projects: int, months: int) -> dict[str, float]:
    app = create_app(TestingConfig, DATABASE_URL=url)
    with app.app_context():
        session = get_session()
        plist, host, *_ = province(session, n_projects)
        periods = [f"{2024 + m // 12}-{m % 12 + 1:02d}" for m in range(months)]
        t0 = time.perf_counter()
        count = 0
        for period in periods:
            for p in plist:
                report_investment(session, host, p.id, period, f"{(p.id * 7919 + count) % 100000}.{count % 100:02d}")
                count += 1
        reports = time.perf_counter() - t0
        # Revisions touch earlier months: every later month of the year is re-posted.
        t0 = time.perf_counter()
        for p in plist:
            report_investment(session, host, p.id, periods[0], "1.23")
        revisions = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = verify(session)
        verify_s = time.perf_counter() - t0
        assert result.ok, result.problems
        t0 = time.perf_counter()
        total = grand_total(region_totals(session, 2024))
        totals_s = time.perf_counter() - t0
        assert total.attributed == total.in_place
    app.extensions["ledger.engine"].dispose()
    return {"reports/s": count / reports, "revision ms": 1000 * revisions / len(plist),
            "verify s": verify_s, "postings": result.postings, "totals ms": 1000 * totals_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args()
    backends = {}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        upgrade(make_engine(url))
        backends["sqlite"] = run(url, args.projects, args.months)
        pg = os.environ.get("LEDGER_BENCH_POSTGRES_URL") or os.environ.get("LEDGER_TEST_POSTGRES_URL")
        if pg:
            from tests.conftest import reset_postgres
            reset_postgres(pg)
            backends["postgresql"] = run(pg, args.projects, args.months)
    keys = list(next(iter(backends.values())))
    print(f"{args.projects} projects × {args.months} months")
    print(f"{'':14}" + "".join(f"{name:>14}" for name in backends))
    for key in keys:
        print(f"{key:14}" + "".join(f"{b[key]:14.1f}" for b in backends.values()))
    if len(backends) == 2:
        s, p = backends["sqlite"], backends["postgresql"]
        print(f"ratio PostgreSQL/SQLite reports/s: {p['reports/s'] / s['reports/s']:.2f}")


if __name__ == "__main__":
    main()
