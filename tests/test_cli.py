"""The `ledger` command: once for real in a subprocess (SQLite), and command by command through
Flask's CLI runner on both databases."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from ledger import create_app, current, migrate
from ledger.config import TestingConfig
from ledger.context import Context
from ledger.db import make_engine, make_sessionmaker, utcnow
from ledger.domain.codes import reference_regions
from ledger.models import ApiToken, AuditEntry, Posting, User
from ledger.queries.audit import AuditRow
from ledger.queries.users import check_password, user_for_token
from tests import drive
from tests.factories import ADMIN, World
from tests.helpers import tamper

LEDGER = Path(sys.executable).with_name("ledger")
PASSWORD = "correct horse"


# --- helpers ---------------------------------------------------------------------------------


def users_in(app) -> dict[str, User]:
    """The users as the database has them (a fresh session, not the command's)."""
    engine = app.extensions["ledger.engine"]
    with make_sessionmaker(engine)() as session:
        return {u.username: u for u in session.scalars(sa.select(User))}


def seed_regions(app) -> None:
    with app.app_context():
        ctx = Context(current.session(), ADMIN)
        for row in reference_regions():
            drive.create_region(ctx, row)


@pytest.fixture
def regions(app):
    seed_regions(app)


@pytest.fixture
def empty_app(tmp_path):
    """An app on an SQLite database that was never migrated."""
    app = create_app(TestingConfig, DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    yield app
    app.extensions["ledger.engine"].dispose()


def create(runner, *args, password=PASSWORD):
    return runner.invoke(args=["users", "create", *args, "--password-stdin"],
                         input=f"{password}\n")


# --- the real command, in a subprocess ---------------------------------------------------------


def ledger(env, *args, input=None):
    return subprocess.run([str(LEDGER), *args], env=env, input=input, capture_output=True,
                          text=True, timeout=120, check=False)


def test_ledger_command_end_to_end_on_sqlite(tmp_path):
    assert LEDGER.exists(), f"{LEDGER} is not installed (pip install -e .)"
    path = tmp_path / "cli.sqlite3"
    url = f"sqlite:///{path}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGER_", "FLASK_"))}
    env["LEDGER_DATABASE_URL"] = url
    head = migrate.head_revision()

    up = ledger(env, "db", "upgrade")
    assert up.returncode == 0, up.stderr
    assert up.stdout == f"database {url}: upgraded from base (no schema) to {head} (head)\n"

    created = ledger(env, "users", "create", "admin1", "--role", "admin", "--password-stdin",
                     input=f"{PASSWORD}\n")
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "created user admin1 (admin)"

    token = ledger(env, "users", "token", "admin1")
    assert token.returncode == 0, token.stderr
    raw = token.stdout.strip()
    assert len(raw) >= 40 and "\n" not in raw

    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            user = user_for_token(session, raw, utcnow())
            assert user is not None and user.username == "admin1" and user.role == "admin"
            assert check_password(session, "admin1", PASSWORD) is not None
    finally:
        engine.dispose()

    verified = ledger(env, "verify")
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("ok: 0 postings")

    doctor = ledger(env, "doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert f"[ok] database revision: {url} at head {head}" in doctor.stdout
    assert "[missing]" not in doctor.stdout

    down = ledger(env, "db", "downgrade", "base")
    assert down.returncode == 0, down.stderr
    assert f"downgraded from {head} (head) to base (no schema)" in down.stdout
    engine = make_engine(url)
    try:
        assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


# --- ledger db ---------------------------------------------------------------------------------


def test_db_upgrade_at_head_says_so(runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"already at {migrate.head_revision()} (head)" in result.output


def test_db_downgrade_and_upgrade_round_trip(app, runner):
    engine = app.extensions["ledger.engine"]
    head = migrate.head_revision()
    try:
        down = runner.invoke(args=["db", "downgrade", "base"])
        assert down.exit_code == 0, down.output
        assert "to base (no schema)" in down.output
        assert migrate.current_revision(engine) is None
        assert "users" not in sa.inspect(engine).get_table_names()
    finally:
        up = runner.invoke(args=["db", "upgrade"])
    assert up.exit_code == 0, up.output
    assert f"to {head} (head)" in up.output
    assert migrate.current_revision(engine) == head


def test_db_downgrade_needs_a_revision(runner):
    result = runner.invoke(args=["db", "downgrade"])
    assert result.exit_code == 2
    assert "Missing argument 'REVISION'" in result.output


def test_db_unknown_revision_is_a_one_line_error(app, runner):
    result = runner.invoke(args=["db", "downgrade", "nosuchrev"])
    assert result.exit_code == 1
    assert result.output == "error: Can't locate revision identified by 'nosuchrev'\n"
    assert migrate.current_revision(app.extensions["ledger.engine"]) == migrate.head_revision()


def test_unreachable_database_is_a_one_line_error_without_password():
    app = create_app(TestingConfig,
                     DATABASE_URL="postgresql+psycopg://ledger:s3cret@127.0.0.1:1/ledger")
    try:
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    finally:
        app.extensions["ledger.engine"].dispose()
    assert result.exit_code == 1
    assert result.output.startswith("error: database postgresql+psycopg://ledger:***@127.0.0.1:1")
    assert "s3cret" not in result.output and "Traceback" not in result.output


def test_db_revision_writes_nothing_when_models_and_database_agree(runner):
    result = runner.invoke(args=["db", "revision", "-m", "nothing"])
    assert result.exit_code == 0, result.output
    assert result.output == "the models and the database agree; no revision written\n"


# --- ledger users create -----------------------------------------------------------------------


def test_create_admin(app, runner):
    result = create(runner, "admin1", "--role", "admin")
    assert result.exit_code == 0, result.output
    assert result.output == "created user admin1 (admin)\n"
    user = users_in(app)["admin1"]
    assert (user.role, user.region_code, user.active) == ("admin", None, True)
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    with make_sessionmaker(app.extensions["ledger.engine"])() as session:
        assert check_password(session, "admin1", PASSWORD).id == user.id
        assert check_password(session, "admin1", PASSWORD + "x") is None
        entry = AuditRow.of(session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "user.create")).one())
    assert (entry.actor_username, entry.actor_role, entry.entity_id) == ("cli", "admin", str(user.id))
    assert "password" not in entry.after and entry.after["username"] == "admin1"


