"""The written documentation agrees with the code: the README's command table lists exactly the
commands `ledger --help` offers, and every repository path README.md, DESIGN.md and docs/ name
exists — so a renamed module or a new command cannot leave the documentation behind."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DESIGN = ROOT / "DESIGN.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))

# Runs `ledger <args> --help` for each argv in one interpreter (the app is made once per call,
# from the worktree on PYTHONPATH): the same entry point as the installed `ledger` script.
HELP_SCRIPT = """
import sys
from ledger import main
for args in sys.argv[1:]:
    sys.argv = ["ledger", *args.split(), "--help"]
    print("=== " + args)
    try:
        main()
    except SystemExit:
        pass
"""


def help_pages(*commands: str, tmp_path: Path) -> dict[str, str]:
    env = os.environ | {"PYTHONPATH": str(ROOT), "LEDGER_SECRET_KEY": "x",
                        "LEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'help.sqlite3'}"}
    env.pop("FLASK_APP", None)
    out = subprocess.run([sys.executable, "-c", HELP_SCRIPT, *commands], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120, check=True).stdout
    pages = re.split(r"^=== (.*)$", out, flags=re.M)[1:]
    return {pages[i].strip(): pages[i + 1] for i in range(0, len(pages), 2)}


def listed_commands(page: str) -> list[str]:
    """The names under a click help page's `Commands:` heading."""
    if "\nCommands:\n" not in page:
        return []
    block = page.split("\nCommands:\n", 1)[1]
    return [m[1] for m in re.finditer(r"^  ([a-z][a-z0-9-]*)\b", block, flags=re.M)]


def cli_commands(tmp_path: Path) -> set[str]:
    """Every command path of `ledger --help`, a group's subcommands one by one."""
    top = listed_commands(help_pages("", tmp_path=tmp_path)[""])
    assert "db" in top and "verify" in top  # the parse found the real list
    pages = help_pages(*top, tmp_path=tmp_path)
    found = set()
    for name in top:
        subs = listed_commands(pages[name])
        found |= {f"{name} {sub}" for sub in subs} if subs else {name}
    return found


def section(text: str, heading: str) -> str:
    return text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def readme_commands(text: str) -> set[str]:
    """The command path of each row of the README's command table: the words after `ledger`
    up to the first argument or option (`ledger db downgrade REV` → `db downgrade`)."""
    found = set()
    for cell in re.findall(r"^\| `ledger ([^`]*)` \|", section(text, "Command line"), flags=re.M):
        words = []
        for word in cell.split():
            if not re.fullmatch(r"[a-z][a-z0-9-]*", word):
                break
            words.append(word)
        found.add(" ".join(words))
    return found


def test_the_readme_parses_its_command_table():
    table = "## Command line\n\n| command | what |\n|---|---|\n" \
            "| `ledger db downgrade REV` | x |\n| `ledger export --year Y [-o FILE]` | y |\n" \
            "| `ledger run` | z |\n\n## Next\n| `ledger not-this` | |\n"
    assert readme_commands("\n" + table) == {"db downgrade", "export", "run"}


def test_the_readme_command_table_matches_ledger_help(tmp_path):
    documented = readme_commands(README.read_text(encoding="utf-8"))
    offered = cli_commands(tmp_path)
    assert {"missing from the README": sorted(offered - documented),
            "not a command": sorted(documented - offered)} == {
        "missing from the README": [], "not a command": []}


# ------------------------------------------------------------------ paths the documents name

REPO_PREFIXES = ("ledger/", "templates/", "docs/", "tests/", "reports/", "migrations/")
LEDGER = ROOT / "ledger"


def ignored(path: str) -> bool:
    """Generated paths (screenshots, fonts, the instance folder) are outside git on purpose."""
    rules = [line.strip().lstrip("/") for line in (ROOT / ".gitignore").read_text().splitlines()
             if line.strip() and not line.startswith(("#", "*"))]
    return any(path.startswith(rule) for rule in rules)


def named_paths(text: str, *, relative_to_ledger: bool) -> list[str]:
    """Backticked repository paths. DESIGN.md names modules inside the package without the
    `ledger/` prefix (`domain/split.py`, `policy.py`), and sometimes a name in a module
    (`domain/workflow.STEPS`: the module domain/workflow.py)."""
    subpackages = {p.name for p in LEDGER.iterdir() if p.is_dir()}
    out = []
    for token in re.findall(r"`([^`\s]+)`", text):
        if token.startswith(REPO_PREFIXES):
            out.append(token)
        elif relative_to_ledger and (token.split("/")[0] in subpackages and "/" in token
                                     or re.fullmatch(r"[a-z_]+\.py", token)):
            out.append(f"ledger/{token}")
    return out


def resolves(path: str) -> bool:
    if (ROOT / path).exists():
        return True
    module, _, attribute = path.rpartition(".")  # ledger/domain/workflow.STEPS
    return bool(attribute) and "/" not in attribute and (ROOT / f"{module}.py").exists()


def test_a_missing_path_is_caught():
    text = "`ledger/domain/split.py`, `domain/workflow.STEPS`, `ledger/nothing.py`, `policy.py`"
    named = named_paths(text, relative_to_ledger=True)
    assert named == ["ledger/domain/split.py", "ledger/domain/workflow.STEPS", "ledger/nothing.py",
                     "ledger/policy.py"]
    assert [p for p in named if not resolves(p)] == ["ledger/nothing.py"]


@pytest.mark.parametrize("document", [README, DESIGN, *DOCS], ids=lambda p: p.name)
def test_every_path_a_document_names_exists(document):
    text = document.read_text(encoding="utf-8")
    named = named_paths(text, relative_to_ledger=document == DESIGN)
    missing = sorted({p for p in named if not ignored(p) and not resolves(p)})
    assert missing == []


def test_the_docs_are_cited_and_exist():
    """The code cites docs/*.md for the product's rules; each cited file exists."""
    cited = set()
    for path in [*LEDGER.rglob("*.py"), *(ROOT / "tests").rglob("*.py")]:
        cited |= set(re.findall(r"docs/([a-z_]+\.md)", path.read_text(encoding="utf-8")))
    assert cited, "the code cites no docs/ file"
    assert sorted(c for c in cited if not (ROOT / "docs" / c).exists()) == []
    assert not [p for p in LEDGER.rglob("*.py") if "SPEC §" in p.read_text(encoding="utf-8")]
