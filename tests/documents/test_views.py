"""What the templates get (ledger/documents/views.py): labels, dates and the statement's lines."""

from __future__ import annotations

from ledger.documents.views import civil_date, moment, statement_rows, view, years
from tests.documents.conftest import filing


def region(code, name, parent, in_place, ceded="0.00", credited="0.00", rolled_up=False):
    from ledger.domain.money import format_amount, parse_amount
    attributed = format_amount(parse_amount(in_place) - parse_amount(ceded) + parse_amount(credited))
    return {"code": code, "name": name, "level": "x", "parent_code": parent,
            "rolled_up": rolled_up, "in_place": in_place, "ceded": ceded, "credited": credited,
            "attributed": attributed}


def test_statement_lines_have_subtotals_and_own_figures_that_add_up():
    regions = [
        region("640000", "宁夏回族自治区", None, "30.00", "3.00", "3.00", True),
        region("640100", "银川市", "640000", "25.00", "3.00", "3.00", True),
        region("640104", "兴庆区", "640100", "0.00", "0.00", "3.00"),
        region("640181", "灵武市", "640100", "20.00", "3.00"),
        region("640200", "石嘴山市", "640000", "5.00", rolled_up=True),
        region("640205", "惠农区", "640200", "5.00"),
    ]
    totals = {"in_place": "30.00", "ceded": "3.00", "credited": "3.00", "attributed": "30.00"}
    lines = statement_rows(regions, totals)
    assert [(line["kind"], line["name"], line["in_place"]) for line in lines] == [
        ("own", "银川市（本级）", "5.00"),     # 25.00 − 0.00 − 20.00: hosted by the city itself
        ("region", "兴庆区", "0.00"),
        ("region", "灵武市", "20.00"),
        ("subtotal", "银川市小计", "25.00"),
        ("region", "惠农区", "5.00"),
        ("subtotal", "石嘴山市小计", "5.00"),
    ]  # the province's subtotal equals the totals line and is not repeated
    assert [line["depth"] for line in lines] == [1, 2, 2, 1, 2, 1]


def test_a_region_scope_keeps_its_subtotal_above_the_province_totals():
    regions = [region("640100", "银川市", "640000", "20.00", rolled_up=True),
               region("640181", "灵武市", "640100", "20.00")]
    totals = {"in_place": "30.00", "ceded": "0.00", "credited": "0.00", "attributed": "30.00"}
    assert [line["name"] for line in statement_rows(regions, totals)] == ["灵武市", "银川市小计"]


def test_dates_times_and_years_in_chinese():
    assert civil_date("2025-01-10") == "2025年1月10日" and civil_date(None) == ""
    assert moment("2025-03-01T16:05:06.000007Z") == "2025年3月2日 00:05:06（北京时间）"
    assert years(2025, None) == "2025年起（未约定终止年度）"
    assert years(2025, 2025) == "2025年" and years(2025, 2027) == "2025年至2027年"


def test_agreement_view_labels():
    shown = view(filing().data)
    assert shown["status"] == "已备案" and shown["stage"] == "开工建设"
    assert shown["addressees"] == "宁夏回族自治区统计局、宁夏回族自治区商务厅"
    assert shown["recommender"] == "兴庆区（640104）"
    assert shown["agreed_years"] is None
    cut_short = view(filing(last_year=2025, agreed_last_year=2027).data)
    assert cut_short["years"] == "2025年" and cut_short["agreed_years"] == "2025年至2027年"
