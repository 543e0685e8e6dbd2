"""`ledger doctor`: check that this machine can run Ledger.

Pure functions: :func:`run_checks` inspects the environment (Python packages, Pango,
the HarfBuzz subsetter, CJK fonts and the generated GB 2312 cut, poppler and zbarimg (the
document tests read PDFs and QR codes with them), LEDGER_PUBLIC_URL, the database revision) and returns a list of
:class:`Check`; :func:`format_report` turns them into text. Nothing here imports the Flask
app, and nothing writes anywhere (in particular no SQLite file is created).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ledger import config, fonts

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

# (import name, distribution name on PyPI)
REQUIRED_PACKAGES: tuple[tuple[str, str], ...] = (
    ("flask", "Flask"),
    ("sqlalchemy", "SQLAlchemy"),
    ("alembic", "alembic"),
    ("marshmallow", "marshmallow"),
    ("flask_smorest", "flask-smorest"),
    ("weasyprint", "weasyprint"),
    ("stdnum", "python-stdnum"),
    ("segno", "segno"),
    ("openpyxl", "openpyxl"),
    ("flask_babel", "Flask-Babel"),
    ("limits", "limits"),
    ("argon2", "argon2-cffi"),
    ("psycopg", "psycopg"),
)

CJK_FONT_FAMILY = "Noto Serif CJK SC"
MIN_PANGO = (1, 44, 0)  # WeasyPrint's minimum
MIN_HARFBUZZ_FOR_SUBSET = (4, 1, 0)  # WeasyPrint subsets through HarfBuzz from 4.1 on

FIX_PYTHON_DEPS = "make deps  (or: .venv/bin/uv pip install -r requirements.lock && .venv/bin/uv pip install --no-deps -e .)"
FIX_PANGO = "apt-get install libpango-1.0-0 libpangoft2-1.0-0  (or: make deps)"
FIX_HARFBUZZ = "apt-get install libharfbuzz-subset0"
FIX_FONTS = "apt-get install fonts-noto-cjk"
FIX_FONTCONFIG = "apt-get install fontconfig fonts-noto-cjk"
FIX_POPPLER = "apt-get install poppler-utils"
FIX_ZBAR = "apt-get install zbar-tools"
FIX_FONT_CUT = "make fonts  (or: .venv/bin/python -m ledger.fonts)"
FIX_DB_UPGRADE = "ledger db upgrade"
FIX_PUBLIC_URL = "set LEDGER_PUBLIC_URL to the address users open Ledger at, e.g. https://ledger.example.gov.cn"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str | None = None
    required: bool = True  # a check that is not required degrades Ledger, it does not stop it


def run_checks(database_url: str | None = None) -> list[Check]:
    """Run every check; the database revision is checked only when a URL is given."""
    checks: list[Check] = [check_python()]
    checks.extend(check_packages())
    checks.append(check_pango())
    checks.append(check_harfbuzz_subset())
    checks.append(check_cjk_fonts())
    checks.append(check_font_cut())
    checks.append(check_poppler())
    checks.append(check_zbar())
    checks.append(check_public_url())
    if database_url:
        checks.append(check_database(database_url))
    return checks


def format_report(checks: list[Check]) -> str:
    lines = []
    for check in checks:
        if check.ok:
            lines.append(f"[ok] {check.name}: {check.detail}")
        else:
            line = f"[{'missing' if check.required else 'warn'}] {check.name}: {check.detail}"
            if check.fix:
                line += f" — fix: {check.fix}"
            lines.append(line)
    return "\n".join(lines)


# --- individual checks ---------------------------------------------------------------


def check_python() -> Check:
    version = ".".join(str(part) for part in sys.version_info[:3])
    if sys.version_info >= (3, 11):
        return Check("python", True, f"{version} ({sys.executable})")
    return Check("python", False, f"{version} is too old; Ledger needs 3.11 or newer",
                 "install Python 3.11+ and recreate .venv (rm -rf .venv && make deps)")


def _import_quietly(module: str):
    # Some libraries warn on import (e.g. WeasyPrint without libharfbuzz-subset); the
    # doctor reports those conditions itself and must not fail under `-W error`.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return importlib.import_module(module)


def _version_of(dist_name: str, module) -> str:
    try:
        return importlib.metadata.version(dist_name)
    except importlib.metadata.PackageNotFoundError:
        return str(getattr(module, "__version__", "unknown version"))


def check_packages() -> list[Check]:
    checks = []
    for module_name, dist_name in REQUIRED_PACKAGES:
        name = f"package {module_name}"
        try:
            module = _import_quietly(module_name)
        except Exception as exc:  # ImportError, or OSError from a missing C library
            checks.append(Check(name, False, f"cannot import {module_name}: {exc}".strip(),
                                FIX_PYTHON_DEPS if not isinstance(exc, OSError) else FIX_PANGO))
            continue
        detail = f"{dist_name} {_version_of(dist_name, module)}"
        if module_name == "psycopg":
            impl = getattr(getattr(module, "pq", None), "__impl__", None)
            if impl:
                detail += f" ({impl})"
        checks.append(Check(name, True, detail))
    return checks


def _pango_version_tuple(number: int) -> tuple[int, int, int]:
    return number // 10000, (number // 100) % 100, number % 100


def check_pango() -> Check:
    try:
        _import_quietly("weasyprint")
        ffi = _import_quietly("weasyprint.text.ffi")
    except Exception as exc:
        found = ctypes.util.find_library("pango-1.0")
        where = f"libpango found as {found}" if found else "libpango-1.0 not found"
        return Check("pango", False, f"WeasyPrint cannot load Pango ({exc}); {where}", FIX_PANGO)
    try:
        version = _pango_version_tuple(int(ffi.pango.pango_version()))
    except Exception:
        found = ctypes.util.find_library("pango-1.0")
        return Check("pango", True, f"loaded by WeasyPrint ({found or 'version unknown'})")
    text = ".".join(map(str, version))
    if version < MIN_PANGO:
        return Check("pango", False,
                     f"Pango {text} is older than {'.'.join(map(str, MIN_PANGO))}", FIX_PANGO)
    return Check("pango", True, f"Pango {text}")


def check_harfbuzz_subset() -> Check:
    name = "harfbuzz-subset"
    found = ctypes.util.find_library("harfbuzz-subset")
    if not found:
        return Check(name, False,
                     "libharfbuzz-subset not found; WeasyPrint would subset the CJK fonts with "
                     "fontTools: ~13 s per document instead of ~0.15 s",
                     FIX_HARFBUZZ)
    detail = found
    try:
        ffi = _import_quietly("weasyprint.text.ffi")
    except Exception:
        return Check(name, True, detail)  # the pango check reports WeasyPrint's problem
    if getattr(ffi, "harfbuzz_subset", None) is None:
        return Check(name, False, f"{found} present but WeasyPrint could not load it", FIX_HARFBUZZ)
    version = _harfbuzz_version()
    if version:
        detail = f"{found} (HarfBuzz {version})"
    try:
        recent = bool(ffi.harfbuzz.hb_version_atleast(*MIN_HARFBUZZ_FOR_SUBSET))
    except Exception:
        recent = True  # cannot tell; WeasyPrint decides at render time
    if not recent:
        return Check(name, False,
                     f"HarfBuzz {version or '?'} is older than "
                     f"{'.'.join(map(str, MIN_HARFBUZZ_FOR_SUBSET))}; WeasyPrint will not use it",
                     FIX_HARFBUZZ)
    return Check(name, True, detail)


def _harfbuzz_version() -> str | None:
    found = ctypes.util.find_library("harfbuzz")
    if not found:
        return None
    try:
        func = ctypes.CDLL(found).hb_version_string
        func.restype = ctypes.c_char_p
        return func().decode()
    except Exception:
        return None


def check_cjk_fonts() -> Check:
    name = "cjk fonts"
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return Check(name, False, "fc-list (fontconfig) not found", FIX_FONTCONFIG)
    try:
        result = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True,
                                text=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return Check(name, False, f"fc-list failed: {exc}", FIX_FONTCONFIG)
    families = {
        family.strip()
        for line in result.stdout.splitlines()
        for family in line.split(",")
        if family.strip()
    }
    if CJK_FONT_FAMILY in families:
        sans = " and Noto Sans CJK SC" if "Noto Sans CJK SC" in families else ""
        face = fonts.system_face("Regular") if CJK_FONT_FAMILY == fonts.SYSTEM_FAMILY else None
        where = f" ({face.path}, index {face.index})" if face is not None else ""
        return Check(name, True, f"{CJK_FONT_FAMILY}{sans} found by fontconfig{where}")
    others = ", ".join(sorted(families)[:3]) or "none"
    return Check(name, False, f"{CJK_FONT_FAMILY} not found by fontconfig (Chinese fonts: {others})",
                 FIX_FONTS)


def check_font_cut() -> Check:
    """The GB 2312 cuts documents are set in (ledger/fonts.py): FandolFang for the text, bold
    FandolSong for the title, Noto Serif CJK SC behind them. Without them documents still
    print, through the full Noto face: slower, larger, and in the serif instead of 仿宋."""
    name = "gb2312 font cut"
    directory = fonts.fonts_dir()
    status = fonts.cut_status(directory)
    if status.problem is None:
        manifest = fonts.read_manifest(directory) or {}
        counts = ", ".join(f"{entry['file']} {entry['characters']} characters"
                           for entry in manifest.get("weights", {}).values())
        families = ", ".join(cut.family for cut in fonts.CUTS.values())
        return Check(name, True, f"{families} in {directory} ({counts})")
    missing_source = [cut.fandol for key, cut in fonts.CUTS.items()
                      if cut.fandol and fonts.source_face(key) is None]
    fix = (f"{fonts.FIX_FANDOL}, then {FIX_FONT_CUT}" if missing_source else FIX_FONT_CUT)
    return Check(name, False, f"{status.problem} in {directory}; documents fall back to the full "
                 f"{fonts.SYSTEM_FAMILY} face (about 1.4 times the render time and twice the size"
                 f"{'' if 'fang' in status.usable else ', the serif instead of 仿宋'})",
                 fix, required=False)


def check_public_url(environ: Mapping[str, str] | None = None) -> Check:
    """LEDGER_PUBLIC_URL: the base of the verification link every printed document carries in
    its QR code. Unset, a development server links to the host a document was asked from and
    the command line and production to the default (ledger.config.PUBLIC_URL)."""
    env = os.environ if environ is None else environ
    name = "public url"
    found = env.get("LEDGER_PUBLIC_URL", "")
    if found:
        return Check(name, True, f"documents link to {found.rstrip('/')}/verify/…")
    return Check(name, False, "LEDGER_PUBLIC_URL is not set: printed documents' QR codes link to "
                 f"the development server's own address, or to {config.PUBLIC_URL} from the "
                 "command line and in production", FIX_PUBLIC_URL, required=False)


def check_poppler() -> Check:
    tools = {tool: shutil.which(tool)
             for tool in ("pdftotext", "pdffonts", "pdfinfo", "pdfdetach", "pdftoppm")}
    missing = [tool for tool, path in tools.items() if not path]
    if missing:
        return Check("poppler", False, f"{', '.join(missing)} not on PATH", FIX_POPPLER)
    return Check("poppler", True, ", ".join(tools.values()))


def check_zbar() -> Check:
    """zbarimg: the document tests decode the printed QR codes with it (not needed to run)."""
    found = shutil.which("zbarimg")
    if not found:
        return Check("zbarimg", False, "not on PATH (the document tests decode QR codes with it)",
                     FIX_ZBAR, required=False)
    return Check("zbarimg", True, found)


def _script_heads() -> tuple[str, ...]:
    from alembic.script import ScriptDirectory

    return tuple(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads())


def check_database(database_url: str) -> Check:
    name = "database revision"
    try:
        import sqlalchemy as sa
        from alembic.runtime.migration import MigrationContext
        from sqlalchemy.engine import make_url
    except Exception as exc:
        return Check(name, False, f"cannot import SQLAlchemy/Alembic: {exc}", FIX_PYTHON_DEPS)

    try:
        url = make_url(database_url)
    except Exception as exc:
        return Check(name, False, f"invalid database URL: {exc}", "set LEDGER_DATABASE_URL")
    shown = url.render_as_string(hide_password=True)

    try:
        heads = _script_heads()
    except Exception as exc:
        return Check(name, False, f"cannot read migrations in {MIGRATIONS_DIR}: {exc}",
                     "reinstall Ledger from a complete checkout")
    if not heads:
        return Check(name, False, f"no migrations found in {MIGRATIONS_DIR}",
                     "reinstall Ledger from a complete checkout")
    if len(heads) > 1:
        return Check(name, False, f"migrations have several heads: {', '.join(heads)}",
                     "merge the heads (alembic merge) before upgrading")

    database = url.database or ""
    if (url.get_backend_name() == "sqlite" and database not in ("", ":memory:")
            and not database.startswith("file:") and not Path(database).exists()):
        return Check(name, False, f"{shown}: database file does not exist (head is {heads[0]})",
                     FIX_DB_UPGRADE)

    engine = None
    try:
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            current = tuple(MigrationContext.configure(conn).get_current_heads())
    except Exception as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return Check(name, False, f"{shown}: cannot connect: {message}",
                     "start the database server or correct LEDGER_DATABASE_URL")
    finally:
        if engine is not None:
            engine.dispose()

    head = heads[0]
    if current == (head,):
        return Check(name, True, f"{shown} at head {head}")
    if not current:
        return Check(name, False, f"{shown} has no schema (not at head {head})", FIX_DB_UPGRADE)
    unknown = [rev for rev in current if not _known_revision(rev)]
    if unknown:
        return Check(name, False,
                     f"{shown} is at {', '.join(current)}, unknown to this version of Ledger "
                     f"(head {head})",
                     "install the Ledger version that created this database, "
                     "or `ledger db downgrade` with that version")
    return Check(name, False, f"{shown} is at {', '.join(current)}, not at head {head}",
                 FIX_DB_UPGRADE)


def _known_revision(revision: str) -> bool:
    from alembic.script import ScriptDirectory

    try:
        return ScriptDirectory(str(MIGRATIONS_DIR)).get_revision(revision) is not None
    except Exception:
        return False
