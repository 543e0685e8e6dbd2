"""Tampering by direct SQL — an intruder with full write access to the database (on PostgreSQL
switching the append-only triggers off, as a superuser can) — each case of the integrity issue:
`ledger verify` exits 1 and names the journal entry, posting or checkpoint that no longer holds.
The figures themselves are sums of chained postings, so a changed table row does not move them."""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from ledger.db import YEAR_OF_PERIOD
from datetime import datetime, timedelta

from ledger import current, documents
from ledger.models import (
    AgreementEvent, AssessmentYear, AuditEntry, Balance, InvestmentReport, IssuedDocument, Posting,
    YearEvent,
)
from ledger.postings import balances, chain, journal
from ledger.postings.balances import SUMMED
from ledger.queries.attribution import region_totals
from tests.helpers import tamper, verify

LW, XQ, PL = "640181", "640104", "640221"


@dataclass
class Ledger:
    project: int
    other: int
    agreement: int
    number: str
    first_revision: int   # journal entry of 2025-01 r1
    newest_revision: int  # journal entry of 2025-01 r2 (the last report)
    close: int            # journal entry closing 2024
    filing: int           # journal entry that filed the agreement


def entry(session, action: str, entity_id=None, **after) -> int:
    """The newest journal entry of `action` (about `entity_id`) whose `after` holds these values."""
    query = sa.select(AuditEntry).where(AuditEntry.action == action)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == str(entity_id))
    for e in session.scalars(query.order_by(AuditEntry.id.desc())):
        values = journal.parsed(e.after)
        if all(values.get(k) == v for k, v in after.items()):
            return e.id
    raise LookupError(action)


@pytest.fixture
def ledger(world, session) -> Ledger:
    p = world.project()
    other = world.project(host=world.xingqing, zone=world.zone_xq, industry_code="C3811")
    world.report(other, "2024-06", "1.00", host=world.xingqing)
    world.report(p, "2025-01", "10.05")
    world.report(p, "2025-02", "10.05")
    a = world.agreement(p, share="30", first_year=2025)
    world.close(2024)  # a signed checkpoint of the ledger as closed
    world.report(p, "2025-01", "20.00")
    session.commit()
    return Ledger(p.id, other.id, a.id, a.number,
                  entry(session, "investment.report", period="2025-01", revision=1),
                  entry(session, "investment.report", period="2025-01", revision=2),
                  entry(session, "year.close"), entry(session, "agreement.acknowledge",
                                                      status="filed"))


def rebalance(app) -> None:
    """What a consistent intruder does after changing postings: recompute the running balances
    from them (they are derived, so this alone is not evidence)."""
    with app.extensions["ledger.engine"].begin() as conn:
        conn.execute(sa.delete(Balance))
        conn.execute(sa.insert(Balance).from_select(["year", "indicator", "region_code", *SUMMED],
                                                    sa.select(balances.from_postings())))


def check(app, *, entry: int | None = None, says: str, seq: int | None = None):
    """verify fails naming `entry` (the first bad journal entry) or posting `seq`, with a
    problem containing `says`; so does `ledger verify` (exit code 1)."""
    with app.extensions["ledger.sessionmaker"]() as s:
        result = verify(s, app)
    assert not result.ok
    assert any(says in p for p in result.problems), result.problems
    if entry is not None:
        assert result.first_bad_entry == entry, result.problems
    if seq is not None:
        assert result.first_bad_seq == seq, result.problems
    out = app.test_cli_runner().invoke(args=["verify"])
    assert out.exit_code == 1
    if entry is not None:
        assert f"first bad journal entry: {entry}" in out.output
    return result


def test_the_untouched_ledger_verifies(app, ledger):
    with app.extensions["ledger.sessionmaker"]() as s:
        result = verify(s, app)
    assert result.ok, result.problems
    assert result.checkpoints == 1 and result.journal_entries > 40


