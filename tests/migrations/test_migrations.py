"""The migrations: up, down and up again on SQLite and PostgreSQL; they build exactly the schema
the models describe; their files form one linear, date-sortable history; every constraint is
named by the naming convention (SQLite needs the names to alter tables)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.orm import Session

import ledger.models  # noqa: F401  (registers every table)
from ledger import migrate
from ledger.db import Base, make_engine
from tests.snapshots import reset_postgres

VERSIONS = migrate.MIGRATIONS_DIR / "versions"
FILE_NAME = re.compile(r"(?P<date>\d{8}_\d{4})_(?P<rev>[0-9a-f]{12})_(?P<slug>[a-z0-9_]+)\.py")
MODEL_TABLES = set(Base.metadata.tables)


@contextmanager
def empty_database(request, backend: str, tmp_path: Path) -> Iterator[sa.Engine]:
    """An engine on an empty database (no tables, no alembic_version)."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
        try:
            yield engine
        finally:
            engine.dispose()
        return
    url = request.getfixturevalue("postgres_url")
    others = request.getfixturevalue("postgres_backend")  # the other tests' app on this database
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    try:
        yield engine
    finally:
        engine.dispose()
        reset_postgres(url)  # the other PostgreSQL tests expect the schema at head
        # Their app's pooled connections may hold statements prepared on the dropped tables.
        others.engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_engine(request, tmp_path):
    with empty_database(request, request.param, tmp_path) as engine:
        yield engine


@pytest.fixture
def empty_postgres_engine(request, tmp_path):
    with empty_database(request, "postgres", tmp_path) as engine:
        yield engine


