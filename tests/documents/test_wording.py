"""What the templates get (ledger/documents/wording.py): labels, dates and the statement's lines."""

from __future__ import annotations

from ledger.documents.wording import civil_date, moment, statement_rows, view, words, years
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


# ------------------------------------------------------------------ the province's own word

def _statement_data(province_name: str | None, scope: str | None = None) -> dict:
    from tests.documents.conftest import statement
    data = statement().data
    regions = [r for r in data["regions"] if r["level"] != "province"] if scope else [
        r | ({"name": province_name} if r["level"] == "province" else {})
        for r in data["regions"]]
    return data | {"regions": regions, "scope": scope}


def test_the_totals_line_says_the_province_word_of_its_name():
    from ledger.documents.wording import summary
    for name, word in (("宁夏回族自治区", "全区"), ("某某省", "全省"), ("北京市", "全市")):
        data = _statement_data(name)
        assert view(data)["whole"] == word
        assert ("统计范围", f"{word}各地区") in summary("statement", data)


def test_a_region_s_statement_takes_the_province_s_name_from_its_facts():
    from ledger.documents.wording import summary
    data = _statement_data(None, scope="640181")
    assert ("统计范围", "灵武市（640181）及全省合计") in summary("statement", data, "某某省")
    assert view(data, "宁夏回族自治区")["whole"] == "全区"


def test_the_export_the_document_and_the_page_read_one_statement_body():
    from ledger.domain.money import format_amount
    from ledger.io.exports import attribution_data
    from ledger.queries.statement import statement_body
    from tests.documents.conftest import statement
    doc = statement()
    found_regions = [r["code"] for r in doc.data["regions"]]
    assert found_regions == ["640000", "640100", "640104", "640181"]
    # the document's data are the API's body with amounts written as text
    body = {k: doc.data[k] for k in ("regions", "totals", "reconciliation")}
    api = {k: v for k, v in attribution_data(_found()).items()
           if k in ("regions", "totals", "reconciliation")}
    assert api == statement_body(_found())
    assert body == statement_body(_found(), format_amount)
    assert api["regions"][0] == {"code": "640000", "name": "宁夏回族自治区", "level": "province",
                                 "parent_code": None, "rolled_up": True, "in_place": 2010,
                                 "ceded": 301, "credited": 301, "attributed": 2010}


def _found():
    from tests.documents.conftest import found_attribution
    return found_attribution("n")


def test_a_committee_name_breaks_before_its_level_word_only():
    assert words("宁东能源化工基地管委会") == ["宁东能源化工基地", "管委会"]
    assert words("灵武市") == ["灵武市"] and words("管委会") == ["管委会"]
