"""The documents' wording and value formatting: what a template and the verify page show, made
from a document's canonical data only (pure functions): Chinese labels, civil dates, the
statement's rows with prefecture subtotals. Nothing is printed that is not in the data, apart
from the document's id, digest, verification link and checkpoint."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ledger.domain.enums import DocumentKind, FundsSource, Indicator, RegionLevel, Role
from ledger.domain.money import format_amount, parse_amount
from ledger.domain.periods import LOCAL_TZ, beijing_text
from ledger.domain.vocabulary import (
    BODY_NAMES, INDICATORS, LEVELS, SIDES, SOURCES, STAGES, STATEMENT_NOTICE, STATUSES, TITLES,
    government_name, province_word,
)

# The statement's lines, in the order printed: (key of the line's body in the data — None: the
# top level, where version 1 had the one line —, the line's words)
STATEMENT_LINES = ((None, INDICATORS[Indicator.COMPLETED_INVESTMENT]),
                   (Indicator.FUNDS_IN_PLACE.value, INDICATORS[Indicator.FUNDS_IN_PLACE]))


def civil_date(text: str | None) -> str:
    """'2025-01-10' → '2025年1月10日'."""
    if text is None:
        return ""
    day = date.fromisoformat(text)
    return f"{day.year}年{day.month}月{day.day}日"


def _local(text: str) -> datetime:
    return datetime.fromisoformat(text.removesuffix("Z")).replace(tzinfo=UTC).astimezone(LOCAL_TZ)


def moment(text: str) -> str:
    """A UTC time of the data in Beijing time: '2025年3月1日 12:00:00（北京时间）'."""
    return beijing_text(_local(text))


def minute(text: str) -> str:
    """A UTC time of the data in Beijing time to the minute: '2026-12-06 14:03'."""
    return _local(text).strftime("%Y-%m-%d %H:%M")


def local_day(text: str) -> str:
    """A UTC time of the data as its civil date in Beijing: '2025年3月1日'."""
    local = _local(text)
    return f"{local.year}年{local.month}月{local.day}日"


def years(first: int, last: int | None) -> str:
    if last is None:
        return f"{first}年起（未约定终止年度）"
    if last == first:
        return f"{first}年"
    return f"{first}年至{last}年"


def party(p: dict) -> str:
    return f"{p['name']}（{p['code']}）"


def government(p: dict) -> str:
    """A party as a document addresses it: its government's full name (西夏区人民政府)."""
    return government_name(p["name"], p["level"])


def _body(body: dict) -> dict:
    at = body["acknowledged_at"]
    return {"name": body["name"], "short": BODY_NAMES.get(body["body"], body["name"]),
            "acknowledged_on": local_day(at) if at else None}


def shares(agreement: dict) -> list[tuple[str, str]]:
    """Each line's split as printed: (完成投资, 推荐地 30.00%，接受地 70.00%), then the funds
    line's — its own shares when the data hold them, else completed investment's (the
    canonical data name a funds share only where it differs: ledger.documents.document)."""
    a = agreement
    funds = a.get("funds_share", a["recommender_share"])
    funds_receiver = a.get("funds_receiver_share", a["receiver_share"])
    return [("完成投资", f"推荐地 {a['recommender_share']}%，接受地 {a['receiver_share']}%"),
            ("到位资金", f"推荐地 {funds}%，接受地 {funds_receiver}%")]


def _agreement_view(data: dict) -> dict:
    a, p = data["agreement"], data["project"]
    return {
        "shares": shares(a),
        "status": STATUSES.get(a["status"], a["status"]),
        "stage": STAGES.get(p["stage"], p["stage"]),
        "years": years(a["first_year"], a["last_year"]),
        "agreed_years": (years(a["first_year"], a["agreed_last_year"])
                         if a["agreed_last_year"] != a["last_year"] else None),
        "signed_on": civil_date(a["signed_on"]),
        "filed_on": civil_date(a["filed_on"]),
        "recommender": party(data["recommender"]),
        "receiver": party(data["receiver"]),
        "recommender_government": government(data["recommender"]),
        "receiver_government": government(data["receiver"]),
        "proposed_by": SIDES.get(a["proposed_by"], a["proposed_by"]),
        "bodies": [_body(b) for b in data["filing_bodies"]],
        "addressees": "、".join(b["name"] for b in data["filing_bodies"]),
    }


