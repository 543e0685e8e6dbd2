"""The documents of SPEC §7 beside their floors, each measured in the same run (issue 20, target 4).

    .venv/bin/python -m benchmarks.documents              # make bench runs it too
    LEDGER_BENCH_POSTGRES_URL=postgresql+psycopg://… .venv/bin/python -m benchmarks.documents
    .venv/bin/python -m benchmarks.documents --runs 5 --no-print --no-write

  renders          round robin, `--runs` renders each of: a one-line WeasyPrint page (the
                   floor: one line of Chinese, same fonts and fontconfig), the filing form of
                   the demo's filed agreement with the most versions, its receipt, the annual
                   statement of `--year`; with the process's renderer (the GB 2312 cut when
                   `make fonts` made it) and without the cut (the full Noto face). Target: the
                   filing form ≤ 0.15 s and ≤ 120 KB.
  repeat download  `documents.issue` of an issued filing form (the kept PDF and the journal
                   entry) against its floor — the same bytes read in one statement by hand and
                   the same journal entry (ledger.commands.common.audit, committed) — and against
                   the journal entry alone, interleaved A B C, `--downloads` rounds; on the demo
                   in SQLite and, with LEDGER_BENCH_POSTGRES_URL (a disposable database: it is
                   rebuilt), PostgreSQL. Target: ≤ 5 ms plus the journal entry.
  first document   `--starts` fresh processes each render the filing form six times; the first
                   against the median of the other five, with the fonts loaded at the start
                   (pdf.warm(), as gunicorn.conf.py does for each worker) and without, in turn.
                   Target (with): ≤ 2×.
  ledger print     `ledger print --year` of the province of benchmarks.scale (its generated
                   ledger, restored from the scale benchmark's --setup-cache when it is there:
                   300 filed agreements, 601 documents) in a child process on SQLite: documents/s,
                   the child's peak RSS (getrusage of the child: the largest single process of
                   the run, the parent or a rendering worker) and the peak of the summed RSS of
                   the child and its workers (sampled from /proc every 0.2 s).

The figures go to stdout and into benchmarks/RESULTS.md (section `documents`).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from ledger import create_app, current, documents, fonts
from ledger.commands.common import audit
from ledger.commands.demo import load_demo
from ledger.config import TestingConfig
from ledger.db import make_engine, writing
from ledger.documents.pdf import Renderer
from ledger.domain.periods import utc_text
from ledger.migrate import rebuild
from ledger.models import Agreement, AgreementVersion
from ledger.policy import Actor
from ledger.signing import create_key

RESULTS = Path(__file__).with_name("RESULTS.md")
SECTION = "documents"
FILING_SECONDS, FILING_BYTES = 0.15, 120 * 1024
REPEAT_MS_ABOVE_JOURNAL = 5.0
FIRST_RATIO = 2.0
FLOOR_HTML = '<html lang="zh-CN"><body><p>招商引资投资分算 one line</p></body></html>'
BENCH = Actor.system("bench")


def demo_app(url: str | None = None):
    """An app on a disposable database (default: a throw-away SQLite file), migrated from
    scratch, with a throw-away checkpoint key; the demo province is loaded by demo_documents."""
    tmp = Path(tempfile.mkdtemp(prefix="ledger-bench-docs-"))
    url = url or f"sqlite:///{tmp / 'demo.sqlite3'}"
    engine = make_engine(url)
    rebuild(engine)
    engine.dispose()
    return create_app(TestingConfig, DATABASE_URL=url,
                      SIGNING_KEY_FILE=str(create_key(tmp / "signing-key.pem")))


def demo_agreement(session) -> tuple[int, int]:
    """The demo's filed agreement with the most versions, and that version."""
    return tuple(session.execute(
        sa.select(Agreement.id, sa.func.max(AgreementVersion.version))
        .join(AgreementVersion, AgreementVersion.agreement_id == Agreement.id)
        .where(AgreementVersion.filing_number.is_not(None))
        .group_by(Agreement.id)
        .order_by(sa.func.max(AgreementVersion.version).desc(), Agreement.id)).first())


