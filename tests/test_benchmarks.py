"""The benchmarks keep running as the code under them changes: every module imports, and the
smallest profile of the scale benchmark runs end to end (its figures are not checked here —
targets live in `make bench`, never in tests)."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import benchmarks

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__)))
def test_every_benchmark_module_imports(name):
    importlib.import_module(f"benchmarks.{name}")


def test_the_tiny_profile_runs_end_to_end(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.scale", "tiny", "--no-write", "--sqlite-only",
         "--fresh", "--setup-cache", str(tmp_path / "setup")],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| attribution as-of, ms |" in done.stdout
    assert "database MB per million reports" in done.stdout
