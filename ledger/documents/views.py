"""What a template shows, made from a document's canonical data only (pure functions): Chinese
labels, civil dates, the statement's rows with prefecture subtotals. Nothing is printed that is
not in the data, apart from the document's id, digest, verification link and checkpoint."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ledger.domain.money import format_amount, parse_amount
from ledger.domain.periods import LOCAL_TZ

STAGES = {"signed": "签约", "under_construction": "开工建设", "in_operation": "投产",
          "cancelled": "已取消"}
STATUSES = {"draft": "草稿（待对方确认）", "signed": "双方已签署", "submitted": "已报送备案",
            "returned": "已退回", "filed": "已备案", "superseded": "已被后续版本替代",
            "withdrawn": "已撤回", "declined": "已拒绝"}
LEVELS = {"province": "省级", "prefecture": "地级", "county": "县级", "committee": "管委会"}
SIDES = {"recommender": "推荐地", "receiver": "接受地"}


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
    local = _local(text)
    return (f"{local.year}年{local.month}月{local.day}日 "
            f"{local.hour:02d}:{local.minute:02d}:{local.second:02d}（北京时间）")


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


def _body(body: dict) -> dict:
    at = body["acknowledged_at"]
    return {"name": body["name"], "acknowledged": moment(at) if at else None,
            "acknowledged_on": local_day(at) if at else None}


def _agreement_view(data: dict) -> dict:
    a, p = data["agreement"], data["project"]
    return {
        "status": STATUSES.get(a["status"], a["status"]),
        "stage": STAGES.get(p["stage"], p["stage"]),
        "years": years(a["first_year"], a["last_year"]),
        "agreed_years": (years(a["first_year"], a["agreed_last_year"])
                         if a["agreed_last_year"] != a["last_year"] else None),
        "signed_on": civil_date(a["signed_on"]),
        "filed_on": civil_date(a["filed_on"]),
        "recommender": party(data["recommender"]),
        "receiver": party(data["receiver"]),
        "proposed_by": SIDES.get(a["proposed_by"], a["proposed_by"]),
        "bodies": [_body(b) for b in data["filing_bodies"]],
        "addressees": "、".join(b["name"] for b in data["filing_bodies"]),
    }


def statement_rows(regions: list[dict], totals: dict) -> list[dict]:
    """The statement's lines in tree order: each region's own line, and after the regions below
    a region its subtotal line (its rolled-up row). A region with regions below it gets an
    own line ('本级') only when its own figures are not all zero, so the lines above a subtotal
    always add up to it. The subtotal of a top region equal to the totals (the province, for
    the officials' statement) is left out: the totals line follows."""
    figures = list(totals)
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
                          **{name: row[name] for name in figures}})
            return
        own = {name: parse_amount(row[name], allow_negative=True)
               - sum(parse_amount(by_code[c][name], allow_negative=True) for c in below)
               for name in figures}
        if any(own.values()):
            lines.append({"kind": "own", "depth": depth, "code": code,
                          "name": f"{row['name']}（本级）",
                          **{name: format_amount(value) for name, value in own.items()}})
        for child in below:
            walk(child, depth + 1)
        if depth == 0 and all(row[name] == totals[name] for name in figures):
            return
        lines.append({"kind": "subtotal", "depth": depth, "code": code,
                      "name": f"{row['name']}小计", **{name: row[name] for name in figures}})

    for root in roots:
        walk(root, 0)
    return lines


def view(data: dict) -> dict:
    """The presentation values of a document's data."""
    out = {"as_of": moment(data["as_of"])}
    if data["kind"] in ("filing", "receipt"):
        out |= _agreement_view(data)
    else:
        out["rows"] = statement_rows(data["regions"], data["totals"])
        head = data["ledger_head"]
        out["head"] = None if head is None else {
            "seq": head["seq"], "hash": head["hash"][:16],
            "recorded_at": moment(head["recorded_at"])}
    return out


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