def test_moving_a_project_to_another_host(app, session, ledger):
    before = region_totals(session, 2025)
    session.rollback()
    project_entry = entry(session, "project.stage", ledger.project)  # its newest entry
    tamper(app, "UPDATE projects SET host_code = :pl WHERE id = :id", pl=PL, id=ledger.project)
    check(app, entry=project_entry, says=f"project {ledger.project}: host_code in projects")
    # The figures are sums of chained postings: they do not move.
    session.expire_all()
    after = region_totals(session, 2025)
    assert {c: (r.in_place, r.ceded, r.credited) for c, r in after.items()} == \
        {c: (r.in_place, r.ceded, r.credited) for c, r in before.items()}


def test_editing_an_older_report_revision(app, ledger):
    tamper(app, "UPDATE investment_reports SET amount = 99999 WHERE project_id = :p AND "
                "period = '2025-01' AND revision = 1", p=ledger.project)
    check(app, entry=ledger.first_revision, says="amount in investment_reports differ")


def test_deleting_an_older_report_revision(app, ledger):
    tamper(app, "DELETE FROM investment_reports WHERE project_id = :p AND period = '2025-01' "
                "AND revision = 1", p=ledger.project)
    check(app, entry=ledger.first_revision, says="is missing from investment_reports")


def test_deleting_the_newest_revision_with_its_postings(app, session, ledger):
    tail = session.scalars(sa.select(Posting.seq).where(
        Posting.cause == f"report:{ledger.project}/2025-01 r2")).all()
    assert tail
    tamper(app, "DELETE FROM investment_reports WHERE project_id = :p AND period = '2025-01' "
                "AND revision = 2", p=ledger.project)
    tamper(app, f"DELETE FROM postings WHERE seq IN ({', '.join(map(str, tail))})")
    check(app, entry=ledger.newest_revision, says="no longer hold their head")


def test_reopening_a_closed_year_by_sql(app, ledger):
    tamper(app, "UPDATE assessment_years SET status = 'open' WHERE year = 2024")
    check(app, entry=ledger.close, says="assessment year 2024: status")


def test_deleting_agreement_events(app, session, ledger):
    first = session.scalar(sa.select(sa.func.min(AgreementEvent.id))
                           .where(AgreementEvent.agreement_id == ledger.agreement))
    tamper(app, "DELETE FROM agreement_events WHERE id = :id", id=first)
    check(app, says=f"agreement {ledger.number}: workflow event 1 differs",
          entry=entry(session, "agreement.create"))


@pytest.mark.parametrize("column,value", [("filing_number", "统备〔2026〕99号"),
                                          ("filed_on", "2020-01-01")])
def test_forging_a_filing(app, ledger, column, value):
    tamper(app, f"UPDATE agreement_versions SET {column} = :v WHERE agreement_id = :a",
           v=value, a=ledger.agreement)
    check(app, entry=ledger.filing, says=f"{column} in agreement_versions differ")


def test_editing_a_journal_entry(app, ledger):
    tamper(app, "UPDATE audit_log SET actor_username = 'someone' WHERE id = :id",
           id=ledger.first_revision)
    check(app, entry=ledger.first_revision, says=f"journal entry {ledger.first_revision}: hash")


def test_deleting_a_journal_entry(app, ledger):
    tamper(app, "DELETE FROM audit_log WHERE id = :id", id=ledger.first_revision)
    check(app, entry=ledger.first_revision,
          says=f"journal entry {ledger.first_revision} is missing")


def test_rehashing_both_chains_after_an_edit(app, session, ledger):
    """The intruder edits a report, posts the difference and recomputes every hash after it,
    so both chains and the replay agree again. The checkpoint signed at the year's close —
    which the intruder cannot re-sign — no longer matches the chains."""
    with app.extensions["ledger.sessionmaker"]() as s, s.begin():
        if s.get_bind().dialect.name == "postgresql":
            s.connection().exec_driver_sql("SET LOCAL session_replication_role = replica")
        report = s.scalar(sa.select(InvestmentReport).where(
            InvestmentReport.project_id == ledger.other, InvestmentReport.period == "2024-06"))
        report.amount = 500
        host_posting = s.scalar(sa.select(Posting).where(Posting.project_id == ledger.other))
        host_posting.amount = 500
        prev = chain.GENESIS_HASH
        for p in s.scalars(sa.select(Posting).order_by(Posting.seq)):
            p.hash = chain.chain_hash(prev, p)
            prev = p.hash
        hashes = dict(s.execute(sa.select(Posting.seq, Posting.hash)).all())
        prev = chain.GENESIS_HASH
        for e in s.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)):
            after = journal.parsed(e.after)
            if e.action == "investment.report" and after["period"] == "2024-06":
                e.after = journal.canonical(after | {"amount": "5.00"})
            e.postings_hash = hashes.get(e.postings_seq, chain.GENESIS_HASH)
            e.hash = journal.chain_hash(prev, e)
            prev = e.hash
    rebalance(app)
    result = check(app, says="no longer holds entry")
    assert all("checkpoint" in p for p in result.problems), result.problems
    assert result.first_bad_entry is None and result.first_bad_seq is None