def demo_documents(app, year: int) -> list:
    """(filing, receipt, statement) of the demo province, loaded into the app's database."""
    with app.app_context():
        session = current.session()
        load_demo(session, current.settings(), echo=lambda _: None)
        ctx = current.context(BENCH)
        agreement_id, version = demo_agreement(session)
        three = [documents.filing(ctx, agreement_id, version),
                 documents.receipt(ctx, agreement_id, version),
                 documents.statement(ctx, year)]
    app.extensions["ledger.engine"].dispose()
    return three


def floor_pdf(renderer: Renderer) -> bytes:
    from weasyprint import HTML
    return HTML(string=FLOOR_HTML).write_pdf(stylesheets=renderer.stylesheets,
                                             font_config=renderer.font_config)


def interleaved(subjects: dict, rounds: int, warm_up: int = 1) -> dict[str, dict]:
    """name → {"wall": median s, "cpu": median s of this process, "size": bytes}, each subject
    run once per round in turn (A B C A B C …) so that the machine's noise falls on all alike."""
    wall: dict[str, list[float]] = {name: [] for name in subjects}
    cpu: dict[str, list[float]] = {name: [] for name in subjects}
    sizes: dict[str, int] = {}
    for _ in range(warm_up):  # fonts loaded, caches filled, statements prepared
        for name, run in subjects.items():
            sizes[name] = len(run() or b"")
    for _ in range(rounds):
        for name, run in subjects.items():
            c, w = time.process_time(), time.perf_counter()
            out = run()
            wall[name].append(time.perf_counter() - w)
            cpu[name].append(time.process_time() - c)
            assert len(out or b"") == sizes[name], f"{name}: the same subject changed size"
    return {name: {"wall": statistics.median(wall[name]), "cpu": statistics.median(cpu[name]),
                   "size": sizes[name]} for name in subjects}


def pages(pdf: bytes) -> str:
    """The page count as pdfinfo (poppler) reads it; '?' without poppler."""
    try:
        out = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return next((line.split()[-1] for line in out.decode().splitlines()
                 if line.startswith("Pages:")), "?")


# ------------------------------------------------------------------ renders

def renders(three: list, runs: int) -> list[str]:
    filing, receipt, statement = three
    with_cut = Renderer()
    without_cut = Renderer(fonts_dir=Path(tempfile.mkdtemp(prefix="ledger-no-cut-")))
    subjects = {
        "floor (one line)": lambda: floor_pdf(with_cut),
        "filing": lambda: with_cut.render(filing),
        "receipt": lambda: with_cut.render(receipt),
        "statement": lambda: with_cut.render(statement),
        "filing, no cut": lambda: without_cut.render(filing),
        "statement, no cut": lambda: without_cut.render(statement),
    }
    results = interleaved(subjects, runs)
    floor = results["floor (one line)"]["wall"]
    lines = [f"**Renders** (the demo province; medians of {runs}, round robin; fonts "
             f"{with_cut.fonts_used}; HarfBuzz subsetter "
             f"{'yes' if with_cut.fast_subsetting else 'NO (expect ~13 s per document)'}"
             + ("" if "regular" in with_cut.cut else
                f"; no GB 2312 cut in {fonts.fonts_dir()}: run `make fonts`") + ").", "",
             "| document | median s | × the one-line floor | KB | pages |",
             "|---|---:|---:|---:|---:|"]
    samples = {"filing": filing, "receipt": receipt, "statement": statement}
    for name, r in results.items():
        base = name.split(",")[0]
        count = pages(with_cut.render(samples[base])) if base in samples else "1"
        lines.append(f"| {name} | {r['wall']:.3f} | {r['wall'] / floor:.1f}× | "
                     f"{r['size'] / 1024:.1f} | {count} |")
    r = results["filing"]
    met = r["wall"] <= FILING_SECONDS and r["size"] <= FILING_BYTES
    lines += ["", f"Filing form: {r['wall']:.3f} s and {r['size'] / 1024:.1f} KB — target ≤ "
              f"{FILING_SECONDS} s and ≤ {FILING_BYTES // 1024} KB: "
              f"{'**met**' if met else '**missed**'}."]
    return lines


# ------------------------------------------------------------------ repeat downloads