def test_create_region_user(app, runner, regions):
    result = create(runner, "lingwu", "--role", "region", "--region", "640181")
    assert result.exit_code == 0, result.output
    assert result.output == "created user lingwu (region, 640181)\n"
    user = users_in(app)["lingwu"]
    assert (user.role, user.region_code) == ("region", "640181")


@pytest.mark.parametrize("role", ["statistics", "commerce"])
def test_create_office_users(app, runner, role):
    result = create(runner, f"office-{role}", "--role", role)
    assert result.exit_code == 0, result.output
    assert users_in(app)[f"office-{role}"].role == role


def test_create_prompts_for_the_password_twice(app, runner):
    result = runner.invoke(args=["users", "create", "tongji", "--role", "statistics"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Password:" in result.output and "Repeat for confirmation:" in result.output
    assert PASSWORD not in result.output  # hidden input is not echoed
    with make_sessionmaker(app.extensions["ledger.engine"])() as session:
        assert check_password(session, "tongji", PASSWORD) is not None


@pytest.mark.parametrize(("args", "password", "message"), [
    (["--role", "mayor"], PASSWORD,
     "error: role: must be one of admin, statistics, commerce, region"),
    (["--role", "region"], PASSWORD,
     "error: region_code: a region user needs an existing region_code"),
    (["--role", "region", "--region", "999999"], PASSWORD,
     "error: region_code: a region user needs an existing region_code"),
    (["--role", "admin", "--region", "640181"], PASSWORD,
     "error: region_code: only region users have a region_code"),
    (["--role", "admin"], "short", "error: password: must be at least 8 characters"),
    (["--role", "admin"], "", "error: password: must be at least 8 characters"),
], ids=["bad-role", "region-without-code", "unknown-region", "office-with-region",
        "short-password", "empty-stdin"])
def test_create_refuses_bad_input_and_writes_nothing(app, runner, regions, args, password,
                                                     message):
    result = create(runner, "newuser", *args, password=password)
    assert result.exit_code == 1
    assert result.output == message + "\n"
    assert users_in(app) == {}
    with make_sessionmaker(app.extensions["ledger.engine"])() as session:
        assert session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "user")).all() == []


def test_create_refuses_a_bad_username(app, runner):
    result = create(runner, "a b", "--role", "admin")
    assert result.exit_code == 1
    assert result.output.startswith("error: username: 3–50 letters")
    assert users_in(app) == {}


def test_create_refuses_a_duplicate(app, runner):
    assert create(runner, "admin1", "--role", "admin").exit_code == 0
    first_hash = users_in(app)["admin1"].password_hash
    result = create(runner, "admin1", "--role", "statistics", password="another-password")
    assert result.exit_code == 1
    assert result.output == "error: username: user admin1 already exists\n"
    users = users_in(app)
    assert list(users) == ["admin1"]
    assert (users["admin1"].role, users["admin1"].password_hash) == ("admin", first_hash)


