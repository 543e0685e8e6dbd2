"""The attribution read models as files: JSON (the API's shape), CSV and XLSX; and the lists
people work from (agreements, projects) as XLSX.

Every format is drawn from the same read model (queries.attribution.Attribution,
queries.project_lines.ProjectLines), never from a second computation: the rows, totals and
reconciliation of the CSV and XLSX are those of the JSON, cell for cell, to the 0.01万元.
A JSON answer and a CSV file hold the accounting line asked for; an XLSX file holds every
line, one worksheet each (完成投资 first), all read as of the same time.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any
from datetime import datetime

from ledger.domain.codes import industry_name
from ledger.domain.enums import FundsSource, Indicator, Stage, VersionStatus
from ledger.domain.periods import LOCAL_TZ, beijing_minute, beijing_stamp, beijing_text
from ledger.domain.vocabulary import (
    INDICATORS, LEVELS, SOURCES, STAGES, STATEMENT_NOTICE, STATUSES, statement_title,
)
from ledger.io.sheets import (
    CSV_MIMETYPE, XLSX_MIMETYPE, Column, Export, Kind, Row, RowKind, Sheet, to_csv, to_xlsx,
)
from ledger.queries.attribution import Attribution, RegionTotals
from ledger.queries.project_lines import ProjectLines
from ledger.queries.statement import statement_body

FORMATS = ("json", "csv", "xlsx")
FILE_FORMATS = ("csv", "xlsx")


# ------------------------------------------------------------------ JSON

def attribution_data(found: Attribution) -> dict:
    """The body of GET /attribution (amounts still integers: AttributionSchema formats them)."""
    return ({"year": found.year, "indicator": found.indicator, "as_of": found.as_of,
             "note": found.notice} | statement_body(found))


def project_lines_data(found: ProjectLines) -> dict:
    """The body of GET /attribution/projects (ProjectLinesSchema formats it)."""
    return {"year": found.year, "indicator": found.indicator, "as_of": found.as_of,
            "note": found.notice,
            "projects": [vars(line) | {"host_part": line.host_part} for line in found.projects]}


# ------------------------------------------------------------------ sheets

def _facts(year: int, as_of: datetime, indicator: str) -> list[tuple[str, str]]:
    """The lines above a sheet's table, in Chinese only (the JSON keeps the API's notice)."""
    return [("考核年度", str(year)),
            ("指标", INDICATORS[Indicator(indicator)]),
            ("数据截至", beijing_text(as_of)),
            ("说明", STATEMENT_NOTICE)]


def attribution_sheet(found: Attribution) -> Sheet:
    """Per region (a region with regions below it rolled up, as a subtotal above them), the
    province totals and the reconciliation line."""
    amount = Kind.AMOUNT
    by_source = found.by_source
    sheet = Sheet(
        name=INDICATORS[Indicator(found.indicator)], title=statement_title(found.year, found.indicator),
        facts=_facts(found.year, found.as_of, found.indicator),
        columns=[Column("地区代码", Kind.TEXT, 14), Column("地区名称", Kind.TEXT, 24),
                 Column("层级", Kind.TEXT, 8), Column("上级地区代码", Kind.TEXT, 14),
                 Column("口径", Kind.TEXT, 12),
                 Column("在地统计数（万元）", amount, 18), Column("划出数（万元）", amount, 16),
                 Column("划入数（万元）", amount, 16), Column("分算后数（万元）", amount, 18)]
        + ([Column(f"在地统计数：{SOURCES[s]}（万元）", amount, 20) for s in FundsSource]
           if by_source else []))

    def sources(row: RegionTotals) -> list:
        return [row.sources[s] for s in FundsSource] if by_source else []

    shown = {r.code: r for r in found.regions}
    for r in found.regions:
        depth = _depth(r, shown)
        sheet.rows.append(Row(
            [r.code, r.name, LEVELS.get(r.level, r.level), r.parent_code,
             "含下级合计" if r.rolled_up else "本级", r.in_place, r.ceded, r.credited,
             r.attributed, *sources(r)],
            RowKind.SUBTOTAL if r.rolled_up else RowKind.DETAIL, level=min(depth, 7)))
    t, check = found.totals, found.reconciliation
    sheet.rows += [
        Row([None, "合计（全部地区）", None, None, None, t.in_place, t.ceded, t.credited,
             t.attributed, *sources(t)], RowKind.TOTAL),
        Row([None, "核对：分算后数合计 = 在地统计数合计", None, None, None, check.in_place,
             None, None, check.attributed], RowKind.CHECK),
        Row([None, "差额（分算后 − 在地，应为 0.00）", None, None, None, None, None, None,
             check.difference], RowKind.CHECK),
    ]
    return sheet


def _depth(row: RegionTotals, shown: dict[str, RegionTotals]) -> int:
    depth, parent = 0, row.parent_code
    while parent in shown and depth < 10:
        depth, parent = depth + 1, shown[parent].parent_code
    return depth


def project_lines_sheet(found: ProjectLines) -> Sheet:
    """Per project: host, recommender, agreement, share, the annual amount and each side's
    part; the sums and the check that the parts add up to the amounts."""
    amount = Kind.AMOUNT
    line = INDICATORS[Indicator(found.indicator)]
    completed = found.indicator == Indicator.COMPLETED_INVESTMENT
    sheet = Sheet(
        name="项目分算明细" if completed else f"项目分算明细（{line}）",
        title=f"{found.year}年度招商引资项目分算明细表" + ("" if completed else f"（{line}）"),
        facts=_facts(found.year, found.as_of, found.indicator),
        columns=[Column("项目ID", Kind.INT, 8), Column("项目名称", Kind.TEXT, 30),
                 Column("所在地（接受地）代码", Kind.TEXT, 14),
                 Column("推荐地代码", Kind.TEXT, 14), Column("协议编号", Kind.TEXT, 14),
                 Column("协议版本", Kind.INT, 8), Column("推荐地分算比例（%）", Kind.SHARE, 12),
                 Column(f"年度{line}（万元）", amount, 18),
                 Column("推荐地分算数（万元）", amount, 18),
                 Column("所在地分算数（万元）", amount, 18)])
    total = recommender = host = 0
    for line in found.projects:
        sheet.rows.append(Row([line.project_id, line.project_name, line.host_code,
                               line.recommender_code, line.agreement_number, line.version,
                               line.recommender_share, line.amount, line.recommender_part,
                               line.host_part]))
        total += line.amount
        recommender += line.recommender_part
        host += line.host_part
    sheet.rows += [
        Row([None, "合计", None, None, None, None, None, total, recommender, host],
            RowKind.TOTAL),
        Row([None, f"核对：推荐地 + 所在地 − 年度{line}（应为 0.00）", None, None, None, None,
             None, None, None, recommender + host - total], RowKind.CHECK),
    ]
    return sheet


# ------------------------------------------------------------------ files

def _stamp(as_of: datetime) -> str:
    """The as-of time in Beijing time for the ASCII file name: 20250630T200000+0800."""
    return as_of.astimezone(LOCAL_TZ).strftime("%Y%m%dT%H%M%S%z")


def _names(sheets: list[Sheet], found, ascii_name: str) -> tuple[str, str]:
    """(the file's Chinese name: its first sheet's title — the line a CSV holds, completed
    investment's for an XLSX of every line — and the as-of time in Beijing time; the ASCII
    name for clients that cannot read it, a CSV of funds in place saying so)."""
    name = f"{sheets[0].title}-截至{beijing_stamp(found.as_of)}"
    if len(sheets) == 1 and found.indicator != Indicator.COMPLETED_INVESTMENT:
        ascii_name += f"-{found.indicator}"
    return name, f"{ascii_name}-asof-{_stamp(found.as_of)}"


def export_attribution(lines: list[Attribution], fmt: str) -> Export:
    """`lines` as read_lines gives them: one for a CSV, every line for an XLSX."""
    found = lines[0]
    sheets = [attribution_sheet(f) for f in lines]
    return _file(sheets, fmt, *_names(sheets, found, f"attribution-{found.year}"))


def export_project_lines(lines: list[ProjectLines], fmt: str) -> Export:
    found = lines[0]
    sheets = [project_lines_sheet(f) for f in lines]
    return _file(sheets, fmt, *_names(sheets, found, f"attribution-projects-{found.year}"))


def _file(sheets: list[Sheet], fmt: str, name: str, ascii_name: str) -> Export:
    if fmt == "csv":
        (sheet,) = sheets
        return Export(to_csv(sheet), CSV_MIMETYPE, f"{name}.csv", f"{ascii_name}.csv")
    if fmt == "xlsx":
        return Export(to_xlsx(*sheets), XLSX_MIMETYPE, f"{name}.xlsx", f"{ascii_name}.xlsx")
    raise ValueError(f"not a file format: {fmt}")


# ------------------------------------------------------------------ lists

AGREEMENT_LIST, PROJECT_LIST = "协议列表", "项目列表"


def _list_facts(now: datetime, filters: str, count: int) -> list[tuple[str, str]]:
    return [("导出时间（北京时间）", beijing_minute(now)),
            ("筛选条件", filters or "无"), ("条数", str(count))]


def _list_file(sheet: Sheet, now: datetime, ascii_name: str) -> Export:
    """协议列表_2026-12-06.xlsx: the list's name and the Beijing date it was exported."""
    day = now.astimezone(LOCAL_TZ).strftime("%Y-%m-%d")
    return Export(to_xlsx(sheet), XLSX_MIMETYPE, f"{sheet.name}_{day}.xlsx",
                  f"{ascii_name}_{day}.xlsx")


