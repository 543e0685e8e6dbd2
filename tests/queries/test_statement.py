"""The statement's body (ledger/queries/statement.py): the attribution's regions, totals and
reconciliation in one shape, amounts written by the caller (integers for the API, text for a
document)."""

from __future__ import annotations

from ledger.domain.money import format_amount
from ledger.queries.attribution import attribution
from ledger.queries.statement import statement_body


def test_the_body_holds_the_attribution_in_one_shape(world, session):
    p = world.project()
    world.agreement(p, share="30")
    world.report(p, "2025-01", "10.05")
    found = attribution(world.ctx(world.xingqing), 2025)
    body = statement_body(found)
    assert body["regions"] == [{"code": "640104", "name": "兴庆区", "level": "county",
                                "parent_code": "640100", "rolled_up": False, "in_place": 0,
                                "ceded": 0, "credited": 301, "attributed": 301}]
    assert body["totals"] == {"in_place": 1005, "ceded": 301, "credited": 301, "attributed": 1005}
    assert body["reconciliation"] == {"in_place": 1005, "attributed": 1005, "difference": 0}
    text = statement_body(found, format_amount)
    assert text["totals"]["ceded"] == "3.01" and text["regions"][0]["credited"] == "3.01"
    assert text["reconciliation"]["difference"] == "0.00"
