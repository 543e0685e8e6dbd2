"""`ledger doctor` checks (ledger/doctor.py).

The machine checks expect the system packages of scripts/install-system-deps.sh to be
installed (`make deps` does that). The database checks use a throw-away Alembic script
directory so they do not depend on the project's migrations.
"""

import sqlite3
import textwrap

import pytest

from ledger import doctor
from ledger.doctor import Check, format_report, run_checks


def by_name(checks):
    names = [check.name for check in checks]
    assert len(names) == len(set(names)), names
    return {check.name: check for check in checks}


@pytest.fixture(scope="module")
def machine_checks():
    return by_name(run_checks())


# --- this machine ----------------------------------------------------------------------


def test_without_database_url_there_is_no_database_check(machine_checks):
    assert "database revision" not in machine_checks


@pytest.mark.parametrize("module_name", [name for name, _ in doctor.REQUIRED_PACKAGES])
def test_required_package_is_importable_with_version(machine_checks, module_name):
    check = machine_checks[f"package {module_name}"]
    assert check.ok, format_report([check])
    assert check.fix is None
    assert any(ch.isdigit() for ch in check.detail), check.detail


def test_pango_is_loaded_and_recent_enough(machine_checks):
    check = machine_checks["pango"]
    assert check.ok, format_report([check])
    version = tuple(int(part) for part in check.detail.removeprefix("Pango ").split("."))
    assert version >= doctor.MIN_PANGO


def test_harfbuzz_subsetter_is_available(machine_checks):
    check = machine_checks["harfbuzz-subset"]
    assert check.ok, format_report([check])
    assert "harfbuzz-subset" in check.detail


def test_cjk_serif_font_is_found(machine_checks):
    check = machine_checks["cjk fonts"]
    assert check.ok, format_report([check])
    assert "Noto Serif CJK SC" in check.detail


def test_poppler_tools_are_on_path(machine_checks):
    check = machine_checks["poppler"]
    assert check.ok, format_report([check])
    assert "pdftotext" in check.detail and "pdffonts" in check.detail


# --- failing checks say how to fix them --------------------------------------------------


def test_format_report_shows_ok_and_fix_lines():
    report = format_report([
        Check("pango", True, "Pango 1.50.12"),
        Check("cjk fonts", False, "Noto Serif CJK SC not found", "apt-get install fonts-noto-cjk"),
        Check("poppler", False, "pdftotext not on PATH"),
    ])
    assert report.splitlines() == [
        "[ok] pango: Pango 1.50.12",
        "[missing] cjk fonts: Noto Serif CJK SC not found — fix: apt-get install fonts-noto-cjk",
        "[missing] poppler: pdftotext not on PATH",
    ]


def test_missing_package_is_reported_with_fix(monkeypatch):
    monkeypatch.setattr(doctor, "REQUIRED_PACKAGES", (("no_such_module_xyz", "no-such-dist"),))
    [check] = doctor.check_packages()
    assert check == Check("package no_such_module_xyz", False, check.detail, doctor.FIX_PYTHON_DEPS)
    assert "no_such_module_xyz" in check.detail
    assert "make deps" in format_report([check])


def test_missing_harfbuzz_subset_is_reported_with_fix(monkeypatch):
    monkeypatch.setattr(doctor.ctypes.util, "find_library", lambda name: None)
    check = doctor.check_harfbuzz_subset()
    assert not check.ok
    assert check.fix == "apt-get install libharfbuzz-subset0"


def test_missing_cjk_font_is_reported_with_fix(monkeypatch):
    monkeypatch.setattr(doctor, "CJK_FONT_FAMILY", "No Such Font CJK XX")
    check = doctor.check_cjk_fonts()
    assert not check.ok
    assert check.fix == "apt-get install fonts-noto-cjk"
    assert "No Such Font CJK XX" in check.detail


def test_missing_poppler_is_reported_with_fix(monkeypatch):
    monkeypatch.setattr(doctor.shutil, "which",
                        lambda tool: None if tool == "pdffonts" else f"/usr/bin/{tool}")
    check = doctor.check_poppler()
    assert not check.ok
    assert "pdffonts" in check.detail and "pdftotext" not in check.detail
    assert check.fix == "apt-get install poppler-utils"