def _local(moment: datetime | None) -> str | None:
    return beijing_minute(moment) if moment else None


def _day(value) -> str | None:
    return value.isoformat() if value else None


def export_agreement_list(agreements: list[Any], *, region_name: Callable[[str], str],
                          project_names: Mapping[int, str], waiting: Collection[int],
                          filters: str, now: datetime) -> Export:
    """The agreements (ledger.models.Agreement, as ledger.queries.agreements lists them) one row
    each with its newest version's terms; a project's name only where the user may read the
    project (`project_names`)."""
    share = Kind.SHARE
    sheet = Sheet(name=AGREEMENT_LIST, title="投资转移协议列表",
                  facts=_list_facts(now, filters, len(agreements)),
                  columns=[Column("协议编号", Kind.TEXT, 14), Column("版本", Kind.INT, 6),
                           Column("项目ID", Kind.INT, 8), Column("项目名称", Kind.TEXT, 28),
                           Column("推荐地代码", Kind.TEXT, 10), Column("推荐地", Kind.TEXT, 14),
                           Column("接受地代码", Kind.TEXT, 10), Column("接受地", Kind.TEXT, 14),
                           Column("推荐地分算比例：完成投资（%）", share, 14),
                           Column("推荐地分算比例：到位资金（%）", share, 14),
                           Column("起始年度", Kind.INT, 8), Column("终止年度", Kind.INT, 8),
                           Column("状态", Kind.TEXT, 16), Column("备案编号", Kind.TEXT, 18),
                           Column("备案日期", Kind.TEXT, 11),
                           Column("发起时间（北京时间）", Kind.TEXT, 17),
                           Column("待我办理", Kind.TEXT, 8)])
    for a in agreements:
        v = a.newest
        sheet.rows.append(Row([
            a.number, v.version, a.project_id, project_names.get(a.project_id),
            a.recommender_code, region_name(a.recommender_code), a.receiver_code,
            region_name(a.receiver_code), v.recommender_share, v.funds_share, v.first_year,
            v.last_year, STATUSES[VersionStatus(v.status)], v.filing_number, _day(v.filed_on),
            _local(a.created_at), "是" if a.id in waiting else "否"]))
    return _list_file(sheet, now, "agreements")


