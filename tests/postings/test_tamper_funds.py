"""Tampering with funds in place by direct SQL (on PostgreSQL switching the append-only triggers
of the revisions and the evidence off, as a superuser can): `ledger verify` exits 1 and names the
journal entry the changed row contradicts, or the posting whose hash no longer holds."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa

from ledger import current
from ledger.commands import funds
from ledger.commands.inputs import EvidenceUpload, FundsChange, FundsRow
from ledger.commands.demo_evidence import pdf
from ledger.domain.enums import Indicator
from ledger.models import Posting
from tests.factories import World
from tests.helpers import tamper, verify
from tests.postings.test_tamper import check, entry

SLIP = pdf(["bank slip", "10.00"])


@dataclass
class Funded:
    project: int
    kept: int        # a receipt with an evidence file
    voided: int      # a receipt voided
    corrected: int   # a receipt corrected (revision 2)
    evidence: int    # the evidence file of `kept`


def receive(ctx, project_id: int, on: str, amount: int) -> int:
    return funds.record_funds(ctx, FundsRow(row=1, project_id=project_id,
                                            received_on=date.fromisoformat(on), amount=amount,
                                            source="domestic", payer="宁夏某某有限公司")).receipt.id


@pytest.fixture
def funded(world, session) -> Funded:
    """A project whose agreement gives the recommender 20 % of funds in place (30 % of
    completed investment), three receipts in 2025: one with evidence, one voided, one
    corrected."""
    p = world.project()
    world.agreement(p, share="30", first_year=2025,
                    terms=[{"indicator": "funds_in_place", "recommender_share": "20"}])
    ctx = world.ctx(world.lingwu)
    kept = receive(ctx, p.id, "2025-03-10", 1000)
    file = funds.add_evidence(ctx, p.id, kept, EvidenceUpload("bank_slip", "回单.pdf", SLIP))
    voided = receive(ctx, p.id, "2025-04-02", 505)
    funds.void_funds(ctx, p.id, voided, "重复录入", 1)
    corrected = receive(ctx, p.id, "2025-05-06", 300)
    funds.correct_funds(ctx, p.id, corrected, FundsChange(amount=350, reason="按回单更正"), 1)
    session.commit()
    return Funded(p.id, kept, voided, corrected, file.id)


def test_the_untouched_funds_verify(app, funded):
    with app.extensions["ledger.sessionmaker"]() as s:
        result = verify(s, app)
    assert result.ok, result.problems


def test_a_receipts_amount_changed(app, session, funded):
    tamper(app, "UPDATE funds_receipts SET amount = amount + 1 WHERE id = :id", id=funded.kept)
    check(app, entry=entry(session, "funds.record", funded.kept),
          says=f"funds receipt {funded.kept}: amount in funds_receipts differ from the journal")


def test_a_voided_receipt_unvoided(app, session, funded):
    """Put back into the figures by SQL — the receipt and its last revision both — the void
    entry still says it is out."""
    tamper(app, "UPDATE funds_receipts SET voided = :f WHERE id = :id", f=False, id=funded.voided)
    tamper(app, "UPDATE funds_revisions SET voided = :f WHERE receipt_id = :id", f=False,
           id=funded.voided)
    result = check(app, entry=entry(session, "funds.void", funded.voided),
                   says=f"funds receipt {funded.voided}: voided in funds_receipts differ")
    assert any(f"funds receipt {funded.voided} revision 2: voided in funds_revisions" in p
               for p in result.problems), result.problems


def test_a_revisions_reason_edited(app, session, funded):
    tamper(app, "UPDATE funds_revisions SET reason = '系统调整' WHERE receipt_id = :id "
                "AND revision = 2", id=funded.corrected)
    check(app, entry=entry(session, "funds.correct", funded.corrected),
          says=f"funds receipt {funded.corrected} revision 2: reason in funds_revisions differ")


def test_a_revision_deleted(app, session, funded):
    tamper(app, "DELETE FROM funds_revisions WHERE receipt_id = :id AND revision = 1",
           id=funded.corrected)
    check(app, entry=entry(session, "funds.record", funded.corrected),
          says=f"funds receipt {funded.corrected} revision 1 is missing from funds_revisions")


def test_an_evidence_files_bytes_changed(app, session, funded):
    tamper(app, "UPDATE funds_evidence SET content = :c WHERE id = :id",
           c=SLIP.replace(b"10.00", b"99.00"), id=funded.evidence)
    result = check(app, entry=entry(session, "funds.evidence", funded.kept),
                   says=f"evidence {funded.evidence} of funds receipt {funded.kept}: its stored "
                        "bytes do not hash to its SHA-256")
    assert len(result.problems) == 1, result.problems  # the row itself still says what was kept


def test_an_evidence_file_replaced_with_its_digest(app, session, funded):
    """Other bytes with their own SHA-256, so the row agrees with itself: the journal entry
    that kept the file recorded the first digest."""
    other = SLIP.replace(b"10.00", b"99.00")
    tamper(app, "UPDATE funds_evidence SET content = :c, sha256 = :h WHERE id = :id",
           c=other, h=hashlib.sha256(other).hexdigest(), id=funded.evidence)
    result = check(app, entry=entry(session, "funds.evidence", funded.kept),
                   says=f"evidence {funded.evidence}: sha256 in funds_evidence differ from the "
                        "journal")
    assert not any("do not hash" in p for p in result.problems), result.problems


def test_an_evidence_files_digest_changed(app, session, funded):
    tamper(app, "UPDATE funds_evidence SET sha256 = :h WHERE id = :id", h="0" * 64,
           id=funded.evidence)
    result = check(app, entry=entry(session, "funds.evidence", funded.kept),
                   says=f"evidence {funded.evidence}: sha256 in funds_evidence differ")
    assert any("do not hash to its SHA-256" in p for p in result.problems), result.problems


@pytest.mark.parametrize("sql", [
    "UPDATE postings SET amount = amount + 1 WHERE seq = :seq",
    "UPDATE postings SET indicator = 'completed_investment' WHERE seq = :seq",
])
def test_a_posting_on_the_funds_line_changed(app, session, funded, sql):
    seq = session.scalar(sa.select(sa.func.min(Posting.seq)).where(
        Posting.indicator == Indicator.FUNDS_IN_PLACE, Posting.role == "recommender"))
    session.rollback()
    tamper(app, sql, seq=seq)
    check(app, seq=seq, says=f"seq {seq}: hash does not match its contents or predecessor")


def test_a_source_balance_changed(app, funded):
    """The split by source the attribution reads must be what its moves sum to."""
    tamper(app, "UPDATE balances SET in_place_domestic = in_place_domestic + 1 "
                "WHERE indicator = 'funds_in_place' AND in_place_domestic <> 0")
    check(app, says="funds source balance of 2025, host 640181, domestic: 1351, its moves sum "
                    "to 1350")


def test_a_split_by_source_on_the_completed_line(app, funded):
    """Only the funds line has sources: a split written into another line's balance is named
    (the attribution of that line does not read it, so nothing else would show it)."""
    tamper(app, "INSERT INTO balances (year, indicator, region_code, in_place, ceded, credited, "
                "in_place_foreign) VALUES (2025, 'completed_investment', '640181', 0, 0, 0, 7)")
    check(app, says="region 640181: 7 from foreign, on a line without sources")


def test_a_source_move_moved_to_the_other_source(app, funded):
    """Both the balances and the moves rewritten together: the receipts still say domestic."""
    tamper(app, "UPDATE funds_source_moves SET source = 'foreign'")
    tamper(app, "UPDATE balances SET in_place_foreign = in_place_domestic, "
                "in_place_domestic = 0 WHERE indicator = 'funds_in_place'")
    result = check(app, says="funds in place of 2025 from domestic: the receipts not void sum "
                             "to 1350, the source moves to 0")
    assert not any("host 640181: the postings" in p for p in result.problems), result.problems


def test_a_source_move_deleted(app, funded):
    tamper(app, "DELETE FROM funds_source_moves")
    tamper(app, "UPDATE balances SET in_place_domestic = 0, in_place_foreign = 0")
    check(app, says="funds in place of 2025, host 640181: the postings give 1350, the source "
                    "moves sum to 0")


@pytest.mark.parametrize("statement", [
    "UPDATE funds_revisions SET reason = 'x'",
    "DELETE FROM funds_revisions",
    "TRUNCATE funds_revisions CASCADE",
    "UPDATE funds_evidence SET content = ''",
    "DELETE FROM funds_evidence",
    "TRUNCATE funds_evidence",
    "UPDATE funds_source_moves SET amount = 0",
    "DELETE FROM funds_source_moves",
    "TRUNCATE funds_source_moves",
])
def test_postgres_keeps_revisions_and_evidence_append_only(postgres_backend, statement):
    """Without switching the triggers off (which takes a superuser), they only grow."""
    app = postgres_backend.app
    postgres_backend.restore("world")
    with app.app_context():
        session = current.session()
        world = World(session, postgres_backend.data["world"])
        p = world.project()
        ctx = world.ctx(world.lingwu)
        kept = receive(ctx, p.id, "2025-03-10", 1000)
        funds.add_evidence(ctx, p.id, kept, EvidenceUpload("bank_slip", "回单.pdf", SLIP))
        session.commit()
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with postgres_backend.engine.begin() as conn:
            conn.exec_driver_sql(statement)