def rehash_journal_from(app, seq: int, **after) -> None:
    """Set values in the `after` of journal entry `seq` and recompute every hash from it on, as
    an intruder who knows the encoding would."""
    with app.extensions["ledger.sessionmaker"]() as s, s.begin():
        if s.get_bind().dialect.name == "postgresql":
            s.connection().exec_driver_sql("SET LOCAL session_replication_role = replica")
        prev = s.scalar(sa.select(AuditEntry.hash).where(AuditEntry.id == seq - 1))
        for e in s.scalars(sa.select(AuditEntry).where(AuditEntry.id >= seq).order_by(AuditEntry.id)):
            if e.id == seq:
                e.after = journal.canonical(journal.parsed(e.after) | after)
            e.hash = journal.chain_hash(prev, e)
            prev = e.hash


@pytest.mark.parametrize("amount,says", [
    # not the application's form but an amount: read exactly (20.10), so it contradicts the table
    ("20.1", "amount in investment_reports differ from the journal"),
    ("020.00", "not facts the application records"),  # no amount at all: named, not a crash
    ("2e1", "not facts the application records"),
    ("-20.00", "not facts the application records"),
    ("1000000000000.01", "not facts the application records"),
])
def test_a_rehashed_amount_the_application_never_writes(app, ledger, amount, says):
    """The newest report revision, after the last checkpoint, rewritten with its hashes: no
    signature notices, the replay does — reading the amount as parse_amount would."""
    rehash_journal_from(app, ledger.newest_revision, amount=amount)
    check(app, entry=ledger.newest_revision, says=says)


def test_a_journal_entry_that_is_not_json(app, ledger):
    tamper(app, "UPDATE audit_log SET after = '{\"amount\": ' WHERE id = :id",
           id=ledger.newest_revision)
    check(app, entry=ledger.newest_revision,
          says=f"journal entry {ledger.newest_revision}: hash does not match")


def test_a_truncated_tail_is_caught_by_the_head_kept_elsewhere(app, session, ledger):
    """Dropping the newest journal entry, its report and its postings leaves a consistent
    prefix; the head recorded elsewhere (`--expect-head`) is no longer there."""
    kept = session.execute(sa.select(AuditEntry.id, AuditEntry.hash)
                           .order_by(AuditEntry.id.desc()).limit(1)).one()
    ok = app.test_cli_runner().invoke(args=["verify", "--expect-head", f"{kept.id}:{kept.hash}"])
    assert ok.exit_code == 0, ok.output
    tail = session.scalars(sa.select(Posting.seq).where(
        Posting.cause == f"report:{ledger.project}/2025-01 r2")).all()
    tamper(app, "DELETE FROM audit_log WHERE id = :id", id=kept.id)
    tamper(app, f"DELETE FROM postings WHERE seq IN ({', '.join(map(str, tail))})")
    tamper(app, "DELETE FROM investment_reports WHERE project_id = :p AND period = '2025-01' "
                "AND revision = 2", p=ledger.project)
    rebalance(app)
    with app.extensions["ledger.sessionmaker"]() as s:
        assert verify(s, app).ok  # a consistent prefix: only a head kept elsewhere tells
    out = app.test_cli_runner().invoke(args=["verify", "--expect-head", f"{kept.id}:{kept.hash}"])
    assert out.exit_code == 1 and f"no longer holds entry {kept.id}" in out.output


