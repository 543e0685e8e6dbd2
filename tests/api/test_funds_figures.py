"""The figures per accounting line through HTTP, on SQLite and PostgreSQL: GET /attribution and
/attribution/projects with `indicator`, funds in place split by source as the receipts'
revisions stood at `as_of`, Σ attributed = Σ in place on each line, and the files (a CSV of the
line asked for, an XLSX with a worksheet per line).

The seed (tests/api/_seed.py): p_filed has a filed agreement from 2025, 兴庆区 (640104)
recommending 30 % of both lines, and reports of 10.05 in 2025-01 and 2025-02; p_free has
none until the test files one whose funds share (50 %) differs from its completed share (30 %).
Every seeded project is hosted by 灵武市 (640181)."""

from __future__ import annotations

from decimal import Decimal
import io

import openpyxl

from tests.api._seed import AGREEMENT_BODY, fill
from tests.helpers import verify
from tests.io.files import read_csv_export

HOST, RECOMMENDER = "640181", "640104"


def _file_funds_agreement(seeded) -> int:
    host, recommender = seeded.as_("host"), seeded.as_("recommender")
    body = fill(AGREEMENT_BODY, seeded.ids) | {
        "first_year": 2025, "signed_on": "2025-01-10",
        "terms": [{"indicator": "funds_in_place", "recommender_share": "50"}]}
    a = host.post("/agreements", body)
    assert a.status_code == 201, a.json
    aid = a.json["id"]
    for who, action in ((recommender, "confirm"), (recommender, "submit"),
                        (seeded.as_("statistics"), "acknowledge"),
                        (seeded.as_("commerce"), "acknowledge")):
        etag = who.get(f"/agreements/{aid}").headers["ETag"]
        r = who.post(f"/agreements/{aid}/{action}", headers={"If-Match": etag})
        assert r.status_code == 200, r.json
    return aid


def _receipt(client, project_id, received_on, amount, source) -> dict:
    r = client.post(f"/projects/{project_id}/funds", {
        "received_on": received_on, "amount": amount, "source": source,
        "payer": "宁夏某某有限公司"})
    assert r.status_code == 201, r.json
    return r.json


def _row(body, code) -> dict:
    return next(r for r in body["regions"] if r["code"] == code)


def _cents(text: str) -> int:
    return int(text.replace(".", ""))


def _reconciles(body) -> None:
    """Σ attributed = Σ in place; the regions not rolled up sum to the totals."""
    assert body["reconciliation"]["difference"] == "0.00"
    assert body["totals"]["attributed"] == body["totals"]["in_place"]
    own = [r for r in body["regions"] if not r["rolled_up"]]
    for figure in ("in_place", "ceded", "credited", "attributed"):
        assert sum(_cents(r[figure]) for r in own) == _cents(body["totals"][figure])


def _record(seeded) -> dict:
    _file_funds_agreement(seeded)
    host = seeded.as_("host")
    free, filed = seeded.ids["p_free"], seeded.ids["p_filed"]
    return {"free_domestic": _receipt(host, free, "2025-05-05", "10.05", "domestic"),
            "free_foreign": _receipt(host, free, "2025-06-01", "20.00", "foreign"),
            "filed_domestic": _receipt(host, filed, "2025-03-01", "7.00", "domestic")}


def test_each_line_has_its_own_figures_and_funds_are_split_by_source(seeded):
    _record(seeded)
    stats = seeded.as_("statistics")
    funds = stats.get("/attribution", query_string={"year": 2025,
                                                    "indicator": "funds_in_place"})
    assert funds.status_code == 200, funds.json
    funds = funds.json
    assert funds["indicator"] == "funds_in_place"
    assert funds["totals"]["in_place"] == "37.05"
    # 兴庆区 is credited 50 % of p_free's funds and 30 % of p_filed's: 5.02 + 10.00 + 2.10
    assert _row(funds, RECOMMENDER)["credited"] == "17.12"
    assert _row(funds, HOST)["in_place"] == "37.05"
    assert _row(funds, HOST)["sources"] == {"domestic": "17.05", "foreign": "20.00"}
    assert funds["totals"]["sources"] == {"domestic": "17.05", "foreign": "20.00"}
    assert _row(funds, RECOMMENDER)["sources"] == {"domestic": "0.00", "foreign": "0.00"}
    _reconciles(funds)

    completed = stats.get("/attribution", query_string={"year": 2025}).json
    assert completed["indicator"] == "completed_investment"
    assert completed["totals"]["in_place"] == "20.10"  # the two reports, no receipt
    assert "sources" not in completed["totals"]
    _reconciles(completed)

    bad = stats.get("/attribution", query_string={"year": 2025, "indicator": "funds"})
    assert bad.status_code == 422 and "indicator" in bad.json["errors"]["query"]


def test_a_region_sees_its_own_rows_of_the_line(seeded):
    _record(seeded)
    mine = seeded.as_("recommender").get(
        "/attribution", query_string={"year": 2025, "indicator": "funds_in_place"}).json
    assert {r["code"] for r in mine["regions"]} == {RECOMMENDER}
    assert mine["regions"][0]["attributed"] == "17.12"
    assert mine["totals"]["in_place"] == "37.05"