def test_an_unset_public_url_is_a_warning_with_its_fix():
    unset = doctor.check_public_url({})
    assert not unset.ok and not unset.required
    assert "LEDGER_PUBLIC_URL is not set" in unset.detail and "http://127.0.0.1:5000" in unset.detail
    assert unset.fix.startswith("set LEDGER_PUBLIC_URL")
    assert format_report([unset]).startswith("[warn] public url: ")
    found = doctor.check_public_url({"LEDGER_PUBLIC_URL": "https://ledger.example.gov.cn/"})
    assert found.ok and found.detail == "documents link to https://ledger.example.gov.cn/verify/…"


def test_the_machine_checks_include_the_public_url(machine_checks):
    assert "public url" in machine_checks


# --- database revision -------------------------------------------------------------------


@pytest.fixture
def migrations(tmp_path, monkeypatch):
    """An Alembic script directory with two revisions: aaaa1111 -> bbbb2222 (head)."""
    root = tmp_path / "migrations"
    (root / "versions").mkdir(parents=True)
    for revision, down in (("aaaa1111", None), ("bbbb2222", "aaaa1111")):
        (root / "versions" / f"{revision}_step.py").write_text(textwrap.dedent(f"""\
            revision = {revision!r}
            down_revision = {down!r}
            branch_labels = None
            depends_on = None

            def upgrade():
                pass

            def downgrade():
                pass
            """), encoding="utf-8")
    monkeypatch.setattr(doctor, "MIGRATIONS_DIR", root)
    return root


def sqlite_db(tmp_path, revision=None):
    path = tmp_path / "ledger.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS unrelated (id INTEGER PRIMARY KEY)")
        if revision is not None:
            conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
            conn.execute("INSERT INTO alembic_version VALUES (?)", (revision,))
    conn.close()
    return f"sqlite:///{path}"


def database_check(checks):
    return by_name(checks)["database revision"]


def test_fresh_database_is_not_at_head(tmp_path, migrations):
    check = database_check(run_checks(sqlite_db(tmp_path)))
    assert not check.ok
    assert check.fix == "ledger db upgrade"
    assert "bbbb2222" in check.detail
    assert "— fix: ledger db upgrade" in format_report([check])


def test_database_behind_head_needs_upgrade(tmp_path, migrations):
    check = doctor.check_database(sqlite_db(tmp_path, "aaaa1111"))
    assert not check.ok
    assert check.fix == "ledger db upgrade"
    assert "aaaa1111" in check.detail and "bbbb2222" in check.detail


def test_database_at_head_is_ok(tmp_path, migrations):
    check = doctor.check_database(sqlite_db(tmp_path, "bbbb2222"))
    assert check == Check("database revision", True, check.detail, None)
    assert "bbbb2222" in check.detail


def test_database_from_a_newer_ledger_is_not_upgraded(tmp_path, migrations):
    check = doctor.check_database(sqlite_db(tmp_path, "ffff9999"))
    assert not check.ok
    assert check.fix != "ledger db upgrade"
    assert "ffff9999" in check.detail


def test_missing_sqlite_file_is_reported_and_not_created(tmp_path, migrations):
    path = tmp_path / "absent.sqlite3"
    check = doctor.check_database(f"sqlite:///{path}")
    assert not check.ok
    assert check.fix == "ledger db upgrade"
    assert not path.exists()


def test_unreachable_database_is_reported_without_password(migrations):
    check = doctor.check_database("postgresql+psycopg://postgres:s3cret@127.0.0.1:1/none")
    assert not check.ok
    assert "cannot connect" in check.detail
    assert "s3cret" not in check.detail


def test_fresh_database_against_project_migrations(tmp_path):
    assert list((doctor.MIGRATIONS_DIR / "versions").glob("*.py")), "the project has migrations"
    check = doctor.check_database(sqlite_db(tmp_path))
    assert not check.ok
    assert check.fix == "ledger db upgrade"
