"""`verify` and `ledger verify`: a consistent ledger passes; a posting changed or deleted behind
the application's back is named by its seq. Plus the canonical encoding, pinned by hand."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from ledger.postings import GENESIS_HASH, HASH_VERSION, canonical_encoding, chain_hash
from tests.helpers import tamper, verify
from ledger.models import Posting


@pytest.fixture
def filled(world, session):
    """A small but real ledger: host postings, a filing that re-attributes them, a revision."""
    project = world.project()
    world.report(project, "2025-01", "10.05")
    world.report(project, "2025-02", "10.05")
    world.agreement(project, share="30", first_year=2025)
    world.report(project, "2025-01", "0.00")
    other = world.project(host=world.xingqing, zone=world.zone_xq, industry_code="C3811")
    world.report(other, "2024-06", "1.00", host=world.xingqing)
    session.commit()
    count = session.scalar(sa.select(sa.func.count()).select_from(Posting))
    assert count >= 10
    return count


def fresh_verify(app):
    with app.extensions["ledger.sessionmaker"]() as s:
        return verify(s, app)


def cli_verify(app):
    return app.test_cli_runner().invoke(args=["verify"])


def test_consistent_ledger_verifies(app, filled):
    result = fresh_verify(app)
    assert (result.ok, result.postings, result.head_seq, result.first_bad_seq, result.problems) == (
        True, filled, filled, None, [])
    with app.extensions["ledger.sessionmaker"]() as s:
        head = s.get(Posting, filled)
        assert result.head_hash == head.hash
    out = cli_verify(app)
    assert out.exit_code == 0, out.output
    assert f"ok: {filled} postings, head seq {filled} hash {head.hash[:16]}" in out.output


def test_empty_ledger_verifies(app, world):
    result = fresh_verify(app)
    assert (result.ok, result.postings, result.head_seq, result.head_hash) == (True, 0, None, None)
    assert cli_verify(app).exit_code == 0


@pytest.mark.parametrize("column", ["amount", "cause", "region_code", "recorded_at", "hash"])
def test_a_changed_posting_is_named(app, filled, column):
    seq = filled // 2
    with app.extensions["ledger.sessionmaker"]() as s:
        p = s.get(Posting, seq)
        if column == "amount":
            sql, params = "UPDATE postings SET amount = amount + 1 WHERE seq = :seq", {}
        elif column == "cause":
            sql, params = "UPDATE postings SET cause = :v WHERE seq = :seq", {"v": p.cause + " "}
        elif column == "region_code":
            sql, params = "UPDATE postings SET region_code = :v WHERE seq = :seq", {
                "v": "640221" if p.region_code != "640221" else "640181"}
        elif column == "recorded_at":  # one microsecond is enough
            stored = s.execute(sa.text("SELECT recorded_at FROM postings WHERE seq = :seq"),
                               {"seq": seq}).scalar()
            if isinstance(stored, str):  # SQLite hands back text
                stored = datetime.fromisoformat(stored)
            sql, params = "UPDATE postings SET recorded_at = :v WHERE seq = :seq", {
                "v": stored + timedelta(microseconds=1)}
        else:
            sql, params = f"UPDATE postings SET {column} = :v WHERE seq = :seq", {"v": "f" * 64}
    assert tamper(app, sql, seq=seq, **params) == 1

    result = fresh_verify(app)
    assert not result.ok
    assert result.first_bad_seq == seq
    assert any(f"seq {seq}" in problem for problem in result.problems)
    assert result.postings == filled  # the chain is still read to the end

    out = cli_verify(app)
    assert out.exit_code == 1
    assert f"first bad seq: {seq}" in out.output
    assert f"FAIL: seq {seq}:" in out.output


def test_the_first_of_several_bad_seqs_is_named(app, filled):
    tamper(app, "UPDATE postings SET amount = amount + 1 WHERE seq IN (:a, :b)", a=3, b=filled - 1)
    assert fresh_verify(app).first_bad_seq == 3
    assert "first bad seq: 3" in cli_verify(app).output


def test_a_deleted_posting_is_reported_missing(app, filled):
    seq = filled // 2
    assert tamper(app, "DELETE FROM postings WHERE seq = :seq", seq=seq) == 1
    result = fresh_verify(app)
    assert not result.ok
    assert result.first_bad_seq == seq
    assert f"seq {seq} is missing (found {seq + 1})" in result.problems
    out = cli_verify(app)
    assert out.exit_code == 1
    assert f"seq {seq} is missing" in out.output and f"first bad seq: {seq}" in out.output


def test_a_deleted_first_posting_is_reported_missing(app, filled):
    tamper(app, "DELETE FROM postings WHERE seq = 1")
    result = fresh_verify(app)
    assert (result.ok, result.first_bad_seq) == (False, 1)
    assert "seq 1 is missing (found 2)" in result.problems


def test_a_truncated_tail_breaks_the_invariants(app, filled):
    """Dropping the newest posting leaves a valid chain, but the project-year it belonged to
    no longer matches the attribution rule: still a failure, with no seq to blame."""
    tamper(app, "DELETE FROM postings WHERE seq = :seq", seq=filled)
    result = fresh_verify(app)
    assert not result.ok and result.first_bad_seq is None
    assert result.head_seq == filled - 1
    assert any("postings differ from the attribution rule" in p for p in result.problems)
    out = cli_verify(app)
    assert out.exit_code == 1 and "postings differ" in out.output


def test_a_consistent_forgery_still_breaks_the_invariants(app, filled):
    """Rewriting a posting and re-hashing the whole chain keeps the chain valid; the
    attribution invariants catch it anyway."""
    with app.extensions["ledger.sessionmaker"]() as s, s.begin():
        if s.get_bind().dialect.name == "postgresql":  # an intruder with the owner's rights
            s.connection().exec_driver_sql("SET LOCAL session_replication_role = replica")
        rows = s.scalars(sa.select(Posting).order_by(Posting.seq)).all()
        rows[2].amount += 100
        prev = GENESIS_HASH
        for p in rows:
            p.hash = prev = chain_hash(prev, p)
    result = fresh_verify(app)
    assert not result.ok and result.first_bad_seq is None
    assert any("postings differ" in p for p in result.problems)


# ------------------------------------------------------------------ canonical encoding

def _posting(**fields) -> Posting:
    base = dict(seq=1, project_id=7, agreement_id=3, version=2, region_code="640104",
                role="recommender", period="2025-01", amount=301, cause="report:7/2025-01 r1",
                recorded_at=datetime(2025, 1, 2, 3, 4, 5, 6, tzinfo=UTC), hash_version=1,
                indicator="completed_investment")
    base.update(fields)
    return Posting(**base)


def test_canonical_encoding_v3_is_pinned():
    """hash_version 3 (every new posting), by hand from the format documented in
    ledger/postings/chain.py: the accounting line follows the project id, then the host."""
    assert HASH_VERSION == 3 and GENESIS_HASH == "0" * 64
    posting = _posting(host_code="640181", hash_version=3, indicator="funds_in_place")
    expected = (b'[3,1,7,"funds_in_place","640181",3,2,"640104","recommender","2025-01","301",'
                b'"report:7/2025-01 r1","2025-01-02T03:04:05.000006Z"]')
    assert canonical_encoding(posting) == expected
    digest = "6cbee9f10a89b5291607620d62281a19e031507b4b7894d292f1b95ba71125f4"
    assert hashlib.sha256(b"0" * 64 + expected).hexdigest() == digest
    assert chain_hash(GENESIS_HASH, posting) == digest


def test_canonical_encoding_v2_is_pinned():
    """hash_version 2 (postings written before the second accounting line, all completed
    investment): the host follows the project id, no line."""
    posting = _posting(host_code="640181", hash_version=2)
    expected = (b'[2,1,7,"640181",3,2,"640104","recommender","2025-01","301",'
                b'"report:7/2025-01 r1","2025-01-02T03:04:05.000006Z"]')
    assert canonical_encoding(posting) == expected
    digest = "f47c7abfd9695fae58141bb74d55b484c3880d87cc7a98eabd2ab65c588a42c2"
    assert hashlib.sha256(b"0" * 64 + expected).hexdigest() == digest
    assert chain_hash(GENESIS_HASH, posting) == digest


def test_canonical_encoding_v1_is_pinned():
    """hash_version 1 (postings written before the journal), still verified as they were."""
    first = _posting()
    expected = (b'[1,1,7,3,2,"640104","recommender","2025-01","301",'
                b'"report:7/2025-01 r1","2025-01-02T03:04:05.000006Z"]')
    assert canonical_encoding(first) == expected
    h1 = "f29abe1f02c91a9f8721c62664c6461aadbafc38de89e9143ce4a0a64c0216a9"
    assert hashlib.sha256(b"0" * 64 + expected).hexdigest() == h1
    assert chain_hash(GENESIS_HASH, first) == h1

    # Nulls, a negative amount, non-ASCII text unescaped, a non-UTC time converted to UTC.
    second = _posting(seq=2, agreement_id=None, version=None, region_code="640181", role="host",
                      period="2024-12", amount=-1005, cause="重算:2024年",
                      recorded_at=datetime(2025, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert canonical_encoding(second) == (
        '[1,2,7,null,null,"640181","host","2024-12","-1005","重算:2024年",'
        '"2024-12-31T16:00:00.000000Z"]').encode("utf-8")
    assert chain_hash(h1, second) == "37977d06c4ac46df05fa518fd1b0790ed46154bfedb799eb9362ff546c73ca49"


def test_encoding_survives_the_database(app, world, session):
    """Microseconds and amounts come back from either database exactly as they were hashed."""
    project = world.project()
    when = datetime(2025, 3, 31, 23, 59, 59, 999_999, tzinfo=UTC)
    world.clock = lambda: when
    written = world.report(project, "2025-03", "1.00").postings
    assert [(p.seq, p.amount, p.recorded_at) for p in written] == [(1, 100, when)]
    encoded = canonical_encoding(written[0])
    with app.extensions["ledger.sessionmaker"]() as s:
        stored = s.get(Posting, 1)
        assert stored.recorded_at == when
        assert canonical_encoding(stored) == encoded
        assert stored.hash == chain_hash(GENESIS_HASH, stored) == written[0].hash
        assert verify(s).ok


def test_verify_reads_the_database_not_the_callers_cache(app, filled, session):
    """The caller's session still holds the postings it loaded (sessions keep objects across
    commits); a change made behind its back must be found all the same."""
    held = session.scalars(sa.select(Posting).order_by(Posting.seq)).all()
    session.commit()
    tamper(app, "UPDATE postings SET amount = amount - 1 WHERE seq = 2")
    result = verify(session)
    assert (result.ok, result.first_bad_seq) == (False, 2)
    assert held[1].amount == session.get(Posting, 2).amount  # the cache itself is untouched


# ------------------------------------------------------------------ who and when, replayed


def test_rows_and_their_entries_share_one_reading_of_the_clock(app, world, session):
    """A clock that moves a second at every reading: each event, year and report row carries
    the time of the journal entry that made it (verify holds them against each other)."""
    from itertools import count

    from ledger.models import AgreementEvent, AssessmentYear, AuditEntry, YearEvent
    start, ticks = datetime(2026, 3, 1, tzinfo=UTC), count()
    world.clock = lambda: start + timedelta(seconds=next(ticks))
    project = world.project()
    world.report(project, "2025-01", "10.05")
    world.agreement(project, share="30", first_year=2025)
    world.close(2024)
    world.reopen(2024)
    session.commit()
    entries = {e.id: e for e in session.scalars(sa.select(AuditEntry))}
    agreement_times = sorted(e.at for e in entries.values() if e.action.startswith("agreement."))
    assert sorted(session.scalars(sa.select(AgreementEvent.at))) == agreement_times
    assert len(set(agreement_times)) == len(agreement_times) == 5
    year_times = [e.at for e in sorted(entries.values(), key=lambda e: e.id)
                  if e.action.startswith("year.")]
    assert list(session.scalars(sa.select(YearEvent.at).order_by(YearEvent.id))) == year_times
    assert session.get(AssessmentYear, 2024).changed_at == year_times[-1]
    assert fresh_verify(app).ok


def test_any_action_on_a_row_is_replayed_from_the_facts_its_entry_records(app, world, session):
    """An action verify does not know by name (a correction, say) whose `after` carries facts
    the journal records of the row (ledger.postings.journal.RECORDED) is replayed like a create
    or an update; its other keys (a reason) are not facts of the row."""
    from datetime import date

    from ledger.commands.common import audit
    from ledger.db import writing
    from ledger.models import Project
    project_id = world.project().id
    session.commit()
    ctx = world.ctx(world.lingwu)
    with writing(session):
        project = session.get(Project, project_id)
        before = {"signed_on": project.signed_on.isoformat()}
        project.signed_on = date(2023, 11, 1)
        audit(ctx, "project.correct", "project", project_id, before,
              {"signed_on": "2023-11-01", "reason": "录入错误"})
    session.commit()
    assert fresh_verify(app).ok, fresh_verify(app).problems
    tamper(app, "UPDATE projects SET signed_on = '2023-10-01' WHERE id = :id", id=project_id)
    result = fresh_verify(app)
    assert not result.ok
    assert any(f"project {project_id}: signed_on in projects differ" in p for p in result.problems)


def test_an_update_is_journaled_compactly_and_still_replays_every_fact(app, world, session):
    """hash_version 2: an update of a project keeps only the facts it changed, before and after;
    verify adds them to the facts it knew (an unchanged fact changed in the table is still
    named), and the facts as of the entry (documents' history) are all of them."""
    from ledger.commands.common import audit
    from ledger.db import writing
    from ledger.models import AuditEntry, Project
    from ledger.postings import journal
    from ledger.queries.documents.history import history
    project_id = world.project().id
    session.commit()
    with writing(session):
        project = session.get(Project, project_id)
        before = journal.record("project", project)
        project.name = "改名后的项目"
        audit(world.ctx(world.lingwu), "project.correct", "project", project_id, before,
              journal.record("project", project) | {"reason": "录入错误"})
    session.commit()
    entry = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.hash_version == journal.HASH_VERSION == 2
    assert journal.parsed(entry.before) == {"name": before["name"]}
    assert journal.parsed(entry.after) == {"name": "改名后的项目", "reason": "录入错误"}
    facts = history(session, {"project": [project_id]}).at("project", project_id, entry.id)
    assert facts == before | {"name": "改名后的项目"}
    assert fresh_verify(app).ok, fresh_verify(app).problems
    tamper(app, "UPDATE projects SET investor_name = 'x' WHERE id = :id", id=project_id)
    result = fresh_verify(app)
    assert any(f"project {project_id}: investor_name in projects differ" in p
               for p in result.problems), result.problems
