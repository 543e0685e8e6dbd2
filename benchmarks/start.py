"""The start of a process serving the app (issue 20, target 5): `from wsgi import app` with
production settings, against its floor `import flask, sqlalchemy` (what any Flask app on
SQLAlchemy loads), fresh processes in turn A B A B, medians of CPU seconds and peak memory.
Twice, neither writing bytecode (PYTHONDONTWRITEBYTECODE=1, as on this machine): as installed
(the .pyc files `make deps` compiled) and with no bytecode cache at all (PYTHONPYCACHEPREFIX
an empty directory: every module compiled, the standard library's too).

    .venv/bin/python -m benchmarks.start [--runs 7] [--no-write]

The figures go to stdout and into benchmarks/RESULTS.md (section `start`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.results import write_section

RESULTS = Path(__file__).with_name("RESULTS.md")
ROOT = Path(__file__).resolve().parents[1]
# CPU seconds (user + system, children included) and peak resident KiB of the code, measured
# by the process itself at its end.
PROBE = ("import resource, time; {code}; u = resource.getrusage(resource.RUSAGE_SELF); "
         "print(u.ru_utime + u.ru_stime, u.ru_maxrss)")
APP = "from wsgi import app"
FLOOR = "import flask, sqlalchemy"


def once(code: str, env: dict) -> tuple[float, float]:
    out = subprocess.run([sys.executable, "-c", PROBE.format(code=code)], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout.split()
    return float(out[-2]), float(out[-1]) / 1024


def pairs(env: dict, runs: int) -> dict[str, tuple[float, float]]:
    """Medians of (CPU s, peak MiB) of the app and the floor, in turn."""
    got: dict[str, list[tuple[float, float]]] = {APP: [], FLOOR: []}
    for _ in range(runs):
        for code in (APP, FLOOR):
            got[code].append(once(code, env))
    return {code: (statistics.median(c for c, _ in v), statistics.median(m for _, m in v))
            for code, v in got.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="pairs of fresh processes each way")
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ledger-bench-start-") as tmp:
        base = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")} | {
            "LEDGER_SECRET_KEY": "bench-start", "LEDGER_SIGNING_KEY_FILE": f"{tmp}/key.pem",
            "LEDGER_DATABASE_URL": f"sqlite:///{tmp}/start.sqlite3",
            "PYTHONDONTWRITEBYTECODE": "1"}
        base.pop("PYTHONPYCACHEPREFIX", None)
        # Python then looks for every .pyc under the (empty) prefix, and finds none
        uncached = base | {"PYTHONPYCACHEPREFIX": f"{tmp}/no-pycache"}
        results = {"as installed (`make deps`' .pyc files)": pairs(base, args.runs),
                   "no bytecode cache at all": pairs(uncached, args.runs)}
    lines = [f"Fresh processes, {args.runs} pairs each way (the app, then its floor), medians. "
             "Target: the start ≤ 1.5 s of CPU.", "",
             "| | `from wsgi import app`, CPU s | peak MiB | floor `import flask, sqlalchemy`, "
             "CPU s | peak MiB | CPU ratio | target |", "|---|---:|---:|---:|---:|---:|---|"]
    for label, r in results.items():
        (cpu, mib), (floor_cpu, floor_mib) = r[APP], r[FLOOR]
        lines.append(f"| {label} | {cpu:.2f} | {mib:.0f} | {floor_cpu:.2f} | {floor_mib:.0f} | "
                     f"{cpu / floor_cpu:.2f}× | ≤ 1.5 s: {'met' if cpu <= 1.5 else 'missed'} |")
    print("\n".join(lines))
    if not args.no_write:
        write_section(RESULTS, "start", "start: `from wsgi import app` beside its floor", lines,
                      " ".join(["python -m benchmarks.start", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