def test_the_source_split_is_read_as_of_the_time_asked(seeded):
    receipts = _record(seeded)
    stats, host = seeded.as_("statistics"), seeded.as_("host")
    query = {"year": 2025, "indicator": "funds_in_place"}
    before = stats.get("/attribution", query_string=query).json
    foreign = receipts["free_foreign"]
    r = host.patch(f"/projects/{seeded.ids['p_free']}/funds/{foreign['id']}",
                   {"source": "domestic", "reason": "来源填错"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.json
    void = receipts["filed_domestic"]
    r = host.post(f"/projects/{seeded.ids['p_filed']}/funds/{void['id']}/void",
                  {"reason": "重复录入"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.json

    now = stats.get("/attribution", query_string=query).json
    assert now["totals"]["in_place"] == "30.05"
    assert now["totals"]["sources"] == {"domestic": "30.05", "foreign": "0.00"}
    _reconciles(now)
    then = stats.get("/attribution", query_string=query | {"as_of": before["as_of"]}).json
    assert then["totals"] == before["totals"]
    assert _row(then, HOST) == _row(before, HOST)
    assert then["totals"]["sources"] == {"domestic": "17.05", "foreign": "20.00"}
    with seeded.app.app_context():
        from ledger import current
        assert verify(current.session()).ok


def test_project_lines_show_the_share_of_their_line(seeded):
    _record(seeded)
    stats = seeded.as_("statistics")
    funds = stats.get("/attribution/projects",
                      query_string={"year": 2025, "indicator": "funds_in_place"}).json
    assert funds["indicator"] == "funds_in_place"
    lines = {line["project_id"]: line for line in funds["projects"]}
    free = lines[seeded.ids["p_free"]]
    assert (free["recommender_share"], free["amount"], free["recommender_part"],
            free["host_part"]) == ("50.00", "30.05", "15.02", "15.03")
    assert lines[seeded.ids["p_filed"]]["recommender_share"] == "30.00"
    completed = stats.get("/attribution/projects", query_string={"year": 2025}).json
    assert completed["indicator"] == "completed_investment"
    assert seeded.ids["p_free"] not in {line["project_id"] for line in completed["projects"]}


def test_a_csv_holds_the_line_asked_for_and_an_xlsx_both(seeded):
    _record(seeded)
    stats = seeded.as_("statistics")
    query = {"year": 2025, "indicator": "funds_in_place"}
    body = stats.get("/attribution", query_string=query).json
    at = query | {"as_of": body["as_of"]}
    csv = stats.get("/attribution", query_string=at | {"format": "csv"})
    assert csv.status_code == 200
    assert "funds_in_place" in csv.headers["Content-Disposition"]
    read = read_csv_export(csv.data)
    assert read["title"] == "2025年度招商引资实际到位资金分算汇总表"
    assert read["facts"]["指标"] == "招商引资实际到位资金"
    assert read["header"][-2:] == ["在地统计数：境内区外资金（万元）", "在地统计数：境外资金（万元）"]
    total = next(row for row in read["rows"] if row[1] == "合计（全部地区）")
    assert total[5:11] == ["37.05", "17.12", "17.12", "37.05", "17.05", "20.00"]
    assert total[5] == body["totals"]["in_place"]

    xlsx = stats.get("/attribution", query_string=at | {"format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == ["完成投资", "招商引资实际到位资金"]
    titles = [sheet.cell(row=1, column=1).value for sheet in book.worksheets]
    assert titles == ["2025年度招商引资投资分算汇总表", "2025年度招商引资实际到位资金分算汇总表"]
    as_of_cells = {sheet.title: sheet.cell(row=4, column=2).value for sheet in book.worksheets}
    assert len(set(as_of_cells.values())) == 1  # both lines read as of one time
    funds_total = next(row for row in book.worksheets[1].iter_rows(values_only=True)
                       if row[1] == "合计（全部地区）")
    assert [Decimal(str(v)) for v in funds_total[5:11]] == [  # the cells' exact values
        Decimal(v) for v in ("37.05", "17.12", "17.12", "37.05", "17.05", "20.00")]
    completed_total = next(row for row in book.worksheets[0].iter_rows(values_only=True)
                           if row[1] == "合计（全部地区）")
    assert Decimal(str(completed_total[5])) == Decimal("20.10")

    projects = stats.get("/attribution/projects", query_string=at | {"format": "xlsx"})
    assert openpyxl.load_workbook(io.BytesIO(projects.data)).sheetnames == [
        "项目分算明细", "项目分算明细（招商引资实际到位资金）"]


def test_the_answer_is_the_bytes_the_schema_would_dump(seeded, app):
    """GET /attribution formats its figures itself (ledger.api.attribution.attribution_json):
    the same bytes as AttributionSchema's dump of the same figures, on both lines, for the
    whole province and for a region's own rows."""
    from flask import jsonify

    from ledger import current
    from ledger.io.exports import attribution_data
    from ledger.policy import Actor
    from ledger.queries.attribution import attribution
    from ledger.schemas.fields import AsOf
    from ledger.schemas.resources import AttributionSchema

    _record(seeded)
    for who, actor in (("statistics", Actor(None, "t", "statistics")),
                       ("host", Actor(None, "t", "region", HOST))):
        for line in ("funds_in_place", "completed_investment"):
            answer = seeded.as_(who).get("/attribution", query_string={"year": 2025,
                                                                       "indicator": line})
            assert answer.status_code == 200, answer.json
            with app.test_request_context():
                found = attribution(current.context(actor), 2025,
                                    AsOf().deserialize(answer.json["as_of"]), indicator=line)
                dumped = jsonify(AttributionSchema().dump(attribution_data(found))).data
            assert answer.data == dumped