def export_project_list(projects: list[Any], *, region_name: Callable[[str], str],
                        live_agreements: Mapping[int, Any], filters: str,
                        now: datetime) -> Export:
    """The projects (ledger.models.Project, as ledger.queries.projects lists them) with their
    facts, dates and live agreement (`live_agreements`, by project id)."""
    sheet = Sheet(name=PROJECT_LIST, title="招商引资项目列表",
                  facts=_list_facts(now, filters, len(projects)),
                  columns=[Column("项目ID", Kind.INT, 8), Column("项目名称", Kind.TEXT, 28),
                           Column("投资方", Kind.TEXT, 24),
                           Column("统一社会信用代码", Kind.TEXT, 20),
                           Column("境外投资方", Kind.TEXT, 8), Column("行业代码", Kind.TEXT, 8),
                           Column("行业名称", Kind.TEXT, 20), Column("项目代码", Kind.TEXT, 26),
                           Column("计划投资（万元）", Kind.AMOUNT, 16),
                           Column("开发区", Kind.TEXT, 22), Column("所在地代码", Kind.TEXT, 10),
                           Column("所在地", Kind.TEXT, 14), Column("建设阶段", Kind.TEXT, 10),
                           Column("签约日期", Kind.TEXT, 11), Column("开工日期", Kind.TEXT, 11),
                           Column("投产日期", Kind.TEXT, 11), Column("取消日期", Kind.TEXT, 11),
                           Column("协议编号", Kind.TEXT, 14), Column("推荐地", Kind.TEXT, 14)])
    for p in projects:
        live = live_agreements.get(p.id)
        sheet.rows.append(Row([
            p.id, p.name, p.investor_name, p.investor_credit_code,
            "是" if p.investor_foreign else "否", p.industry_code, industry_name(p.industry_code),
            p.project_code, p.planned_investment, p.zone.name, p.host_code,
            region_name(p.host_code), STAGES[Stage(p.stage)], _day(p.signed_on),
            _day(p.started_on), _day(p.operating_on), _day(p.cancelled_on),
            live.number if live else None, region_name(live.recommender_code) if live else None]))
    return _list_file(sheet, now, "projects")