def test_a_forged_checkpoint_is_refused(app, session, ledger):
    tamper(app, "UPDATE checkpoints SET journal_seq = journal_seq - 1")
    check(app, says="the signature does not match its contents")


@pytest.mark.parametrize("statement", [
    "UPDATE postings SET amount = amount + 1",
    "DELETE FROM postings",
    "UPDATE audit_log SET actor_username = 'x'",
    "DELETE FROM audit_log",
    "UPDATE investment_reports SET amount = 1",
    "DELETE FROM checkpoints",
    "TRUNCATE postings",
    "TRUNCATE audit_log",
    "UPDATE agreement_events SET at = at - interval '60 days'",
    "UPDATE agreement_events SET actor_id = NULL",
    "DELETE FROM agreement_events",
    "TRUNCATE agreement_events",
    "UPDATE year_events SET at = at - interval '60 days'",
    "DELETE FROM year_events",
    "TRUNCATE year_events",
])
def test_postgres_refuses_changes_to_the_append_only_tables(postgres_backend, statement):
    """Without switching the triggers off (which takes a superuser), the tables only grow."""
    postgres_backend.restore("story")  # postings, reports, a checkpoint: rows to refuse
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with postgres_backend.engine.begin() as conn:
            conn.exec_driver_sql(statement)


@contextmanager
def wrong_year(app, table: str, where: str, year: int, **params):
    """An intruder sets a wrong `year` on the rows `where` selects, first dropping the CHECK
    that ties it to the period (PostgreSQL; SQLite: ignoring checks). Afterwards the rows and
    the constraint are put back, so later tests find the schema at head."""
    engine = app.extensions["ledger.engine"]
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        if postgres:
            conn.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT ck_{table}_year_of_period")
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            conn.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
        assert conn.execute(sa.text(f"UPDATE {table} SET year = {year} WHERE {where}"),
                            params).rowcount == 1
        if not postgres:
            conn.exec_driver_sql("PRAGMA ignore_check_constraints = OFF")
    try:
        yield
    finally:
        if postgres:
            with engine.begin() as conn:
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
                conn.exec_driver_sql(f"UPDATE {table} SET {YEAR_OF_PERIOD} WHERE NOT ({YEAR_OF_PERIOD})")
                conn.exec_driver_sql(f"ALTER TABLE {table} ADD CONSTRAINT "
                                     f"ck_{table}_year_of_period CHECK ({YEAR_OF_PERIOD})")


def test_the_year_column_is_checked_against_the_period(app, session, ledger):
    """`year` is not chained (it is derived from the period): the database refuses a wrong one,
    and verify names the posting whose year was moved behind that check's back."""
    seq = session.scalar(sa.select(sa.func.min(Posting.seq)).where(Posting.project_id == ledger.project,
                                                                   Posting.period == "2025-01"))
    session.rollback()
    with pytest.raises(sa.exc.IntegrityError):
        tamper(app, "UPDATE postings SET year = 2024 WHERE seq = :seq", seq=seq)
    with wrong_year(app, "postings", "seq = :seq", 2024, seq=seq):
        check(app, seq=seq, says=f"seq {seq}: year 2024 is not the year of its period 2025-01")


def test_the_year_of_a_report_is_checked_against_the_period(app, session, ledger):
    with wrong_year(app, "investment_reports",
                    "project_id = :p AND period = '2025-01' AND revision = 1", 2026,
                    p=ledger.project):
        check(app, entry=ledger.first_revision, says="year in investment_reports differ")


def test_a_running_balance_changed_behind_the_postings(app, session, ledger):
    """The current attribution reads the running balances; verify sums the postings again."""
    tamper(app, "UPDATE balances SET ceded = ceded + 100 WHERE year = 2025 AND region_code = :r",
           r=LW)
    check(app, says="in balances, the postings sum to")


def test_a_running_balance_deleted_behind_the_postings(app, session, ledger):
    """A region's row gone reads as zero figures, which the postings contradict."""
    assert tamper(app, "DELETE FROM balances WHERE year = 2025 AND region_code = :r", r=XQ) == 1
    check(app, says=f"balance of 2025 completed_investment, region {XQ} (in_place, ceded, credited): (0, 0, 0) in balances")