def test_role_is_required(runner):
    result = runner.invoke(args=["users", "create", "x1234"], input=f"{PASSWORD}\n")
    assert result.exit_code == 2
    assert "Missing option '--role'" in result.output


def test_help_lists_the_roles(runner):
    result = runner.invoke(args=["users", "create", "--help"])
    assert result.exit_code == 0
    assert "admin, statistics, commerce, region" in result.output


# --- ledger users token ------------------------------------------------------------------------


def test_token_is_accepted_by_the_api_lookup(app, runner):
    assert create(runner, "admin1", "--role", "admin").exit_code == 0
    first = runner.invoke(args=["users", "token", "admin1"])
    second = runner.invoke(args=["users", "token", "admin1"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    raw1, raw2 = first.output.strip(), second.output.strip()
    assert raw1 != raw2 and len(raw1) >= 40
    with make_sessionmaker(app.extensions["ledger.engine"])() as session:
        assert user_for_token(session, raw1, utcnow()).username == "admin1"
        assert user_for_token(session, raw2, utcnow()).username == "admin1"
        assert user_for_token(session, raw1 + "x", utcnow()) is None
        tokens = session.scalars(sa.select(ApiToken)).all()
        assert len(tokens) == 2 and all(raw1 not in t.token_hash for t in tokens)
        ttl = timedelta(seconds=app.config["TOKEN_TTL"])
        for t in tokens:
            assert abs(t.expires_at - (utcnow() + ttl)) < timedelta(minutes=1)


def test_token_for_unknown_user(app, runner):
    result = runner.invoke(args=["users", "token", "nobody"])
    assert result.exit_code == 1
    assert result.output == "error: no active user nobody\n"
    with make_sessionmaker(app.extensions["ledger.engine"])() as session:
        assert session.scalars(sa.select(ApiToken)).all() == []


def test_token_for_deactivated_user(app, runner):
    assert create(runner, "admin1", "--role", "admin").exit_code == 0
    assert create(runner, "admin2", "--role", "admin").exit_code == 0  # the last one stays active
    with app.app_context():
        drive.update_user(Context(current.session(), ADMIN), users_in(app)["admin1"].id,
                          {"active": False})
    result = runner.invoke(args=["users", "token", "admin1"])
    assert result.exit_code == 1
    assert result.output == "error: no active user admin1\n"


# --- commands on a database that was never migrated --------------------------------------------


@pytest.mark.parametrize("args", [["users", "token", "admin1"], ["verify"],
                                  ["users", "create", "admin1", "--role", "admin",
                                   "--password-stdin"]])
def test_commands_on_an_unmigrated_database_ask_for_upgrade(empty_app, args):
    result = empty_app.test_cli_runner().invoke(args=args, input=f"{PASSWORD}\n")
    assert result.exit_code == 1
    head = migrate.head_revision()
    assert result.output.startswith("error: database sqlite:///")
    assert result.output.endswith(f"has no schema (head is {head}); run `ledger db upgrade`\n")
    assert sa.inspect(empty_app.extensions["ledger.engine"]).get_table_names() == []


def test_database_from_a_newer_ledger_is_not_touched(empty_app):
    engine = empty_app.extensions["ledger.engine"]
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
    result = empty_app.test_cli_runner().invoke(args=["verify"])
    assert result.exit_code == 1
    assert "is at revision ffffffffffff, unknown to this version of Ledger" in result.output
    assert "ledger db upgrade" not in result.output


# --- ledger verify -----------------------------------------------------------------------------


def test_verify_empty_ledger(runner):
    result = runner.invoke(args=["verify"])
    assert result.exit_code == 0, result.output
    assert result.output == "ok: 0 postings (empty ledger)\n"


@pytest.fixture
def postings(backend, app):
    """The worked example of docs/attribution.md: 4 postings, then returns their count."""
    world_ids = backend.restore("world")
    with app.app_context():
        world = World(current.session(), world_ids)
        project = world.project()
        world.agreement(project, share="30", first_year=2025)
        world.report(project, "2025-01", "10.05")
        world.report(project, "2025-02", "10.05")
    with make_sessionmaker(app.extensions["ledger.engine"])() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Posting))


