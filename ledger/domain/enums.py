"""The closed vocabularies of docs/domain.md, each defined once. Stored as short strings with CHECK
constraints (models), listed in the OpenAPI document (schemas), labelled in Chinese (web)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    STATISTICS = "statistics"
    COMMERCE = "commerce"
    REGION = "region"


# The statistics bureau and the commerce department file agreements; officials see everything.
FILING_BODIES = (Role.STATISTICS, Role.COMMERCE)
OFFICIAL_ROLES = (Role.ADMIN, Role.STATISTICS, Role.COMMERCE)


class RegionLevel(StrEnum):
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"
    COMMITTEE = "committee"


class ZoneLevel(StrEnum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"


class ZoneKind(StrEnum):
    ECONOMIC = "economic"
    HIGHTECH = "hightech"
    BONDED = "bonded"
    INDUSTRIAL = "industrial"
    OTHER = "other"


class ProjectSide(StrEnum):
    """A region's two lists of projects: those it hosts (本地项目) and those whose live
    agreement names it the recommender (推荐的项目)."""

    HOSTED = "hosted"
    RECOMMENDED = "recommended"


class Stage(StrEnum):
    SIGNED = "signed"
    UNDER_CONSTRUCTION = "under_construction"
    IN_OPERATION = "in_operation"
    CANCELLED = "cancelled"


class VersionStatus(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    FILED = "filed"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"  # the host ended a chain that was never filed
    DECLINED = "declined"    # the recommender refused the draft


class Ending(StrEnum):
    """How a chain that was never filed ended; it frees the project for a new agreement."""

    WITHDRAWN = "withdrawn"
    DECLINED = "declined"


class Side(StrEnum):
    """The two parties of an agreement."""

    RECOMMENDER = "recommender"
    RECEIVER = "receiver"


class PostingRole(StrEnum):
    HOST = "host"
    RECOMMENDER = "recommender"
    RECEIVER = "receiver"


class Indicator(StrEnum):
    """The two accounting lines (指标) an agreement splits, each by its own share."""

    COMPLETED_INVESTMENT = "completed_investment"   # 完成投资, reported monthly
    FUNDS_IN_PLACE = "funds_in_place"               # 招商引资实际到位资金, receipt by receipt


class FundsSource(StrEnum):
    DOMESTIC = "domestic"  # 境内区外资金
    FOREIGN = "foreign"    # 境外资金


class EvidenceKind(StrEnum):
    BANK_SLIP = "bank_slip"                       # 银行进账单
    CAPITAL_VERIFICATION = "capital_verification"  # 验资报告
    EQUIPMENT_INVOICE = "equipment_invoice"        # 设备发票
    OTHER = "other"                                # 其他


class YearStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class YearAction(StrEnum):
    CLOSE = "close"
    REOPEN = "reopen"


class MessageKind(StrEnum):
    """What a message (消息) tells its reader (ledger.queries.notifications)."""

    WAITING = "waiting"                    # an agreement waits for the reader's action
    RETURNED = "returned"                  # a filing body returned the reader's agreement
    FILED = "filed"                        # an agreement the reader is party to or files is filed
    YEAR_CLOSED = "year_closed"
    YEAR_REOPENED = "year_reopened"
    EVIDENCE_MISSING = "evidence_missing"  # a receipt of the reader's project has no evidence


class DocumentKind(StrEnum):
    """The printed documents: filing form, filing receipt, annual statement."""

    FILING = "filing"
    RECEIPT = "receipt"
    STATEMENT = "statement"


class IndustryLevel(StrEnum):
    SECTION = "section"
    DIVISION = "division"


def values(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)
