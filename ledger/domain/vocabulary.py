"""The Chinese words of the printed documents, the exports and the verification page, each
written once: document titles, the filing bodies, region levels, version statuses, project
stages, the two sides, the assessment-only notice and the province's own word (全区, 全省,
全市). The web pages' words in other languages are in the translation catalog."""

from __future__ import annotations

from ledger.domain.enums import (
    DocumentKind, EvidenceKind, FundsSource, Indicator, MessageKind, RegionLevel, Role, Side, Stage,
    VersionStatus,
)

TITLES = {DocumentKind.FILING: "招商引资项目投资转移协议备案表",
          DocumentKind.RECEIPT: "备案回执",
          DocumentKind.STATEMENT: "年度招商引资投资分算汇总表"}
# The bodies' short names; a document prefixes the province's name (宁夏回族自治区统计局).
BODY_NAMES = {Role.STATISTICS: "统计局", Role.COMMERCE: "商务厅"}
LEVELS = {RegionLevel.PROVINCE: "省级", RegionLevel.PREFECTURE: "地级",
          RegionLevel.COUNTY: "县级", RegionLevel.COMMITTEE: "管委会"}
STATUSES = {VersionStatus.DRAFT: "草稿（待对方确认）", VersionStatus.SIGNED: "双方已签署",
            VersionStatus.SUBMITTED: "已报送备案", VersionStatus.RETURNED: "已退回",
            VersionStatus.FILED: "已备案", VersionStatus.SUPERSEDED: "已被后续版本替代",
            VersionStatus.WITHDRAWN: "已撤回", VersionStatus.DECLINED: "已拒绝"}
STAGES = {Stage.SIGNED: "签约", Stage.UNDER_CONSTRUCTION: "开工建设",
          Stage.IN_OPERATION: "投产", Stage.CANCELLED: "已取消"}
SIDES = {Side.RECOMMENDER: "推荐地", Side.RECEIVER: "接受地"}
INDICATORS = {Indicator.COMPLETED_INVESTMENT: "完成投资",
              Indicator.FUNDS_IN_PLACE: "招商引资实际到位资金"}
SOURCES = {FundsSource.DOMESTIC: "境内区外资金", FundsSource.FOREIGN: "境外资金"}
# What an import cell may say for a source, besides its code (资金来源: 境内区外/境外).
SOURCE_WORDS = {"境内区外": FundsSource.DOMESTIC, "境内区外资金": FundsSource.DOMESTIC,
                "境外": FundsSource.FOREIGN, "境外资金": FundsSource.FOREIGN}
EVIDENCE_KINDS = {EvidenceKind.BANK_SLIP: "银行进账单", EvidenceKind.CAPITAL_VERIFICATION: "验资报告",
                  EvidenceKind.EQUIPMENT_INVOICE: "设备发票", EvidenceKind.OTHER: "其他"}
# A receipt with no evidence file yet.
EVIDENCE_MISSING = "待补充凭证"
# The messages as the e-mails name them (the web page's words are in the translation catalog).
MESSAGE_KINDS = {MessageKind.WAITING: "协议待我办理", MessageKind.RETURNED: "协议被退回",
                 MessageKind.FILED: "协议已备案", MessageKind.YEAR_CLOSED: "考核年度已关闭",
                 MessageKind.YEAR_REOPENED: "考核年度已重新开放",
                 MessageKind.EVIDENCE_MISSING: f"到位资金{EVIDENCE_MISSING}"}
MAIL_SUBJECT = "招商引资分配台账消息"

# Attributed figures serve the annual performance assessment only (never official statistics).
ASSESSMENT_ONLY = "仅用于年度绩效考核"
RECEIPT_NOTICE = f"已备案，数据{ASSESSMENT_ONLY}"
STATEMENT_NOTICE = f"本表分算后数据{ASSESSMENT_ONLY}；官方统计仍按在地原则 100% 计入项目所在地。"
VERIFY_NOTICE = f"文件内容{ASSESSMENT_ONLY}，不对外公开"
API_NOTICE = (f"{ASSESSMENT_ONLY} — for the annual performance assessment only; "
              "official statistics count investment in place.")

# A region's government is its name followed by this (government_name).
GOVERNMENT = "人民政府"

# A province-level region's own word for "the whole of it", by the kind of region its name says.
_WHOLE = (("自治区", "全区"), ("特别行政区", "全区"), ("省", "全省"), ("市", "全市"))


# The clause of the plan that Ledger implements, as the help page quotes it.
POLICY_CLAUSE = ("“建立跨开发区招商引资分配机制……推荐地与接受地……签订招商引资项目投资转移协议……"
                 f"报自治区{BODY_NAMES[Role.STATISTICS]}、{BODY_NAMES[Role.COMMERCE]}备案……"
                 "在年度绩效考核中对招商引资、完成投资核算时予以体现”")


def statement_title(year: int, indicator: str = Indicator.COMPLETED_INVESTMENT) -> str:
    """2025年度招商引资投资分算汇总表 (the statement; completed investment's line, as it always
    was) or 2025年度招商引资实际到位资金分算汇总表 (the funds line's)."""
    if indicator == Indicator.COMPLETED_INVESTMENT:
        return f"{year}{TITLES[DocumentKind.STATEMENT]}"
    return f"{year}年度{INDICATORS[Indicator(indicator)]}分算汇总表"


def government_name(name: str, level: str) -> str:
    """How a document addresses a region: its people's government by full name ('西夏区' →
    '西夏区人民政府', '宁夏回族自治区' → '宁夏回族自治区人民政府'); a development zone's
    management committee is a body already and keeps its own name ('宁东能源化工基地管委会')."""
    return name if level == RegionLevel.COMMITTEE else f"{name}{GOVERNMENT}"


def province_word(name: str) -> str:
    """'宁夏回族自治区' → '全区', '某某省' → '全省', '北京市' → '全市'."""
    for ending, word in _WHOLE:
        if name.endswith(ending):
            return word
    raise ValueError(f"not the name of a province-level region: {name!r}")