def test_verify_ok_and_tampered(app, runner, postings):
    assert postings == 4
    result = runner.invoke(args=["verify"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: 4 postings, head seq 4 hash ")

    assert tamper(app, "UPDATE postings SET amount = amount + 1 WHERE seq = 2") == 1
    result = runner.invoke(args=["verify"])
    assert result.exit_code == 1
    assert "FAIL: seq 2: hash does not match its contents or predecessor" in result.output
    assert result.output.rstrip().endswith("first bad seq: 2")


# --- ledger doctor -----------------------------------------------------------------------------


def test_doctor_on_a_migrated_database(app, runner):
    result = runner.invoke(args=["doctor"])
    assert result.exit_code == 0, result.output
    line = [ln for ln in result.output.splitlines() if "database revision" in ln]
    assert line == [line[0]] and line[0].startswith("[ok] database revision: ")
    assert line[0].endswith(f"at head {migrate.head_revision()}")


def test_doctor_on_an_unmigrated_database(empty_app):
    result = empty_app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 1
    assert "[missing] database revision" in result.output
    assert "fix: ledger db upgrade" in result.output


def test_doctor_fails_clearly_without_the_harfbuzz_subsetter(app, runner, monkeypatch):
    """The 13 s render without libharfbuzz-subset0 never happens silently: `ledger doctor`
    names it, says how to install it and exits 1."""
    from ledger import doctor
    real = doctor.ctypes.util.find_library
    monkeypatch.setattr(doctor.ctypes.util, "find_library",
                        lambda name: None if name == "harfbuzz-subset" else real(name))
    result = runner.invoke(args=["doctor"])
    assert result.exit_code == 1, result.output
    [line] = [ln for ln in result.output.splitlines() if "harfbuzz-subset" in ln]
    assert line.startswith("[missing] harfbuzz-subset: libharfbuzz-subset not found")
    assert "~13 s per document" in line and line.endswith("fix: apt-get install libharfbuzz-subset0")
    [fonts_line] = [ln for ln in result.output.splitlines() if ln.startswith("[ok] cjk fonts")]
    assert "Noto Serif CJK SC" in fonts_line and ".tt" in fonts_line  # the file documents use


# --- coded refusals and the signing key --------------------------------------------------------


def test_a_coded_refusal_is_one_line_and_exit_status_1(app, runner, monkeypatch):
    """Every command turns a domain error into `error: <message>` on stderr, never a traceback
    (here `ledger verify`, whose reads refuse nothing on their own)."""
    from ledger.domain.errors import Conflict
    from ledger.queries import verification

    def refused(*args, **kwargs):
        raise Conflict("year.closed", year=2025)
    monkeypatch.setattr(verification, "verify_ledger", refused)
    result = runner.invoke(args=["verify"])
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", "error: assessment year 2025 is closed\n")
    assert isinstance(result.exception, SystemExit)


def test_demo_without_a_key_on_another_database_is_one_line(app, runner, monkeypatch, tmp_path):
    missing = tmp_path / "no-such-key.pem"
    monkeypatch.setitem(app.config, "SIGNING_KEY_FILE", str(missing))
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.stdout == "" and result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: the checkpoint signing key is not available (cannot "
                                    f"read the signing key {missing}: ")
    assert result.stderr.endswith("ask the administrator to configure LEDGER_SIGNING_KEY_FILE\n")
    assert not missing.exists()
    assert users_in(app) == {}  # refused before anything was written


def test_demo_without_a_key_in_a_real_process_has_no_traceback(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGER_", "FLASK_"))}
    env["LEDGER_DATABASE_URL"] = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    env["LEDGER_SIGNING_KEY_FILE"] = str(tmp_path / "no-such-key.pem")
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)  # this checkout's code
    assert ledger(env, "db", "upgrade").returncode == 0
    demo = ledger(env, "demo")
    assert demo.returncode == 1 and "Traceback" not in demo.stderr
    assert demo.stderr.startswith("error: the checkpoint signing key is not available")
    assert demo.stderr.count("\n") == 1


def test_demo_on_the_embedded_database_creates_the_development_key(tmp_path, monkeypatch):
    """The default database (SQLite under instance/): the key beside it is made on first need,
    and the command says so; the second run finds it."""
    from ledger import config, signing
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    app = create_app(TestingConfig)
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    key = tmp_path / "signing-key.pem"
    try:
        runner = app.test_cli_runner()
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        result = runner.invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        key_id = signing.key_id(signing.load_key(key).public_key())
        assert result.stderr.splitlines()[0] == (
            f"created the development signing key {key} (key id {key_id}) beside the embedded "
            "database; a deployment configures its own (LEDGER_SIGNING_KEY_FILE)")
        assert key.stat().st_mode & 0o777 == 0o600
        assert "assessment year 2024: closed" in result.stdout
        again = runner.invoke(args=["demo"])
        assert again.exit_code == 0 and "signing key" not in again.stderr
        assert runner.invoke(args=["verify"]).exit_code == 0
    finally:
        app.extensions["ledger.engine"].dispose()