def words(name: str) -> list[str]:
    """A region's name in the parts a line may break between, and only there: a development
    zone's committee apart from its place ('宁东能源化工基地', '管委会'), so a narrow column
    never breaks inside a word (宁东能源化工基地管/委会)."""
    suffix = LEVELS[RegionLevel.COMMITTEE]
    if name.endswith(suffix) and name != suffix:
        return [name.removesuffix(suffix), suffix]
    return [name]


def statement_rows(regions: list[dict], totals: dict) -> list[dict]:
    """The statement's lines in tree order: each region's own line, and after the regions below
    a region its subtotal line (its rolled-up row). A region with regions below it gets an
    own line ('本级') only when its own figures are not all zero, so the lines above a subtotal
    always add up to it. The subtotal of a top region equal to the totals (the province, for
    the officials' statement) is left out: the totals line follows."""
    figures = [name for name in totals if name in FIGURE_NAMES]  # the split by source aside
    by_code = {r["code"]: r for r in regions}
    children: dict[str, list[str]] = {}
    for r in regions:
        if r["parent_code"] in by_code:
            children.setdefault(r["parent_code"], []).append(r["code"])
    roots = [r["code"] for r in regions if r["parent_code"] not in by_code]
    lines: list[dict] = []

    def walk(code: str, depth: int) -> None:
        row = by_code[code]
        below = children.get(code, [])
        if not below:
            lines.append({"kind": "region", "depth": depth, "code": code, "name": row["name"],
                          "words": words(row["name"]),
                          **{name: row[name] for name in figures}})
            return
        own = {name: parse_amount(row[name], allow_negative=True)
               - sum(parse_amount(by_code[c][name], allow_negative=True) for c in below)
               for name in figures}
        if any(own.values()):
            lines.append({"kind": "own", "depth": depth, "code": code,
                          "name": f"{row['name']}（本级）", "words": [*words(row["name"]), "（本级）"],
                          **{name: format_amount(value) for name, value in own.items()}})
        for child in below:
            walk(child, depth + 1)
        if depth == 0 and all(row[name] == totals[name] for name in figures):
            return
        lines.append({"kind": "subtotal", "depth": depth, "code": code,
                      "name": f"{row['name']}小计", "words": [*words(row["name"]), "小计"],
                      **{name: row[name] for name in figures}})

    for root in roots:
        walk(root, 0)
    return lines


def province_name(data: dict, province: str | None = None) -> str | None:
    """The province's name: as given, else the province's row of a statement's data."""
    return province or next((r["name"] for r in data.get("regions", [])
                             if r["level"] == RegionLevel.PROVINCE), None)


def scope_name(data: dict) -> str | None:
    """The region a region's statement covers, by name as the data hold it ('灵武市')."""
    scope = data.get("scope")
    if not scope:
        return None
    return next((r["name"] for r in data["regions"] if r["code"] == scope), scope)


def whole(data: dict, province: str | None = None) -> str:
    """The province's own word for all of it (全区, 全省, 全市)."""
    name = province_name(data, province)
    if name is None:
        raise ValueError("a statement needs the province's name for its totals line")
    return province_word(name)


def view(data: dict, province: str | None = None) -> dict:
    """The presentation values of a document's data (`province`: the province's name, when
    the data do not hold it)."""
    out = {"as_of": moment(data["as_of"])}
    if data["kind"] != DocumentKind.STATEMENT:
        out |= _agreement_view(data)
    else:
        out["rows"] = statement_rows(data["regions"], data["totals"])
        out["lines"] = [_line_view(data if key is None else data[key], words)
                        for key, words in STATEMENT_LINES if key is None or key in data]
        out["notice"] = STATEMENT_NOTICE
        out["whole"] = whole(data, province)
        out["scope"] = scope_name(data)
        out["maker"] = province_name(data, province) + BODY_NAMES[Role.STATISTICS]
        out["dated"] = local_day(data["as_of"])
        head = data["ledger_head"]
        out["head"] = None if head is None else {
            "seq": head["seq"], "hash": head["hash"][:16],
            "recorded_at": moment(head["recorded_at"])}
    return out


def _line_view(body: dict, words: str) -> dict:
    """One accounting line of a statement: its rows, totals, reconciliation and, for funds in
    place, the totals by source."""
    totals = body["totals"]
    return {"name": words, "rows": statement_rows(body["regions"], totals), "totals": totals,
            "reconciliation": body["reconciliation"],
            "sources": [(SOURCES[FundsSource(k)], v) for k, v in totals["sources"].items()]
            if "sources" in totals else None}