def test_the_current_attribution_from_balances_equals_a_scan(app, session, ledger):
    from datetime import UTC, datetime

    for year in (2024, 2025):
        now = region_totals(session, year)
        scan = region_totals(session, year, datetime.now(UTC))
        assert {c: (r.in_place, r.ceded, r.credited) for c, r in now.items()} == \
            {c: (r.in_place, r.ceded, r.credited) for c, r in scan.items()}
        assert any(r.in_place for r in now.values())


# ------------------------------------------------------------ who and when, and the register


def shift(app, model, column: str, delta: timedelta, *where) -> int:
    """An intruder moves the time `column` of the rows `where` selects by `delta` (read and
    written through the model's column type: SQLite has no interval arithmetic)."""
    table = model.__table__
    key = next(iter(table.primary_key.columns))
    with app.extensions["ledger.engine"].begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        rows = conn.execute(sa.select(key, table.c[column]).where(*where)).all()
        for k, at in rows:
            conn.execute(sa.update(table).where(key == k).values({column: at + delta}))
    return len(rows)


def test_agreement_events_moved_back_in_time_for_a_receipt(app, session, world, ledger):
    """The issue's case: the workflow moved 60 days back, a receipt issued for a time before
    the agreement existed — with its register row and a signed checkpoint, all by the
    application. verify names the first event the journal contradicts."""
    created = session.scalar(sa.select(sa.func.min(AgreementEvent.at))
                             .where(AgreementEvent.agreement_id == ledger.agreement))
    session.rollback()
    assert shift(app, AgreementEvent, "at", -timedelta(days=60),
                 AgreementEvent.agreement_id == ledger.agreement) >= 5
    ctx = world.ctx(world.statistics)
    document = documents.checkpointed(ctx, documents.receipt(
        ctx, ledger.agreement, as_of=created - timedelta(days=30)))
    documents.issued(ctx, document, 1)
    session.commit()
    assert session.get(IssuedDocument, document.document_id).as_of < created
    check(app, entry=entry(session, "agreement.create", ledger.number),
          says=f"agreement {ledger.number}: workflow event 1 differs in agreement_events (at)")


def test_who_acted_on_an_agreement_is_checked(app, session, world, ledger):
    last = session.scalar(sa.select(sa.func.max(AgreementEvent.id))
                          .where(AgreementEvent.agreement_id == ledger.agreement))
    events = session.scalar(sa.select(sa.func.count()).where(
        AgreementEvent.agreement_id == ledger.agreement))
    session.rollback()
    tamper(app, "UPDATE agreement_events SET actor_id = :u WHERE id = :id",
           u=world.pingluo.id, id=last)
    check(app, entry=ledger.filing,
          says=f"workflow event {events} differs in agreement_events (actor_id)")


@pytest.mark.parametrize("column", ["at", "actor_id"])
def test_who_closed_a_year_and_when_is_checked(app, session, world, ledger, column):
    if column == "at":
        assert shift(app, YearEvent, "at", timedelta(days=1), YearEvent.year == 2024) == 1
    else:
        tamper(app, "UPDATE year_events SET actor_id = :u", u=world.lingwu.id)
    check(app, entry=ledger.close, says=f"year event 1 differs in year_events ({column})")


def test_when_a_year_changed_is_checked(app, ledger):
    assert shift(app, AssessmentYear, "changed_at", timedelta(days=-3),
                 AssessmentYear.year == 2024) == 1
    check(app, entry=ledger.close, says="assessment year 2024: changed_at in assessment_years differ")


@pytest.mark.parametrize("column", ["reported_by", "reported_at"])
def test_who_reported_and_when_is_checked(app, session, world, ledger, column):
    where = (InvestmentReport.project_id == ledger.project, InvestmentReport.period == "2025-01",
             InvestmentReport.revision == 1)
    if column == "reported_at":
        assert shift(app, InvestmentReport, column, timedelta(microseconds=1), *where) == 1
    else:
        tamper(app, "UPDATE investment_reports SET reported_by = :u WHERE project_id = :p AND "
                    "period = '2025-01' AND revision = 1", u=world.xingqing.id, p=ledger.project)
    check(app, entry=ledger.first_revision, says=f"{column} in investment_reports differ")


