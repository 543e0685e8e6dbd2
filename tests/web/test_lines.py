"""The web pages on both accounting lines: the attribution page switches between 完成投资 and
招商引资实际到位资金 (its files follow the line shown; funds show their split by source), and
the dashboards show both lines."""

from __future__ import annotations

import io
import re
from datetime import date

import openpyxl

from ledger.commands.funds import record_funds
from ledger.commands.inputs import FundsRow
from tests.web.support import login, page


def _funds(world, session) -> None:
    p = world.project()
    world.agreement(p, terms=[{"indicator": "funds_in_place", "recommender_share": "50"}])
    world.report(p, "2025-01", "10.05")
    for n, (day, amount, source) in enumerate(((date(2025, 3, 1), 1005, "domestic"),
                                               (date(2025, 4, 1), 2000, "foreign"))):
        record_funds(world.ctx(world.lingwu), FundsRow(
            row=n + 1, received_on=day, amount=amount, source=source, payer="宁夏某某有限公司",
            project_id=p.id))
    session.commit()


def _links(html: str, pattern: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(rf'href="({pattern}[^"]*)"', html)]


def test_the_attribution_page_switches_line(world, client, session):
    _funds(world, session)
    login(client, "tongji")
    completed = page(client, "/attribution?year=2025")
    assert '<h2 class="h5 mt-2" id="line-name">完成投资</h2>' in completed
    assert "境外资金" not in completed
    switch = _links(completed, "/attribution\\?")
    funds_link = next(h for h in switch if "indicator=funds_in_place" in h)
    assert "year=2025" in funds_link
    funds = page(client, funds_link)
    assert '<h2 class="h5 mt-2" id="line-name">招商引资实际到位资金</h2>' in funds
    assert 'aria-current="page">招商引资实际到位资金</a>' in funds
    assert "境内区外资金" in funds and "境外资金" in funds
    assert ">30.05<" in funds and ">10.05<" in funds and ">20.00<" in funds  # in place, by source
    assert ">15.02<" in funds  # 50 % of the funds credited (10.05 → 5.02, 20.00 → 10.00)
    # the files follow the line shown; the XLSX holds both lines
    csv_link = next(h for h in _links(funds, "/attribution/regions.csv"))
    assert "indicator=funds_in_place" in csv_link
    assert "2025年度招商引资实际到位资金分算汇总表" in client.get(csv_link).data.decode("utf-8-sig")
    xlsx = client.get(next(h for h in _links(funds, "/attribution/regions.xlsx")))
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == ["完成投资", "招商引资实际到位资金"]


def test_the_dashboards_show_both_lines(world, client, session):
    _funds(world, session)
    for user in ("tongji", "lingwu"):
        login(client, user)
        html = page(client, "/dashboard")
        for line, figure in (("completed_investment", "10.05"), ("funds_in_place", "30.05")):
            table = html.split(f'<table class="table table-sm figures" data-indicator="{line}">')[1]
            assert f">{figure}<" in table.split("</table>")[0], (user, line)
        assert "完成投资" in html and "招商引资实际到位资金" in html
