"""Where a benchmark writes its figures: each script owns a section of a results file between
its markers, stamped with the commit and the machine it was measured on, so a reader can tell
which sections come from one commit (`make bench-all` runs them all in turn)."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).parent


def commit() -> str:
    """The commit measured, "+ changes" when the code differs from it (the results files
    themselves do not count: the scripts write them)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=HERE, capture_output=True, text=True).stdout
    sha = git("rev-parse", "--short=10", "HEAD").strip() or "unknown"
    changed = git("status", "--porcelain", "--", "..", ":(exclude)*.md").strip()
    return sha + (" + changes not committed" if changed else "")


def stamp() -> str:
    """One line: when, at which commit, on what."""
    import sqlalchemy
    return (f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC at commit `{commit()}` on "
            f"{platform.node()} ({os.cpu_count()} cores, {platform.platform()}, load average "
            f"{os.getloadavg()[0]:.1f}), Python {platform.python_version()}, SQLAlchemy "
            f"{sqlalchemy.__version__}, SQLite {__import__('sqlite3').sqlite_version}.")


def write_section(path: Path, name: str, title: str, lines: list[str], command: str) -> None:
    """Replace the section `name` of the results file at `path` (or append it)."""
    begin, end = f"<!-- {name}: begin -->", f"<!-- {name}: end -->"
    section = "\n".join([begin, f"## {title}", "", stamp(), "", "```", command, "```", "",
                         *lines, "", end])
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if begin in text:
        head, _, rest = text.partition(begin)
        _, _, tail = rest.partition(end)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")