def repeat_download(url: str | None, rounds: int) -> dict:
    """On the demo in a disposable database: the filing form issued once (rendered and kept),
    then interleaved — its repeat download `documents.issue`; the floor, the same bytes read in
    one statement by hand plus the same journal entry; the journal entry alone; and the whole
    download short of HTTP (the document's facts read and its id and digest computed, then
    `documents.issue`). Each ends its transaction, as a request does."""
    app = demo_app(url)
    with app.app_context():
        session = current.session()
        load_demo(session, current.settings(), echo=lambda _: None)
        ctx = current.context(BENCH)
        agreement_id, version = demo_agreement(session)
        document = documents.filing(ctx, agreement_id, version)
        documents.issue(ctx, document)  # the first: rendered and kept
        session.close()
        read = sa.text("SELECT content FROM document_files WHERE document_id = :id "
                       "AND digest = :digest")
        key = {"id": document.document_id, "digest": document.digest}

        def journal_entry(size: int) -> None:
            with writing(session):
                audit(ctx, "document.download", "document", document.document_id, None,
                      {"kind": document.kind, "subject": document.subject,
                       "as_of": utc_text(document.as_of), "digest": document.digest,
                       "bytes": size, "registered": False})

        def download() -> bytes:
            pdf = documents.issue(ctx, document)
            session.close()
            return pdf

        def floor() -> bytes:
            pdf = session.execute(read, key).scalar_one()
            journal_entry(len(pdf))
            session.close()
            return pdf

        def journal() -> None:
            journal_entry(0)
            session.close()

        def whole() -> bytes:
            pdf = documents.issue(ctx, documents.filing(ctx, agreement_id, version))
            session.close()
            return pdf

        out = interleaved({"issue": download, "floor": floor, "journal": journal,
                           "whole": whole}, rounds, warm_up=3)
        out["database"] = session.get_bind().dialect.name
    app.extensions["ledger.engine"].dispose()
    return out


def repeat_lines(results: list[dict], rounds: int) -> list[str]:
    size = results[0]["issue"]["size"] / 1024
    lines = [f"**Repeat download** of the demo's filing form ({size:.1f} KB; medians of "
             f"{rounds} rounds, interleaved A B C D; ms; CPU is this process's: "
             "the database server's is not in it). Floor: the same bytes read in one statement "
             "+ the same journal entry (committed). Target: `documents.issue` ≤ the journal "
             f"entry + {REPEAT_MS_ABOVE_JOURNAL:g} ms.", "",
             "| database | documents.issue | floor | × floor | journal entry alone "
             "| issue − journal | CPU: issue / floor / journal | whole download (facts + issue) "
             "| target |",
             "|---|---:|---:|---:|---:|---:|---|---:|---|"]
    for r in results:
        issue, floor, journal, whole = (1000 * r[k]["wall"]
                                        for k in ("issue", "floor", "journal", "whole"))
        cpu = " / ".join(f"{1000 * r[k]['cpu']:.2f}" for k in ("issue", "floor", "journal"))
        met = issue - journal <= REPEAT_MS_ABOVE_JOURNAL
        lines.append(f"| {'SQLite' if r['database'] == 'sqlite' else 'PostgreSQL'} | "
                     f"{issue:.2f} | {floor:.2f} | {issue / floor:.2f}× | {journal:.2f} | "
                     f"{issue - journal:.2f} | {cpu} | {whole:.2f} | "
                     f"{'**met**' if met else '**missed**'} |")
    return lines


# ------------------------------------------------------------------ the first document of a process

def first_in_child(document_file: str, warm: bool) -> None:
    """In a fresh process: (warm the fonts,) then the document six times; JSON to stdout."""
    from ledger.documents import pdf
    document = pickle.loads(Path(document_file).read_bytes())
    started = time.perf_counter()
    if warm:
        pdf.warm()
    warmed = time.perf_counter() - started
    times = []
    for _ in range(6):
        started = time.perf_counter()
        pdf.renderer().render(document)
        times.append(time.perf_counter() - started)
    print(json.dumps({"warm s": warmed, "times": times}))