def table_names(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def schema_diff(engine: sa.Engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def version_rows(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(sa.text("SELECT version_num FROM alembic_version")))


# --- up, down, up ------------------------------------------------------------------------


def test_upgrade_downgrade_upgrade(empty_engine):
    head = migrate.head_revision()
    assert table_names(empty_engine) == set()
    assert migrate.current_revision(empty_engine) is None

    migrate.upgrade(empty_engine)
    assert table_names(empty_engine) == MODEL_TABLES | {"alembic_version"}
    assert version_rows(empty_engine) == [head]
    assert migrate.current_revision(empty_engine) == head

    migrate.upgrade(empty_engine)  # at head already: nothing to do, nothing breaks
    assert version_rows(empty_engine) == [head]

    migrate.downgrade(empty_engine, "base")
    assert table_names(empty_engine) <= {"alembic_version"}
    if "alembic_version" in table_names(empty_engine):
        assert version_rows(empty_engine) == []
    assert migrate.current_revision(empty_engine) is None

    migrate.upgrade(empty_engine)
    assert table_names(empty_engine) == MODEL_TABLES | {"alembic_version"}
    assert migrate.current_revision(empty_engine) == head
    assert schema_diff(empty_engine) == []


@pytest.mark.postgres
def test_downgrade_leaves_no_postgres_objects_behind(empty_postgres_engine):
    engine = empty_postgres_engine
    migrate.upgrade(engine)
    migrate.downgrade(engine, "base")
    with engine.connect() as conn:
        sequences = conn.scalars(sa.text(
            "SELECT sequence_name FROM information_schema.sequences "
            "WHERE sequence_schema = 'public'")).all()
        types = conn.scalars(sa.text(
            "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd')")).all()
    assert sequences == []
    assert types == []


def test_each_revision_steps_down_and_up(empty_engine):
    """Every step of the history, one at a time, both ways."""
    revisions = [s.revision for s in ScriptDirectory(str(migrate.MIGRATIONS_DIR)).walk_revisions()]
    revisions.reverse()  # base first
    for rev in revisions:
        migrate.upgrade(empty_engine, rev)
        assert migrate.current_revision(empty_engine) == rev
    for previous in reversed([None, *revisions[:-1]]):
        migrate.downgrade(empty_engine, "-1")
        assert migrate.current_revision(empty_engine) == previous
    assert table_names(empty_engine) <= {"alembic_version"}


# --- the models and the migrations agree -------------------------------------------------


def test_migrated_schema_matches_the_models(empty_engine):
    migrate.upgrade(empty_engine)
    assert schema_diff(empty_engine) == []


def test_schema_diff_is_not_blind(empty_engine):
    """compare_metadata does see a difference (so the empty diff above means something)."""
    migrate.upgrade(empty_engine)
    with empty_engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_postings_recorded_at_seq")
    diff = schema_diff(empty_engine)
    assert [d[0] for d in diff] == ["add_index"]
    assert diff[0][1].name == "ix_postings_recorded_at_seq"


def test_at_head_every_change_of_the_regions_moves_their_version(empty_engine):
    """The triggers that set the regions' version anew (the kept region tree relies on them)
    exist at head: a later migration that rebuilds `regions` (SQLite's batch ALTER copies the
    table) would drop them silently, and the schema comparison does not see triggers."""
    migrate.upgrade(empty_engine)
    changes = ["INSERT INTO regions (code, name, level, created_at) "
               "VALUES ('990000', '试验省', 'province', CURRENT_TIMESTAMP)",
               "UPDATE regions SET name = '试验' WHERE code = '990000'",
               "DELETE FROM regions WHERE code = '990000'"]
    with empty_engine.begin() as conn:
        seen = [conn.scalar(sa.text("SELECT token FROM regions_version"))]
        for change in changes:
            conn.execute(sa.text(change))
            seen.append(conn.scalar(sa.text("SELECT token FROM regions_version")))
    assert len(set(seen)) == len(seen), seen


# --- constraint names ----------------------------------------------------------------------


def reflected_constraints(engine: sa.Engine) -> dict[str, dict[str, set]]:
    insp = sa.inspect(engine)
    found = {}
    for table in sorted(MODEL_TABLES):
        found[table] = {
            "pk": {insp.get_pk_constraint(table).get("name")},
            "fk": {fk.get("name") for fk in insp.get_foreign_keys(table)},
            "uq": {uq.get("name") for uq in insp.get_unique_constraints(table)},
            "ck": {ck.get("name") for ck in insp.get_check_constraints(table)},
            # PostgreSQL also lists the index behind each unique constraint
            "ix": {ix.get("name") for ix in insp.get_indexes(table)
                   if "duplicates_constraint" not in ix},
        }
    return found


def model_constraints() -> dict[str, dict[str, set]]:
    expected = {}
    for name, table in Base.metadata.tables.items():
        kinds = {"pk": set(), "fk": set(), "uq": set(), "ck": set(), "ix": set()}
        for constraint in table.constraints:
            kind = {sa.PrimaryKeyConstraint: "pk", sa.ForeignKeyConstraint: "fk",
                    sa.UniqueConstraint: "uq", sa.CheckConstraint: "ck"}[type(constraint)]
            kinds[kind].add(str(constraint.name))
        kinds["ix"] = {str(ix.name) for ix in table.indexes}
        expected[name] = kinds
    return expected


def test_every_constraint_has_its_conventional_name(empty_engine):
    migrate.upgrade(empty_engine)
    found = reflected_constraints(empty_engine)
    for table, kinds in found.items():
        for kind, names in kinds.items():
            assert None not in names, f"{table}: unnamed {kind} constraint"
            prefix = "ix_" if kind == "ix" else f"{kind}_{table}"
            for name in names:
                assert name.startswith(prefix), f"{table}: {kind} {name!r} not named {prefix}…"
    # And the database has exactly the names the models give (none truncated or renamed).
    assert found == model_constraints()


def test_the_models_have_checks_and_foreign_keys_to_name():
    """The naming test above is not vacuous."""
    expected = model_constraints()
    assert "ck_users_role" in expected["users"]["ck"]
    assert "fk_users_region_code_regions" in expected["users"]["fk"]
    assert "uq_users_username" in expected["users"]["uq"]
    assert expected["users"]["pk"] == {"pk_users"}
    assert sum(len(k["ck"]) for k in expected.values()) >= 10


# --- the revision files --------------------------------------------------------------------


def revision_files() -> list[Path]:
    return sorted(p for p in VERSIONS.glob("*.py"))


def test_revision_files_are_named_date_rev_slug():
    files = revision_files()
    assert files, "no migrations"
    script = ScriptDirectory(str(migrate.MIGRATIONS_DIR))
    for path in files:
        match = FILE_NAME.fullmatch(path.name)
        assert match, f"{path.name} is not YYYYMMDD_HHMM_<rev>_<slug>.py"
        rev = script.get_revision(match["rev"])
        assert rev is not None and Path(rev.path).name == path.name
        created = re.search(r"^Create Date: (\S+ \d\d:\d\d)", rev.module.__doc__ or "", re.M)
        assert created, f"{path.name} has no Create Date"
        assert datetime.strptime(match["date"], "%Y%m%d_%H%M") == datetime.strptime(
            created[1], "%Y-%m-%d %H:%M")


def test_history_is_single_and_linear_and_in_file_name_order():
    script = ScriptDirectory(str(migrate.MIGRATIONS_DIR))
    assert len(script.get_heads()) == 1
    assert len(script.get_bases()) == 1
    history = list(reversed(list(script.walk_revisions())))  # base first
    for previous, current in zip([None, *history], history):
        assert not current.is_merge_point and not current.branch_labels
        assert current.down_revision == (previous.revision if previous else None)
    # Every file is in the history, and sorting the file names sorts the history.
    assert [Path(r.path).name for r in history] == [p.name for p in revision_files()]
    assert history[-1].revision == migrate.head_revision()


def test_revision_files_carry_no_alembic_boilerplate():
    for path in revision_files():
        text = path.read_text(encoding="utf-8")
        assert "please adjust" not in text and "end Alembic commands" not in text, path.name


def test_new_revision_gets_a_date_sortable_name(tmp_path, monkeypatch, sqlite_template):
    """`ledger.migrate.revision` (behind `ledger db revision`) writes the same kind of name,
    and writes nothing when the models and the database agree."""
    copy = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", copy)
    db = tmp_path / "ledger.sqlite3"
    shutil.copy(sqlite_template, db)
    engine = make_engine(f"sqlite:///{db}")
    try:
        assert migrate.revision(engine, "nothing changed") is None
        path = migrate.revision(engine, "Add zone notes", autogenerate=False)
    finally:
        engine.dispose()
    match = FILE_NAME.fullmatch(path.name)
    assert match and match["slug"] == "add_zone_notes", path.name
    assert path.parent == copy / "versions"
    new = ScriptDirectory(str(copy)).get_revision(match["rev"])
    assert new.down_revision == ScriptDirectory(str(VERSIONS.parent)).get_current_head()
    assert sorted(p.name for p in (copy / "versions").glob("*.py"))[-1] == path.name


# --- the journal's migration, with data ----------------------------------------------------------

JOURNAL_REVISION = "dab66c1dcf4a"


def _old_posting_hash(**row) -> str:
    """A posting as Ledger wrote it before the journal (hash_version 1, no host)."""
    from ledger.models import Posting
    from ledger.postings import GENESIS_HASH, chain_hash
    return chain_hash(GENESIS_HASH, Posting(hash_version=1, **row))


def test_the_journal_migration_chains_the_old_audit_log_and_starts_the_replay(empty_engine):
    """A database from before the journal: its audit rows (with gaps in their ids) are chained,
    the host of its postings is filled in, a baseline entry records every fact as the tables
    held them — and `verify` then passes, and still catches a change made after."""
    from ledger.postings import verify
    migrate.upgrade(empty_engine, "08e63a0a4bc9")
    when = datetime(2025, 2, 1, 8, 0, 0, 123456)
    posting = dict(seq=1, project_id=1, agreement_id=None, version=None, region_code="640181",
                   role="host", period="2025-01", amount=1005, cause="report:1/2025-01 r1",
                   recorded_at=when.replace(tzinfo=UTC))
    statements = [
        ("INSERT INTO regions (code, name, level, parent_code, created_at) VALUES "
         "('640000', '宁夏回族自治区', 'province', NULL, :t), ('640100', '银川市', 'prefecture', "
         "'640000', :t), ('640181', '灵武市', 'county', '640100', :t), "
         "('640104', '兴庆区', 'county', '640100', :t)", {}),
        ("INSERT INTO zones (id, name, level, kind, region_code, blocks, leading_industries, "
         "restricted_industries, created_at, row_version) VALUES (1, '灵武园区', 'provincial', "
         "'industrial', '640181', '[\"一区\"]', '[\"C26\"]', '[]', :t, 1)", {}),
        ("INSERT INTO users (id, username, password_hash, role, region_code, active, created_at, "
         "row_version) VALUES (1, 'lingwu', 'x', 'region', '640181', true, :t, 1)", {}),
        ("INSERT INTO projects (id, name, investor_name, investor_credit_code, investor_foreign, "
         "industry_code, project_code, planned_investment, zone_id, host_code, stage, signed_on, "
         "started_on, created_at, row_version) VALUES (1, '项目', '某公司', '91640000710600058B', "
         "false, 'C2614', NULL, 100000, 1, '640181', 'under_construction', '2024-03-01', "
         "'2024-04-01', :t, 1)", {}),
        ("INSERT INTO investment_reports (id, project_id, period, revision, amount, note, "
         "reported_by, reported_at) VALUES (1, 1, '2025-01', 1, 1005, '', 1, :t)", {}),
        ("INSERT INTO agreements (id, number, project_id, recommender_code, receiver_code, "
         "created_at, row_version) VALUES (1, 'XY-2025-0001', 1, '640104', '640181', :t, 2)", {}),
        ("INSERT INTO agreement_versions (id, agreement_id, version, status, recommender_share, "
         "first_year, signed_on, recommender_signatory, receiver_signatory, reason, proposed_by, "
         "created_at) VALUES (1, 1, 1, 'draft', 3000, 2025, '2025-01-10', '甲', '乙', '理由', "
         "'receiver', :t)", {}),
        ("INSERT INTO agreement_events (id, agreement_id, version, action, to_status, actor_id, "
         "actor_role, actor_region, at) VALUES (1, 1, 1, 'create', 'draft', 1, 'region', "
         "'640181', :t)", {}),
        ("INSERT INTO assessment_years (year, status, changed_at) VALUES (2024, 'closed', :t)", {}),
        ("INSERT INTO year_events (id, year, action, actor_id, at) VALUES (1, 2024, 'close', NULL, :t)", {}),
        ("INSERT INTO postings (seq, project_id, agreement_id, version, region_code, role, period, "
         "amount, cause, recorded_at, hash_version, prev_hash, hash) VALUES (1, 1, NULL, NULL, "
         "'640181', 'host', '2025-01', 1005, 'report:1/2025-01 r1', :when, 1, :genesis, :hash)",
         {"when": when, "genesis": "0" * 64, "hash": _old_posting_hash(**posting)}),
        ("INSERT INTO audit_log (id, at, actor_id, actor_username, actor_role, action, entity, "
         "entity_id, before, after) VALUES "
         "(3, :t, NULL, 'cli', 'admin', 'region.create', 'region', '640181', NULL, "
         "'{\"code\": \"640181\", \"name\": \"灵武市\"}'), "
         "(7, :t, 1, 'lingwu', 'region', 'investment.report', 'project', '1', NULL, "
         "'{\"period\": \"2025-01\", \"revision\": 1, \"amount\": \"10.05\", \"postings\": [1]}')", {}),
    ]
    with empty_engine.begin() as conn:
        for sql, params in statements:
            conn.execute(sa.text(sql), {"t": datetime(2025, 1, 5, 9, 0, 0)} | params)
    migrate.upgrade(empty_engine)

    with empty_engine.connect() as conn:
        ids = conn.scalars(sa.text("SELECT id FROM audit_log ORDER BY id")).all()
        assert ids == [1, 2, 3]  # renumbered without gaps; the baseline is the third
        assert conn.scalar(sa.text("SELECT action FROM audit_log WHERE id = 3")) == "journal.baseline"
        assert conn.scalar(sa.text("SELECT host_code FROM postings WHERE seq = 1")) == "640181"
    with Session(empty_engine) as session:
        result = verify(session)
        assert result.ok, result.problems
        assert (result.journal_entries, result.postings, result.checkpoints) == (3, 1, 0)
    with empty_engine.begin() as conn:  # and a change behind the journal's back is caught
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        conn.execute(sa.text("UPDATE investment_reports SET amount = 1006"))
    with Session(empty_engine) as session:
        result = verify(session)
        assert not result.ok and result.first_bad_entry == 3, result.problems


def test_the_balances_migration_refills_them_from_the_postings(app, session, world):
    """Per role down, per region up: both refills sum the postings as the application does
    (recommender postings included), so verify passes after each and the figures come back."""
    p = world.project()
    world.report(p, "2025-01", "10.05")
    world.agreement(p, share="30", first_year=2025)
    world.report(p, "2025-02", "7.77")
    session.commit()
    from ledger.postings import verify
    figures = sa.text("SELECT year, region_code, in_place, ceded, credited FROM balances "
                      "ORDER BY year, region_code")
    before = session.execute(figures).all()
    assert any(row.ceded and row.credited == 0 for row in before)  # the host cedes
    assert any(row.credited and row.in_place == 0 for row in before)  # the recommender
    session.close()
    engine = app.extensions["ledger.engine"]
    try:
        migrate.downgrade(engine, "7b3f9c2d1e48")
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM balances WHERE role = 'recommender'"))
        migrate.upgrade(engine)
    finally:
        engine.dispose()  # pooled connections may hold plans of the dropped tables
    with Session(engine) as fresh:
        assert fresh.execute(figures).all() == before
        result = verify(fresh)
        assert result.ok, result.problems


def test_the_funds_by_source_migration_refills_the_moves_and_balances(app, session, world):
    """From the receipts' revisions (a correction to another year and source, a void, two
    hosts): the same moves at the same times, so the split as of any time comes back, and the
    same balances."""
    from datetime import date

    from ledger.commands import funds
    from ledger.commands.inputs import FundsChange, FundsRow
    from ledger.postings import verify

    p = world.project()
    q = world.project(host=world.xingqing, zone=world.zone_xq, industry_code="C3811")
    lingwu, xingqing = world.ctx(world.lingwu), world.ctx(world.xingqing)

    def receive(ctx, project_id, on, amount, source):
        return funds.record_funds(ctx, FundsRow(
            row=1, project_id=project_id, received_on=date.fromisoformat(on), amount=amount,
            source=source, payer="宁夏某某有限公司")).receipt.id

    kept = receive(lingwu, p.id, "2025-03-10", 1000, "domestic")
    moved = receive(lingwu, p.id, "2025-04-10", 2000, "foreign")
    receive(xingqing, q.id, "2025-05-10", 500, "foreign")
    funds.correct_funds(lingwu, p.id, moved, FundsChange(
        received_on=date(2024, 12, 30), source="domestic", reason="按入账日更正"), None)
    funds.void_funds(lingwu, p.id, kept, "重复录入", None)
    session.commit()
    moves = sa.text("SELECT year, host_code, source, amount, recorded_at FROM funds_source_moves "
                    "ORDER BY recorded_at, year, host_code, source")
    sums = sa.text(" UNION ALL ".join(  # the split kept in the funds line's balance rows
        f"SELECT year, region_code, '{source}', in_place_{source} FROM balances "
        f"WHERE indicator = 'funds_in_place' AND in_place_{source} <> 0"
        for source in ("domestic", "foreign")) + " ORDER BY 1, 2, 3")
    before = session.execute(moves).all(), session.execute(sums).all()
    assert len(before[0]) == 6  # 3 receipts in, the correction out and in, the void out
    assert before[1] == [(2024, world.lingwu.region_code, "domestic", 2000),
                         (2025, world.xingqing.region_code, "foreign", 500)]
    session.close()
    engine = app.extensions["ledger.engine"]
    try:
        migrate.downgrade(engine, "5b8e0c3d7f21")
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    with Session(engine) as fresh:
        assert (fresh.execute(moves).all(), fresh.execute(sums).all()) == before
        result = verify(fresh)
        assert result.ok, result.problems


def test_the_split_in_balances_migration_moves_every_sum_both_ways(empty_engine):
    """The source balances' sums go into the funds line's balance rows, a row made (its
    figures zero) for a sum with no balance row, and come back on the way down."""
    migrate.upgrade(empty_engine, "b7e3d91c4f28")
    with empty_engine.begin() as conn:
        for code, parent in (("640000", None), ("640100", "640000"), ("640181", "640100")):
            conn.execute(sa.text("INSERT INTO regions (code, name, level, parent_code, "
                                 "created_at) VALUES (:c, :c, 'county', :p, CURRENT_TIMESTAMP)"),
                         {"c": code, "p": parent})
        conn.execute(sa.text(
            "INSERT INTO balances (year, indicator, region_code, in_place, ceded, credited) "
            "VALUES (2025, 'funds_in_place', '640181', 1500, 300, 0), "
            "(2025, 'completed_investment', '640181', 9000, 0, 0)"))
        conn.execute(sa.text(
            "INSERT INTO funds_source_balances (year, host_code, source, amount) VALUES "
            "(2025, '640181', 'domestic', 1000), (2025, '640181', 'foreign', 500), "
            "(2024, '640100', 'foreign', 70), (2024, '640100', 'domestic', 0)"))
    kept = sa.text("SELECT year, indicator, region_code, in_place, ceded, credited, "
                   "in_place_domestic, in_place_foreign FROM balances ORDER BY 1, 2, 3")
    sums = sa.text("SELECT year, host_code, source, amount FROM funds_source_balances "
                   "WHERE amount <> 0 ORDER BY 1, 2, 3")
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as conn:
        assert conn.execute(kept).all() == [
            (2024, "funds_in_place", "640100", 0, 0, 0, 0, 70),
            (2025, "completed_investment", "640181", 9000, 0, 0, 0, 0),
            (2025, "funds_in_place", "640181", 1500, 300, 0, 1000, 500)]
    migrate.downgrade(empty_engine, "b7e3d91c4f28")
    with empty_engine.connect() as conn:
        assert conn.execute(sums).all() == [(2024, "640100", "foreign", 70),
                                            (2025, "640181", "domestic", 1000),
                                            (2025, "640181", "foreign", 500)]


def test_the_events_migration_aligns_older_times_and_makes_the_events_append_only(
        app, session, world):
    """Before it, a command read the clock once for a row and again for its journal entry:
    the migration sets each such time to its entry's (microseconds apart), leaves a time moved
    further for verify to name, and on PostgreSQL makes the event tables append-only."""
    from datetime import timedelta

    from ledger import documents
    from ledger.models import AgreementEvent, AssessmentYear, IssuedDocument, YearEvent
    from ledger.postings import verify
    from ledger.signing import public_keys
    rev = "4f1d8b6e2a90"
    p = world.project()
    world.report(p, "2025-01", "10.05")
    a = world.agreement(p, share="30", first_year=2025)
    world.close(2024)
    ctx = world.ctx(world.statistics)
    documents.issued(ctx, documents.checkpointed(ctx, documents.filing(ctx, a.id)), 1)
    session.commit()
    number, last_event = a.number, max(e.id for e in a.events)
    keys = public_keys(app.config["SIGNING_KEY_FILE"])
    session.close()
    engine = app.extensions["ledger.engine"]
    moved = [(AgreementEvent, "at", timedelta(microseconds=-37)),
             (YearEvent, "at", timedelta(microseconds=-5)),
             (AssessmentYear, "changed_at", timedelta(microseconds=-5)),
             (IssuedDocument, "first_issued_at", timedelta(microseconds=-12))]
    try:
        migrate.downgrade(engine, ScriptDirectory(str(migrate.MIGRATIONS_DIR))
                          .get_revision(rev).down_revision)
        with engine.begin() as conn:  # the times as the older commands wrote them
            if conn.dialect.name == "postgresql":  # the register is append-only already
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for model, column, delta in moved:
                table = model.__table__
                c = table.c[column]
                key = next(iter(table.primary_key.columns))
                rows = conn.execute(sa.select(key, c)).all()
                assert rows, model  # each kind of time has a row to move
                for k, at in rows:
                    conn.execute(sa.update(table).where(key == k).values({column: at + delta}))
            table = AgreementEvent.__table__  # and one moved by an intruder
            at = conn.scalar(sa.select(table.c.at).where(table.c.id == last_event))
            conn.execute(sa.update(table).where(table.c.id == last_event)
                         .values(at=at - timedelta(days=60)))
        # (verify is today's code, which reads today's schema: it runs after the upgrade)
        migrate.upgrade(engine)
    finally:
        engine.dispose()  # pooled connections may hold plans of the altered tables
    with Session(engine) as fresh:
        result = verify(fresh, keys)
    events = len(a.events)
    assert result.problems == [f"journal entry {result.first_bad_entry}: agreement {number}: "
                               f"workflow event {events} differs in agreement_events (at)"]
    if engine.dialect.name == "postgresql":
        for table in ("agreement_events", "year_events"):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                with engine.begin() as conn:
                    conn.exec_driver_sql(f"UPDATE {table} SET at = at")


def test_the_hashes_migration_keeps_every_hash_and_the_ledger_verifying(app, session, world):
    """Hex text down, 32 bytes up: the same hashes (the chains' encoding is unchanged), the
    predecessor's hash restored on the way down as the previous row's, and `ledger verify`
    passing on the migrated ledger — postings, journal and the year's signed checkpoint."""
    from ledger.models import AuditEntry, Checkpoint, Posting
    from ledger.postings import verify
    from ledger.postings.chain import GENESIS_HASH
    from ledger.signing import public_keys
    p = world.project()
    world.report(p, "2024-05", "10.05")
    world.agreement(p, share="30", first_year=2024)
    world.report(p, "2024-06", "7.77")
    world.close(2024)
    session.commit()
    keys = public_keys(app.config["SIGNING_KEY_FILE"])
    hashes = {"postings": session.execute(sa.select(Posting.seq, Posting.hash)
                                          .order_by(Posting.seq)).all(),
              "audit_log": session.execute(sa.select(AuditEntry.id, AuditEntry.hash)
                                           .order_by(AuditEntry.id)).all()}
    checkpoint = session.execute(sa.select(Checkpoint.journal_hash, Checkpoint.postings_hash)).one()
    assert len(hashes["postings"]) > 2 and checkpoint
    session.close()
    engine = app.extensions["ledger.engine"]
    try:
        migrate.downgrade(engine, "a8624443c510")
        with engine.connect() as conn:  # the schema before: hex text, and each predecessor's
            for table, key in (("postings", "seq"), ("audit_log", "id")):
                rows = conn.execute(sa.text(f"SELECT {key}, prev_hash, hash FROM {table} "
                                            f"ORDER BY {key}")).all()
                assert [(k, h) for k, _, h in rows] == hashes[table]
                assert [prev for _, prev, _ in rows] == [GENESIS_HASH] + [h for _, _, h in rows[:-1]]
            assert tuple(conn.execute(sa.text(
                "SELECT journal_hash, postings_hash FROM checkpoints")).one()) == tuple(checkpoint)
        migrate.upgrade(engine)
    finally:
        engine.dispose()  # pooled connections may hold plans of the altered tables
    with Session(engine) as fresh:
        assert fresh.execute(sa.select(Posting.seq, Posting.hash)
                             .order_by(Posting.seq)).all() == hashes["postings"]
        raw = fresh.execute(sa.text("SELECT hash FROM postings ORDER BY seq")).scalars().first()
        assert bytes(raw).hex() == hashes["postings"][0][1]  # stored as its 32 bytes
        result = verify(fresh, keys)
        assert result.ok and result.checkpoints == 1, result.problems
