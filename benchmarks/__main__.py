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

from datetime import date

from ledger import create_app, current
from ledger.commands import agreements, projects, reference, users
from ledger.commands.inputs import (
    AgreementInput, ProjectInput, RegionInput, ReportInput, StageChange, TermsInput, UserInput,
    ZoneInput,
)
from ledger.commands.reports import report_investment
from ledger.config import TestingConfig
from ledger.context import Context
from ledger.db import make_engine
from ledger.domain.codes import reference_regions
from ledger.migrate import rebuild, upgrade
from ledger.policy import Actor
from ledger.postings import verify
from ledger.queries.attribution import grand_total, region_totals

ADMIN = Actor.system("bench")
CREDIT = "91640000710600058B"


def province(session, n_projects: int) -> tuple[list, Actor, Actor, Actor, Actor]:
    """Ningxia's regions, one zone, n landed projects in 灵武, half with a filed agreement."""
    admin = Context(session, ADMIN)
    for row in reference_regions():
        reference.create_region(admin, RegionInput(**row))
    zone = reference.create_zone(admin, ZoneInput(
        name="基准园区", level="provincial", kind="industrial", region_code="640181",
        blocks=[], leading_industries=["C26"], restricted_industries=[]))

    def make(name, role, region=None) -> Context:
        user = users.create_user(admin, UserInput(username=name, password="bench-pass", role=role,
                                                  region_code=region, active=True))
        return admin.acting_as(users.actor_of(user))

    host, rec = make("host", "region", "640181"), make("rec", "region", "640104")
    stat, com = make("stat", "statistics"), make("com", "commerce")
    terms = TermsInput(recommender_share=3333, first_year=2024, last_year=None,
                       signed_on=date(2024, 1, 1), recommender_signatory="甲",
                       receiver_signatory="乙", reason="基准")
    out = []
    for i in range(n_projects):
        p = projects.create_project(host, ProjectInput(
            name=f"项目{i}", investor_name="某公司", investor_credit_code=CREDIT,
            industry_code="C2614", planned_investment=100000, zone_id=zone.id))
        p = projects.change_stage(host, p.id, StageChange("under_construction", date(2022, 1, 1)))
        if i % 2 == 0:
            # The host opens it naming the recommender, who confirms and submits; every
            # workflow action names the row version it acts on.
            a = agreements.create_agreement(host, AgreementInput(p.id, "640104", terms))
            for actor, action in ((rec, agreements.confirm), (rec, agreements.submit),
                                  (stat, agreements.acknowledge), (com, agreements.acknowledge)):
                a = action(actor, a.id, a.row_version)
        out.append(p)
    return out, host, rec, stat, com


def run(url: str, n_projects: int, months: int) -> dict[str, float]:
    app = create_app(TestingConfig, DATABASE_URL=url)
    with app.app_context():
        session = current.session()
        plist, host, *_ = province(session, n_projects)
        periods = [f"{2024 + m // 12}-{m % 12 + 1:02d}" for m in range(months)]
        t0 = time.perf_counter()
        count = 0
        for period in periods:
            for p in plist:
                report_investment(host, ReportInput(p.id, period, (p.id * 7919 + count) % 10**7))
                count += 1
        reports = time.perf_counter() - t0
        # Revisions touch earlier months: every later month of the year is re-posted.
        t0 = time.perf_counter()
        for p in plist:
            report_investment(host, ReportInput(p.id, periods[0], 123))
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
            engine = make_engine(pg)
            rebuild(engine)
            engine.dispose()
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