def first_after_start(document, starts: int) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "document.pickle"
        path.write_bytes(pickle.dumps(document))
        runs: dict[bool, list[dict]] = {True: [], False: []}
        for _ in range(starts):
            for warm in (True, False):
                out = subprocess.run(
                    [sys.executable, "-m", "benchmarks.documents", "--first-in-child", str(path)]
                    + (["--warm"] if warm else []), capture_output=True, text=True, check=True)
                runs[warm].append(json.loads(out.stdout.strip().splitlines()[-1]))
    lines = [f"**The first document after a start** (the filing form; {starts} fresh processes "
             "each way, in turn): the first rendering against the median of the next five.", "",
             "| fonts loaded at start | first, s | next five (median), s | ratios | loading at "
             "start, s | target |", "|---|---:|---:|---|---:|---|"]
    for warm in (True, False):
        firsts = [r["times"][0] for r in runs[warm]]
        rests = [statistics.median(r["times"][1:]) for r in runs[warm]]
        ratios = [f / r for f, r in zip(firsts, rests)]
        target = ((("**met**" if max(ratios) <= FIRST_RATIO else "**missed**")
                   + f" (≤ {FIRST_RATIO:g}×)") if warm else "")
        lines.append(f"| {'yes (pdf.warm(), as each gunicorn worker)' if warm else 'no'} | "
                     f"{statistics.median(firsts):.3f} | {statistics.median(rests):.3f} | "
                     f"{', '.join(f'{x:.2f}×' for x in ratios)} | "
                     f"{statistics.median(r['warm s'] for r in runs[warm]):.2f} | {target} |")
    return lines


# ------------------------------------------------------------------ ledger print of the province

def province_database(tmp: Path, seed: int) -> tuple[str, int, str]:
    """The province ledger of benchmarks.scale in a SQLite file — its generator's setup with the
    provinces named as provinces (kept in var/bench-setup under its own key: restored, or
    generated and kept) and its monthly reports imported, so the statement has figures:
    (url, the newest year, how the setup was got)."""
    from unittest import mock

    from benchmarks import scale
    from ledger.commands.imports import import_reports
    from ledger.io.imports import read_import
    url = f"sqlite:///{tmp / 'province.sqlite3'}"
    today = datetime.now(UTC).date()
    cache = scale.SetupCache(Path("var/bench-setup"), "province-documents", seed, today)
    restored = cache.restore(url)
    if restored:
        world, _ = restored
        how = "its setup restored from var/bench-setup"
    else:
        engine = make_engine(url)
        rebuild(engine)
        engine.dispose()
        app = create_app(TestingConfig, DATABASE_URL=url)
        started = time.perf_counter()
        tree = scale.region_tree

        def named(n: int) -> list:
            """Its provinces named as provinces are (省11 → 第11省): a statement prints the
            province's own word (全省, ledger.domain.vocabulary.province_word)."""
            return [replace(r, name=f"第{r.code[:2]}省") if r.level == "province" else r
                    for r in tree(n)]
        with app.app_context(), mock.patch.object(scale, "region_tree", named):
            world = scale.generate(current.session(), scale.PROFILES["province"], seed, today)
            current.session().close()
        seconds = time.perf_counter() - started
        cache.save(url, app.extensions["ledger.engine"], world, seconds)
        how = f"its setup generated in {seconds:.0f} s"
    app = create_app(TestingConfig, DATABASE_URL=url)
    with app.app_context():
        stat = current.context(scale.STATISTICS)
        reports = sum(import_reports(stat, read_import(data, f"bench-{n}.csv")).rows
                      for n, data in enumerate(scale.report_files(world, seed)))
    app.extensions["ledger.engine"].dispose()
    return url, world.years[-1], f"{how}, {reports:,} reports imported"


