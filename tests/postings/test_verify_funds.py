"""verify and the journal's replay on the funds line: a receipt corrected into another year, a
receipt voided, receipts and reports of one project side by side — the ledger still verifies,
the replay rebuilds each receipt as it now stands, and the postings of each line are exactly the
attribution rule applied to what counts on that line."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
import sqlalchemy as sa

from ledger.commands import funds
from ledger.commands.inputs import FundsChange, FundsRow
from ledger.domain.attribution import desired_for_year
from ledger.domain.enums import Indicator
from ledger.domain.split import split
from ledger.models import AuditEntry, FundsReceipt, Posting
from ledger.postings.journal import parsed
from ledger.postings.replay import Replay
from tests.helpers import verify

FUNDS, COMPLETED = Indicator.FUNDS_IN_PLACE, Indicator.COMPLETED_INVESTMENT


def receive(ctx, project_id: int, on: str, amount: int) -> int:
    return funds.record_funds(ctx, FundsRow(row=1, project_id=project_id,
                                            received_on=date.fromisoformat(on), amount=amount,
                                            source="domestic", payer="宁夏某某有限公司")).receipt.id


def posted(session, project_id: int, line: str, year: int) -> dict[tuple[str, str], int]:
    """(period, role) → Σ of the project's postings on `line` in `year` (zero sums left out)."""
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for p in session.scalars(sa.select(Posting).where(
            Posting.project_id == project_id, Posting.indicator == line, Posting.year == year)):
        sums[(p.period, p.role)] += p.amount
    return {k: v for k, v in sums.items() if v}


def rule(monthly: dict[str, int], share: int | None) -> dict[tuple[str, str], int]:
    return {k: v for k, v in desired_for_year(monthly, share).items() if v}


def replayed(session) -> Replay:
    replay = Replay()
    for e in session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)):
        replay.apply(e, parsed(e.before), parsed(e.after))
    return replay


def verified(app):
    with app.extensions["ledger.sessionmaker"]() as s:
        result = verify(s, app)
    assert result.ok, result.problems
    return result


@pytest.fixture
def shared(world):
    """A project whose filed agreement, from 2025, gives the recommender 30 % of completed
    investment and 20 % of funds in place; 2024 is the host's alone."""
    p = world.project()
    world.agreement(p, share="30", first_year=2025,
                    terms=[{"indicator": "funds_in_place", "recommender_share": "20"}])
    return p


def test_a_correction_into_another_year_moves_the_receipt_and_verifies(app, session, world,
                                                                       shared):
    ctx = world.ctx(world.lingwu)
    world.report(shared, "2025-12", "50.00")
    moved = receive(ctx, shared.id, "2024-12-30", 100_01)
    stays = receive(ctx, shared.id, "2025-02-14", 33_33)
    session.commit()
    assert posted(session, shared.id, FUNDS, 2024) == {("2024-12", "host"): 100_01}
    verified(app)

    funds.correct_funds(ctx, shared.id, moved, FundsChange(received_on=date(2025, 1, 3),
                                                           amount=100_00, reason="按入账日更正"), 1)
    session.commit()

    result = verified(app)
    assert result.first_bad_entry is None and result.first_bad_seq is None
    # The year it left nets to nothing; the year it entered splits both receipts by the funds
    # share, month by month cumulatively, as the rule does.
    assert posted(session, shared.id, FUNDS, 2024) == {}
    monthly = {"2025-01": 100_00, "2025-02": 33_33}
    assert posted(session, shared.id, FUNDS, 2025) == rule(monthly, 2000)
    recommender = sum(v for (_, role), v in posted(session, shared.id, FUNDS, 2025).items()
                      if role == "recommender")
    assert recommender == split(133_33, 2000)[0]
    # The other line is untouched by the receipts: its own share, its own amounts.
    assert posted(session, shared.id, COMPLETED, 2025) == rule({"2025-12": 50_00}, 3000)
    # The replay has the receipt as it now stands, and both its revisions.
    replay = replayed(session)
    now = replay.funds[moved].values
    assert (now["received_on"], now["period"], now["amount"], now["revision"]) == (
        "2025-01-03", "2025-01", 100_00, 2)
    assert replay.funds_revisions[(moved, 1)].values["received_on"] == "2024-12-30"
    assert replay.funds_revisions[(moved, 2)].values["reason"] == "按入账日更正"
    assert replay.funds[stays].values["revision"] == 1


def test_a_void_takes_the_receipt_out_and_verifies(app, session, world, shared):
    ctx = world.ctx(world.lingwu)
    first = receive(ctx, shared.id, "2025-03-01", 10_00)
    second = receive(ctx, shared.id, "2025-03-20", 7_77)
    third = receive(ctx, shared.id, "2025-06-30", 5_55)
    session.commit()
    assert posted(session, shared.id, FUNDS, 2025) == rule({"2025-03": 17_77, "2025-06": 5_55}, 2000)

    funds.void_funds(ctx, shared.id, second, "重复录入", 1)
    session.commit()

    verified(app)
    assert posted(session, shared.id, FUNDS, 2025) == rule({"2025-03": 10_00, "2025-06": 5_55}, 2000)
    replay = replayed(session)
    assert replay.funds[second].values["voided"] is True
    assert replay.funds_revisions[(second, 2)].values["reason"] == "重复录入"
    assert not replay.funds[first].values["voided"] and not replay.funds[third].values["voided"]

    # Voiding every receipt of the year leaves nothing posted on the line, and still verifies.
    funds.void_funds(ctx, shared.id, first, "退回投资方", 1)
    funds.void_funds(ctx, shared.id, third, "退回投资方", 1)
    session.commit()
    verified(app)
    assert posted(session, shared.id, FUNDS, 2025) == {}
    assert session.scalar(sa.select(sa.func.count()).select_from(FundsReceipt)
                          .where(FundsReceipt.voided.is_(False))) == 0


def test_without_an_agreement_the_host_keeps_the_funds(app, session, world):
    p = world.project()
    ctx = world.ctx(world.lingwu)
    receive(ctx, p.id, "2025-05-05", 12_34)
    moved = receive(ctx, p.id, "2025-05-06", 1_00)
    funds.correct_funds(ctx, p.id, moved, FundsChange(received_on=date(2025, 7, 1),
                                                      reason="日期录错"), 1)
    session.commit()
    verified(app)
    assert posted(session, p.id, FUNDS, 2025) == {("2025-05", "host"): 12_34,
                                                  ("2025-07", "host"): 1_00}