@dataclass
class Issued:
    document_id: str
    registered: int  # the journal entry of its first download
    again: int       # the journal entry of a second download


@pytest.fixture
def issued(app, session, world, ledger) -> Issued:
    """The agreement's filing form, downloaded twice (a register row, two journal entries)."""
    for actor in (world.statistics, world.commerce):
        ctx = world.ctx(actor)
        document = documents.checkpointed(ctx, documents.filing(ctx, ledger.agreement))
        documents.issued(ctx, document, 1000)
    session.commit()
    first, second = session.scalars(sa.select(AuditEntry.id).where(
        AuditEntry.action == "document.download").order_by(AuditEntry.id)).all()
    with app.extensions["ledger.sessionmaker"]() as s:
        assert verify(s, app).ok
    return Issued(document.document_id, first, second)


def test_a_register_row_without_its_journal_entry(app, session, issued):
    tamper(app, "INSERT INTO document_register (document_id, kind, subject, as_of, digest, "
                "canonical, first_issued_at, first_issued_by_id, first_issued_by) SELECT "
                "'BA-AAAAA-AAAAA-AAAAA-AAAAA', kind, subject, as_of, digest, canonical, "
                "first_issued_at, first_issued_by_id, first_issued_by FROM document_register "
                "WHERE document_id = :d", d=issued.document_id)
    result = check(app, says="document BA-AAAAA-AAAAA-AAAAA-AAAAA in document_register: the "
                             "journal has no entry for it")
    assert result.first_bad_entry is None


def test_a_register_row_deleted(app, issued):
    tamper(app, "DELETE FROM document_register")
    check(app, entry=issued.registered,
          says=f"document {issued.document_id} is missing from document_register")


def test_a_rewritten_digest_with_its_data(app, session, issued):
    """Digest and canonical data rewritten together, so they agree with each other: the
    journal's download entry still carries the digest first issued."""
    canonical = '{"forged":true}'
    tamper(app, "UPDATE document_register SET canonical = :c, digest = :d", c=canonical,
           d=hashlib.sha256(canonical.encode()).hexdigest())
    check(app, entry=issued.registered,
          says=f"document {issued.document_id}: digest in document_register differ")


def test_rewritten_canonical_data(app, issued):
    tamper(app, "UPDATE document_register SET canonical = canonical || ' '")
    check(app, says=f"document {issued.document_id}: its canonical data in document_register "
                    "do not hash to its digest")


@pytest.mark.parametrize("column,value", [("kind", "statement"), ("subject", "agreement/1/v9"),
                                          ("first_issued_by", "someone")])
def test_a_register_row_rewritten(app, issued, column, value):
    tamper(app, f"UPDATE document_register SET {column} = :v", v=value)
    check(app, entry=issued.registered,
          says=f"document {issued.document_id}: {column} in document_register differ")


def test_who_issued_a_document_first(app, world, issued):
    tamper(app, "UPDATE document_register SET first_issued_by_id = :u", u=world.lingwu.id)
    check(app, entry=issued.registered, says="first_issued_by_id in document_register differ")


@pytest.mark.parametrize("column", ["as_of", "first_issued_at"])
def test_when_a_document_was_issued(app, issued, column):
    assert shift(app, IssuedDocument, column, -timedelta(days=60)) == 1
    check(app, entry=issued.registered, says=f"{column} in document_register differ")


def test_a_download_entry_naming_another_digest(app, issued):
    """A later download rewritten (with the hashes after it) to carry another digest than the
    document registered: the application never hands out two papers under one id."""
    rehash_journal_from(app, issued.again, digest="0" * 64)
    check(app, entry=issued.again, says="not facts the application records")


def test_a_registration_without_the_register_row_it_made(app, issued):
    """The second download rewritten as a registration: one id registered twice."""
    rehash_journal_from(app, issued.again, registered=True)
    check(app, entry=issued.again, says="not facts the application records")
