"""POST /funds/import and its template over HTTP, on SQLite and PostgreSQL: receipts of funds in
place from a CSV or XLSX file read by the investment import's reader — Chinese or English
headers, source words or codes — every bad row named as the spreadsheet shows it and nothing
written, two receipts of one day both kept, and the same ledger as the receipts sent one at a
time through POST /projects/{id}/funds.

The seed (tests/api/_seed.py): p_filed has a filed agreement from 2025, 兴庆区 recommending 30 %;
p_free and p_unlanded no agreement; every project signed 2023-12-01; 2023 is closed."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import openpyxl
import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from ledger.models import AuditEntry, Balance, FundsReceipt, Posting
from tests.helpers import today, verify
from tests.io.files import csv_bytes, multipart, xlsx_bytes

FUNDS_ZH = ["项目ID", "到账日期", "到位资金(万元)", "资金来源", "出资方", "备注"]
FUNDS_EN = ["project_id", "received_on", "amount", "source", "payer", "note"]
PAYER = "宁夏某某有限公司"


def upload(env, actor: str, data: bytes, name: str = "funds.csv", headers=None):
    body, content_type = multipart({"file": FileStorage(io.BytesIO(data), name)})
    return env.as_(actor).post("/funds/import", headers=headers, data=body,
                               content_type=content_type)


def receipts(env, project: str, actor="host") -> list[tuple]:
    got = env.as_(actor).get(f"/projects/{env.ids[project]}/funds")
    assert got.status_code == 200, got.json
    return sorted((r["received_on"], r["amount"], r["source"], r["payer"], r["note"])
                  for r in got.json)


def ledger_of(env) -> dict:
    """What the ledger holds: the postings' amounts summed per (project, period, region, role,
    indicator), every balance, and the receipts as recorded."""
    with env.backend.engine.connect() as conn:
        parts = conn.execute(
            sa.select(Posting.project_id, Posting.period, Posting.region_code, Posting.role,
                      Posting.indicator, sa.func.sum(Posting.amount))
            .group_by(Posting.project_id, Posting.period, Posting.region_code, Posting.role,
                      Posting.indicator)).all()
        balances = conn.execute(sa.select(Balance.year, Balance.indicator, Balance.region_code,
                                          Balance.in_place, Balance.ceded, Balance.credited)).all()
        kept = conn.execute(sa.select(FundsReceipt.project_id, FundsReceipt.received_on,
                                      FundsReceipt.amount, FundsReceipt.source,
                                      FundsReceipt.payer, FundsReceipt.note,
                                      FundsReceipt.revision)).all()
    return {"postings": sorted((*k[:5], int(total)) for *k, total in parts if int(total)),
            "balances": sorted(tuple(b) for b in balances),
            "receipts": sorted(tuple(r) for r in kept)}


def ok(env):
    with env.app.app_context():
        from ledger import current
        result = verify(current.session())
    assert result.ok, result.problems


def test_a_good_csv_with_chinese_headers_and_source_words(seeded):
    p = seeded.ids["p_filed"]
    r = upload(seeded, "host", csv_bytes([
        [p, "2025-03-15", "10.05", "境内区外", PAYER, "首笔"],
        [p, "2025-03-15", "10.05", "境外", PAYER, ""],       # the same day twice: two receipts
        [p, "2024-12-30", "1.00", "境外资金", "香港某公司", ""],
        [seeded.ids["p_free"], "2025-01-02", "0.01", "domestic", PAYER, ""]], FUNDS_ZH))
    assert r.status_code == 200, r.json
    # 2025 of p_filed (one project-year: 2 postings), 2024 of p_filed (host only: 1), p_free (1)
    assert r.json == {"rows": 4, "created": 4, "postings": 4}
    assert receipts(seeded, "p_filed") == [
        ("2024-12-30", "1.00", "foreign", "香港某公司", ""),
        ("2025-03-15", "10.05", "domestic", PAYER, "首笔"),
        ("2025-03-15", "10.05", "foreign", PAYER, "")]
    balances = {b[2]: b[3:] for b in ledger_of(seeded)["balances"]
                if b[:2] == (2025, "funds_in_place") and any(b[3:])}
    # 灵武市 hosts both: 20.11 in place, 30 % of p_filed's 20.10 ceded to 兴庆区
    assert balances == {"640181": (2011, 603, 0), "640104": (0, 0, 603)}
    completed = seeded.as_("statistics").get("/attribution", query_string={"year": 2025}).json
    assert completed["totals"]["in_place"] == "20.10"  # the seed's reports: the other line
    with seeded.backend.engine.connect() as conn:
        journaled = conn.execute(sa.select(AuditEntry.action, AuditEntry.entity)
                                 .where(AuditEntry.action.in_(("funds.import", "funds.record")))
                                 ).all()
    # the file's four receipts and the seed's one
    assert sorted(journaled) == [("funds.import", "import")] + [("funds.record", "funds_receipt")] * 5
    ok(seeded)


def test_an_xlsx_with_english_headers_date_cells_and_project_codes(seeded):
    """Excel's date cells are read as their day; a project may be named by its code; other
    columns (a name beside the id) are ignored."""
    code = "2023-640181-26-03-000001"
    path = f"/projects/{seeded.ids['p_free']}"
    etag = seeded.as_("host").get(path).headers["ETag"]
    named = seeded.as_("host").patch(path, {"project_code": code}, headers={"If-Match": etag})
    assert named.status_code == 200, named.json
    data = xlsx_bytes([
        [None, code, datetime(2025, 4, 1), 12.5, "foreign", PAYER, None, "某项目"],
        [seeded.ids["p_free"], None, "2025-04-02", "3", "境内区外", PAYER, "二笔", "某项目"]],
        ["项目ID", "project_code", "RECEIVED_ON", "到位资金（万元）", "source", "出资方", "note",
         "项目名称"])
    r = upload(seeded, "host", data, "到位资金.xlsx")
    assert r.status_code == 200, r.json
    assert r.json["created"] == 2
    assert receipts(seeded, "p_free") == [("2025-04-01", "12.50", "foreign", PAYER, ""),
                                          ("2025-04-02", "3.00", "domestic", PAYER, "二笔")]


def test_bad_rows_are_each_named_and_nothing_is_written(seeded):
    p, hidden = seeded.ids["p_filed"], seeded.ids["p_free"]
    tomorrow = (today() + timedelta(days=1)).isoformat()
    before = seeded.state()
    r = upload(seeded, "recommender", csv_bytes([
        [p, "2025-03-15", "1.00", "境外", PAYER, ""],           # 2: good, but not its project
        [hidden, "2025-03-15", "1.00", "境外", PAYER, ""],      # 3: not visible to 兴庆区
        [99999, "2025-03-15", "1.00", "境外", PAYER, ""],       # 4: no such project
    ], FUNDS_ZH))
    assert r.status_code == 422
    assert r.json["error_codes"] == {"file": {
        "2": {"project_id": ["forbidden.host_only"]},
        "3": {"project_id": ["resource.not_found"]},
        "4": {"project_id": ["resource.not_found"]}}}
    assert r.json["errors"]["file"]["3"]["project_id"] == [f"project {hidden} not found"]

    r = upload(seeded, "host", csv_bytes([
        [p, "2025-03-15", "1.00", "境外", PAYER, ""],           # 2: good
        [p, tomorrow, "1.00", "境外", PAYER, ""],               # 3: in the future
        [p, "2023-11-30", "1.00", "境外", PAYER, ""],           # 4: before the signing (and 2023 closed)
        [p, "2023-12-15", "1.00", "境外", PAYER, ""],           # 5: 2023 is closed
        [p, "2025-03-15", "1.00", "国内", PAYER, ""],           # 6: no such source
        [p, "2025-03-15", "0.00", "境外", PAYER, ""],           # 7: nothing received
        [p, "2025-03-15", "1.005", "境外", "", ""],             # 8: three decimals, no payer
        [p, "2025/03/15", "1.00", "境外", PAYER, ""],           # 9: not a date
        ["", "2025-03-15", "1.00", "境外", PAYER, ""],          # 10: no project
    ], FUNDS_ZH))
    assert r.status_code == 422, r.json
    assert r.json["error"] == "import.invalid_rows"
    assert r.json["message"] == "8 row(s) of the file are invalid; nothing was imported"
    assert r.json["error_codes"] == {"file": {
        "3": {"received_on": ["date.future"]},
        "4": {"received_on": ["funds.before_signing", "year.closed"]},
        "5": {"received_on": ["year.closed"]},
        "6": {"source": ["field.one_of"]},
        "7": {"amount": ["funds.amount_zero"]},
        "8": {"amount": ["amount.too_many_decimals"], "payer": ["field.required"]},
        "9": {"received_on": ["date.shape"]},
        "10": {"project_id": ["import.project_missing"]}}}
    assert seeded.state() == before


def test_a_missing_column_is_named_in_both_languages(seeded):
    r = upload(seeded, "host", csv_bytes([[1, "2025-01-02", "1.00", PAYER]],
                                         ["项目ID", "到账日期", "到位资金(万元)", "出资方"]))
    assert r.status_code == 422
    assert r.json["error_codes"] == {"file": {"header": {"source": ["import.missing_column"]}}}
    assert "资金来源" in r.json["errors"]["file"]["header"]["source"][0]


@pytest.mark.parametrize("actor,status", [("admin", 403), ("commerce", 403), ("anon", 401)])
def test_who_may_not_import(seeded, actor, status):
    before = seeded.state()
    r = upload(seeded, actor, csv_bytes([[seeded.ids["p_filed"], "2025-03-15", "1.00", "境外",
                                          PAYER, ""]], FUNDS_ZH))
    assert r.status_code == status and r.json["code"] == status
    assert seeded.state() == before


def test_the_statistics_bureau_may_import_for_any_project(seeded):
    r = upload(seeded, "statistics", csv_bytes([[seeded.ids["p_filed"], "2025-03-15", "1.00",
                                                 "境外", PAYER, ""]], FUNDS_ZH))
    assert r.status_code == 200 and r.json == {"rows": 1, "created": 1, "postings": 2}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_downloads_and_imports_back(seeded, fmt):
    r = seeded.as_("host").get("/funds/import/template", query_string={"format": fmt})
    assert r.status_code == 200
    assert "funds-import-template" in r.headers["Content-Disposition"]
    header = ["项目ID", "项目代码", "到账日期", "到位资金(万元)", "资金来源", "出资方", "备注"]
    row = [seeded.ids["p_free"], None, date(2025, 5, 6), 8, "境外", PAYER, None]
    if fmt == "csv":
        assert r.data.decode("utf-8-sig") == ",".join(header) + "\r\n"
        data = r.data + f"{row[0]},,2025-05-06,8,境外,{PAYER},\r\n".encode()
    else:
        book = openpyxl.load_workbook(io.BytesIO(r.data))
        sheet = book.worksheets[0]
        assert sheet.title == "到位资金" and [c.value for c in sheet[1]] == header
        assert sheet["C2"].number_format == "yyyy-mm-dd" and sheet["B2"].number_format == "@"
        notes = "\n".join(str(c.value) for c in book.worksheets[1]["C"] if c.value)
        assert "境内区外 或 境外" in notes
        sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
    done = upload(seeded, "host", data, f"template.{fmt}")
    assert done.status_code == 200, done.json
    assert receipts(seeded, "p_free") == [("2025-05-06", "8.00", "foreign", PAYER, "")]


def test_a_bulk_import_equals_the_same_receipts_sent_one_by_one(seeded):
    """The bulk path (insert_rows, one reconcile per project-year, one append) leaves the ledger
    that the same receipts sent one at a time through POST /projects/{id}/funds leave: the same
    amounts per project, month, region, role and line, the same balances, the same receipts;
    verify holds after both."""
    ids = seeded.ids
    sources = ("domestic", "境外", "境内区外", "foreign")
    rows = []
    for n in range(24):
        project = ("p_filed", "p_free", "p_draft", "p_unlanded")[n % 4]
        day = date(2024, 11, 1) + timedelta(days=23 * n)  # 2024-11 … 2026-04: three years
        rows.append([ids[project], day.isoformat(), f"{(n * 7919) % 5000 + 1}.{n % 100:02d}",
                     sources[n % 4], f"出资方{n % 3}", f"第{n}笔"])
    rows.append(list(rows[0]))  # the same receipt twice in one file: two receipts
    seeded.backend.restore("story")
    r = upload(seeded, "host", csv_bytes(rows, FUNDS_EN))
    assert r.status_code == 200, r.json
    assert r.json["created"] == len(rows)
    ok(seeded)
    bulk = ledger_of(seeded)

    seeded.backend.restore("story")
    for project_id, received_on, amount, source, payer, note in rows:
        one = seeded.as_("host").post(f"/projects/{project_id}/funds", {
            "received_on": received_on, "amount": amount, "source": source, "payer": payer,
            "note": note})
        assert one.status_code == 201, one.json
    ok(seeded)
    single = ledger_of(seeded)
    assert len(bulk["receipts"]) == len(rows) + 1  # and the seed's
    assert {p[4] for p in bulk["postings"]} == {"completed_investment", "funds_in_place"}
    assert any(p[3] == "recommender" and p[4] == "funds_in_place" for p in bulk["postings"])
    assert bulk == single