def checkpoint_view(checkpoint: dict | None) -> dict | None:
    if checkpoint is None:
        return None
    signed_at = checkpoint["signed_at"]
    try:
        signed = moment(signed_at)
    except ValueError:
        signed = signed_at
    return {"journal": f"#{checkpoint['journal_seq']} {checkpoint['journal_hash'][:16]}",
            "postings": f"#{checkpoint['postings_seq']} {checkpoint['postings_hash'][:16]}",
            "signed_at": signed, "key_id": checkpoint["key_id"],
            "signature": checkpoint["signature"]}


# ------------------------------------------------------------------ the verification page

FIGURE_NAMES = {"in_place": "在地统计数", "ceded": "划出数", "credited": "划入数",
                "attributed": "分算后数"}
PARTY_FIELDS = {"code": "代码", "name": "名称", "level": "级别"}
PARTIES = {"recommender": "推荐地", "receiver": "接受地", "province": "所在省（区）"}
# The fields of the canonical data in the documents' own words (a path joined by dots).
FIELD_NAMES = {
    "canonical_version": "数据格式版本", "kind": "文件类型", "subject": "文件对象",
    "as_of": "数据截止时间", "note": "说明", "year": "年度", "scope": "统计范围",
    "agreement.id": "协议内部编号", "agreement.number": "协议编号",
    "agreement.versions": "协议版本数", "agreement.version": "协议版本",
    "agreement.status": "协议状态", "agreement.recommender_share": "推荐地分算比例",
    "agreement.receiver_share": "接受地分算比例",
    "agreement.funds_share": "推荐地到位资金分算比例",
    "agreement.funds_receiver_share": "接受地到位资金分算比例", "agreement.first_year": "起始年度",
    "agreement.last_year": "终止年度", "agreement.agreed_last_year": "约定终止年度",
    "agreement.signed_on": "签订日期", "agreement.signatories.recommender": "推荐地签署人",
    "agreement.signatories.receiver": "接受地签署人", "agreement.reason": "推荐理由",
    "agreement.proposed_by": "提出方", "agreement.acknowledged_by": "已确认的备案机关",
    "agreement.filing_number": "备案编号", "agreement.filed_on": "备案日期",
    "project.id": "项目内部编号", "project.name": "项目名称", "project.project_code": "项目代码",
    "project.investor_name": "投资方", "project.investor_credit_code": "投资方统一社会信用代码",
    "project.investor_foreign": "是否外资", "project.industry_code": "行业代码",
    "project.industry_name": "行业名称", "project.planned_investment": "计划总投资",
    "project.zone_id": "开发区内部编号", "project.zone_name": "所在开发区",
    "project.host_code": "项目所在地代码", "project.stage": "项目阶段",
    "filing_bodies": "备案机关", "regions": "地区",
    "ledger_head": "台账最新记录", "ledger_head.seq": "台账最新记录序号",
    "ledger_head.hash": "台账最新记录哈希", "ledger_head.recorded_at": "台账最新记录时间",
    "reconciliation.in_place": "核对：Σ在地统计数", "reconciliation.attributed": "核对：Σ分算后数",
    "reconciliation.difference": "核对：差额",
}
SOURCE_NAMES = {source.value: words for source, words in SOURCES.items()}
AMOUNTS = {"planned_investment", *FIGURE_NAMES, *SOURCE_NAMES}
TIMES = {"as_of", "recorded_at", "acknowledged_at"}
DATES = {"signed_on", "filed_on"}
SHARES = {"recommender_share", "receiver_share", "funds_share", "funds_receiver_share"}


