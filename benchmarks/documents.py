"""Rendering the documents of SPEC §7, measured beside a floor in the same run.

    .venv/bin/python -m benchmarks.documents              # make bench runs it too
    .venv/bin/python -m benchmarks.documents --runs 20 --year 2025 --no-print

The demo province (`ledger demo`) is loaded into a throw-away SQLite database; then, round
robin so that machine noise hits every subject alike, `--runs` renders each of:
  floor      a one-line WeasyPrint page (one line of Chinese, same fonts and fontconfig)
  filing     the filing form of the demo's filed agreement with the most versions (≤ 2 pages)
  receipt    its receipt
  statement  the annual statement of `--year` for the statistics bureau (every region)
with the process's renderer (the GB 2312 cut when `make fonts` made it) and, for comparison, a
renderer without the cut (the full Noto face). Medians, ratios to the floor and sizes are
printed; targets: filing form ≤ 0.15 s median and ≤ 120 KB. `ledger print` of the year is
timed with one worker and with one per core (including the workers' start-up).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa

from ledger import create_app, current, documents, fonts
from ledger.commands.demo import load_demo
from ledger.config import TestingConfig
from ledger.db import make_engine
from ledger.documents.batch import print_documents, year_documents
from ledger.documents.pdf import Renderer
from ledger.migrate import upgrade
from ledger.models import Agreement, AgreementVersion
from ledger.policy import Actor
from ledger.signing import create_key

FILING_SECONDS, FILING_BYTES = 0.15, 120 * 1024
FLOOR_HTML = '<html lang="zh-CN"><body><p>招商引资投资分算 one line</p></body></html>'


def demo_app():
    """An app on a throw-away SQLite database with the demo province loaded on first use, and
    a throw-away checkpoint key (batch printing signs the checkpoints of the documents)."""
    tmp = Path(tempfile.mkdtemp(prefix="ledger-bench-docs-"))
    url = f"sqlite:///{tmp / 'demo.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return create_app(TestingConfig, DATABASE_URL=url,
                      SIGNING_KEY_FILE=str(create_key(tmp / "signing-key.pem")))


def demo_documents(app, year: int) -> tuple[list, list]:
    """(filing, receipt, statement) of the demo province, and the year's documents to print."""
    with app.app_context():
        session = current.session()
        load_demo(session, current.settings(), echo=lambda _: None)
        ctx = current.context(Actor.system("bench"))
        chosen = session.execute(
            sa.select(Agreement.id, sa.func.max(AgreementVersion.version))
            .join(AgreementVersion, AgreementVersion.agreement_id == Agreement.id)
            .where(AgreementVersion.filing_number.is_not(None))
            .group_by(Agreement.id)
            .order_by(sa.func.max(AgreementVersion.version).desc(), Agreement.id)).first()
        agreement_id, version = chosen
        three = [documents.filing(ctx, agreement_id, version),
                 documents.receipt(ctx, agreement_id, version),
                 documents.statement(ctx, year)]
        year_docs = year_documents(ctx, year)
    app.extensions["ledger.engine"].dispose()
    return three, year_docs


def floor_pdf(renderer: Renderer) -> bytes:
    from weasyprint import HTML
    return HTML(string=FLOOR_HTML).write_pdf(stylesheets=renderer.stylesheets,
                                             font_config=renderer.font_config)


def measure(subjects: dict, runs: int) -> dict[str, tuple[float, int]]:
    """name → (median seconds, size in bytes), rendering the subjects round robin."""
    times: dict[str, list[float]] = {name: [] for name in subjects}
    sizes: dict[str, int] = {}
    for name, render in subjects.items():  # warm-up: fonts loaded, caches filled
        sizes[name] = len(render())
    for _ in range(runs):
        for name, render in subjects.items():
            started = time.perf_counter()
            out = render()
            times[name].append(time.perf_counter() - started)
            assert len(out) == sizes[name], f"{name}: the same document changed size"
    return {name: (statistics.median(times[name]), sizes[name]) for name in subjects}


def pages(pdf: bytes) -> str:
    """The page count as pdfinfo (poppler) reads it; '?' without poppler."""
    try:
        out = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return next((line.split()[-1] for line in out.decode().splitlines()
                 if line.startswith("Pages:")), "?")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--no-print", action="store_true", help="skip timing `ledger print`")
    parser.add_argument("--copies", type=int, default=8,
                        help="print the year's documents this many times over (a larger batch)")
    args = parser.parse_args()

    app = demo_app()
    (filing, receipt, statement), year_docs = demo_documents(app, args.year)
    with_cut = Renderer()
    without_cut = Renderer(fonts_dir=Path(tempfile.mkdtemp(prefix="ledger-no-cut-")))
    subjects = {
        "floor": lambda: floor_pdf(with_cut),
        "filing": lambda: with_cut.render(filing),
        "receipt": lambda: with_cut.render(receipt),
        "statement": lambda: with_cut.render(statement),
        "filing, no cut": lambda: without_cut.render(filing),
        "statement, no cut": lambda: without_cut.render(statement),
    }
    results = measure(subjects, args.runs)
    floor = results["floor"][0]

    print(f"documents: median of {args.runs} renders, round robin; {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"fonts: {with_cut.fonts_used}; HarfBuzz subsetter: "
          f"{'yes' if with_cut.fast_subsetting else 'NO (expect ~13 s per document)'}")
    if "regular" not in with_cut.cut:
        print(f"note: no GB 2312 cut in {fonts.fonts_dir()} (run `make fonts`): the first rows "
              "use the full face too")
    print(f"{'':20}{'median s':>10}{'× floor':>9}{'KB':>8}{'pages':>7}")
    samples = {"filing": filing, "receipt": receipt, "statement": statement}
    for name, (seconds, size) in results.items():
        base = name.split(",")[0]
        page_count = "" if base == "floor" else pages(with_cut.render(samples[base]))
        print(f"{name:20}{seconds:10.3f}{seconds / floor:9.1f}{size / 1024:8.1f}{page_count:>7}")
    seconds, size = results["filing"]
    verdict = "meets" if seconds <= FILING_SECONDS and size <= FILING_BYTES else "MISSES"
    print(f"filing form: {seconds:.3f} s, {size / 1024:.1f} KB — {verdict} the target "
          f"(≤ {FILING_SECONDS} s, ≤ {FILING_BYTES // 1024} KB); floor {floor:.3f} s")

    if not args.no_print:
        batch = [replace(doc, filename=f"{copy}-{doc.filename}")
                 for copy in range(args.copies) for doc in year_docs]
        with tempfile.TemporaryDirectory() as out:
            with app.app_context():
                ctx = current.context(Actor.system("bench"))
                timings = {}
                for workers in (1, os.cpu_count() or 1):
                    started = time.perf_counter()
                    print_documents(ctx, batch, Path(out) / str(workers), workers)
                    timings[workers] = time.perf_counter() - started
            app.extensions["ledger.engine"].dispose()
        shown = "; ".join(f"{w} worker{'s' if w > 1 else ''} {s:.1f} s "
                          f"({len(batch) / s:.1f} documents/s)" for w, s in timings.items())
        print(f"ledger print --year {args.year}, its {len(year_docs)} documents × {args.copies}: "
              f"{shown} (workers' start-up included)")


if __name__ == "__main__":
    main()