def tree_rss_kib(pid: int) -> int:
    """The summed VmRSS of a process and its descendants (0 once it is gone)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines()
                       if line.startswith("VmRSS:")), 0)
        stack += [int(c) for c in children]
    return total


def ledger_print(url: str, year: int, workers: int | None, tmp: Path) -> dict:
    """`ledger print --year` in a child process: seconds, PDFs written, peak memory."""
    out_dir = tmp / f"print-{workers or 'default'}"
    env = os.environ | {"LEDGER_DATABASE_URL": url,
                        "LEDGER_SIGNING_KEY_FILE": str(tmp / "signing-key.pem")}
    if not (tmp / "signing-key.pem").exists():
        create_key(tmp / "signing-key.pem")
    command = [str(Path(sys.executable).with_name("ledger")), "print", "--year", str(year),
               "-o", str(out_dir)] + (["--workers", str(workers)] if workers else [])
    started = time.perf_counter()
    errors = (tmp / "print-errors.txt").open("w+b")  # the progress bar, and any error
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=errors)
    peak_tree = 0
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        peak_tree = max(peak_tree, tree_rss_kib(child.pid))
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    message = child.stdout.read().decode().strip()
    if child.returncode:
        errors.seek(0)
        raise RuntimeError(f"{' '.join(command)} failed ({child.returncode}): {message}\n"
                           + errors.read().decode(errors="replace")[-3000:])
    count = len(list(out_dir.glob("*.pdf")))
    return {"workers": workers, "seconds": seconds, "documents": count,
            "maxrss MiB": usage.ru_maxrss / 1024, "tree MiB": peak_tree / 1024, "said": message}


def print_lines(url_note: str, year: int, runs: list[dict]) -> list[str]:
    lines = [f"**`ledger print --year {year}` of the province** (benchmarks.scale's generator, "
             f"seed 1: 30 regions, 2,000 projects, 300 filed agreements; {url_note}), SQLite, in a "
             "child process, workers' start-up included; each run prints every document anew "
             "(`ledger print` renders, it does not serve kept files).", "",
             "| workers | documents | s | documents/s | peak RSS of one process, MiB | peak RSS "
             "of the run (child + workers), MiB |", "|---|---:|---:|---:|---:|---:|"]
    for r in runs:
        lines.append(f"| {r['workers'] or f'default ({os.cpu_count()})'} | {r['documents']} | "
                     f"{r['seconds']:.1f} | {r['documents'] / r['seconds']:.2f} | "
                     f"{r['maxrss MiB']:.0f} | {r['tree MiB']:.0f} |")
    return lines


# ------------------------------------------------------------------ RESULTS.md

def write_results(lines: list[str], command: str) -> None:
    """Replace the section of RESULTS.md between its markers (or append it)."""
    begin, end = f"<!-- {SECTION}: begin -->", f"<!-- {SECTION}: end -->"
    section = "\n".join([
        begin, "## documents: renders, repeat downloads, the first document, `ledger print`", "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end), "
        f"Python {platform.python_version()}.", "", "```", command, "```", "", *lines, "", end])
    text = RESULTS.read_text(encoding="utf-8")
    if begin in text:
        head, _, rest = text.partition(begin)
        _, _, tail = rest.partition(end)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10, help="renders of each document")
    parser.add_argument("--downloads", type=int, default=41, help="rounds of repeat downloads")
    parser.add_argument("--starts", type=int, default=3, help="fresh processes each way")
    parser.add_argument("--year", type=int, default=2025, help="the demo's statement year")
    parser.add_argument("--no-print", action="store_true", help="skip `ledger print`")
    parser.add_argument("--print-workers", type=int, nargs="*", default=[0],
                        help="`ledger print --workers` values to run (0: its default)")
    parser.add_argument("--seed", type=int, default=1, help="the province generator's seed")
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    parser.add_argument("--first-in-child", metavar="PICKLE", help=argparse.SUPPRESS)
    parser.add_argument("--warm", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.first_in_child:
        first_in_child(args.first_in_child, args.warm)
        return

    lines: list[str] = []

    def show(new: list[str]) -> None:
        print("\n".join(new) + "\n", flush=True)
        lines.extend(new + [""])

    three = demo_documents(demo_app(), args.year)
    show(renders(three, args.runs))
    pg = os.environ.get("LEDGER_BENCH_POSTGRES_URL")
    downloads = [repeat_download(None, args.downloads)]
    if pg:
        downloads.append(repeat_download(pg, args.downloads))
    show(repeat_lines(downloads, args.downloads))
    show(first_after_start(three[0], args.starts))
    if not args.no_print:
        with tempfile.TemporaryDirectory(prefix="ledger-bench-print-") as tmp:
            url, year, how = province_database(Path(tmp), args.seed)
            show(print_lines(how, year, [ledger_print(url, year, w or None, Path(tmp))
                                         for w in args.print_workers]))
    if not args.no_write:
        write_results(lines, " ".join((["LEDGER_BENCH_POSTGRES_URL=…"] if pg else [])
                                      + ["python -m benchmarks.documents", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