def field_name(path: tuple[str, ...], before, after) -> str:
    """A field of the canonical data as a clerk reads it: '项目名称', '灵武市（640181）划入数',
    '统计局确认时间'. `before`/`after` are the two documents' data (for a region's name)."""
    head = path[0]
    line = dict(STATEMENT_LINES).get(head) if head is not None else None
    if line is not None:  # a field of the funds line: the same words, the line's name first
        if len(path) == 1:
            return line
        return f"{line}：" + field_name(path[1:], (before or {}).get(head), (after or {}).get(head))
    if path[-1] in SOURCE_NAMES and len(path) >= 2 and path[-2] == "sources":
        return field_name(path[:-2], before, after) + "其中" + SOURCE_NAMES[path[-1]]
    if head in PARTIES and len(path) == 2:
        return PARTIES[head] + PARTY_FIELDS.get(path[1], path[1])
    if head == "totals" and len(path) == 2:
        return "合计" + FIGURE_NAMES.get(path[1], path[1])
    if head == "regions" and len(path) >= 2:
        item = next((r for data in (after, before) for r in (data or {}).get("regions", [])
                     if r.get("code") == path[1]), None)
        region = f"{item['name']}（{path[1]}）" if item else path[1]
        if len(path) == 2:
            return f"地区{region}"
        return region + FIGURE_NAMES.get(path[2], {"name": "名称", "level": "级别",
                                                   "parent_code": "上级地区",
                                                   "rolled_up": "是否含下级"}.get(path[2], path[2]))
    if head == "filing_bodies" and len(path) >= 2:
        body = BODY_NAMES.get(path[1], path[1])
        if len(path) == 2:
            return f"备案机关{body}"
        return body + {"name": "名称", "acknowledged_at": "确认时间"}.get(path[2], path[2])
    return FIELD_NAMES.get(".".join(path), ".".join(path))


def field_value(path: tuple[str, ...], value) -> str:
    """A value of the canonical data as the documents print it ('（无）' for an empty one)."""
    if value is None or value == "" or value == []:
        return "（无）"
    name = path[-1] if path else ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        if "name" in value and "code" in value:
            return party(value)
        if "body" in value:
            return value.get("name") or BODY_NAMES.get(value["body"], value["body"])
        return "；".join(f"{FIGURE_NAMES.get(k) or SOURCE_NAMES[k]} {v}" for k, v in value.items()
                        if k in FIGURE_NAMES or k in SOURCE_NAMES) or str(value)
    if isinstance(value, list):
        return "、".join(BODY_NAMES.get(v, str(v)) for v in value)
    if name in TIMES:
        return moment(value)
    if name in DATES:
        return civil_date(value)
    if name in AMOUNTS:
        return f"{value} 万元"
    if name in SHARES:
        return f"{value}%"
    if name == "status":
        return STATUSES.get(value, value)
    if name == "stage":
        return STAGES.get(value, value)
    if name == "level":
        return LEVELS.get(value, value)
    if name == "proposed_by":
        return SIDES.get(value, value)
    if name == "kind":
        return TITLES.get(value, value)
    return str(value)


def summary(kind: str, data: dict, province: str | None = None) -> list[tuple[str, str]]:
    """The key facts of a document for its verification page: kind, number, parties, amounts,
    as-of time."""
    rows = [("文件类型", TITLES[DocumentKind(kind)])]
    if kind != DocumentKind.STATEMENT:
        a, p = data["agreement"], data["project"]
        rows += [("协议编号", f"{a['number']}（第{a['version']}版）"),
                 ("协议状态", STATUSES.get(a["status"], a["status"])),
                 ("项目名称", p["name"]),
                 ("投资方", p["investor_name"]),
                 ("推荐地", party(data["recommender"])),
                 ("接受地", party(data["receiver"])),
                 *[(f"{line}分算比例", split) for line, split in shares(a)],
                 ("适用年度", years(a["first_year"], a["last_year"])),
                 ("计划总投资", f"{p['planned_investment']} 万元"),
                 ("备案编号", a["filing_number"] or "（未备案）"),
                 ("备案日期", civil_date(a["filed_on"]) or "（未备案）")]
    else:
        scope, name = data["scope"], scope_name(data)
        totals = data["totals"]
        rows += [("年度", f"{data['year']}年"),
                 ("统计范围", f"{name}（{scope}）及{whole(data, province)}合计" if scope
                  else f"{whole(data, province)}各地区"),
                 ("合计在地统计数", f"{totals['in_place']} 万元"),
                 ("合计分算后数", f"{totals['attributed']} 万元"),
                 ("合计划出数", f"{totals['ceded']} 万元"),
                 ("合计划入数", f"{totals['credited']} 万元")]
        funds = data.get(Indicator.FUNDS_IN_PLACE.value)
        if funds is not None:
            line = INDICATORS[Indicator.FUNDS_IN_PLACE]
            rows += [(f"{line}合计在地统计数", f"{funds['totals']['in_place']} 万元"),
                     (f"{line}合计分算后数", f"{funds['totals']['attributed']} 万元")]
        head = data["ledger_head"]
        if head:
            rows.append(("台账最新记录", f"第{head['seq']}笔，哈希{head['hash'][:16]}"))
    rows.append(("数据截止时间", moment(data["as_of"])))
    return rows
