"""Typed SQLAlchemy models, one module per aggregate. Importing this package registers them all."""

from ledger.db import Base
from ledger.models.agreement import Agreement, AgreementEvent, AgreementVersion
from ledger.models.audit import AuditEntry
from ledger.models.checkpoint import Checkpoint
from ledger.models.document import DocumentFile, IssuedDocument
from ledger.models.funds import (
    FundsEvidence, FundsReceipt, FundsRevision, FundsSourceMove,
)
from ledger.models.idempotency import IdempotencyRecord
from ledger.models.investment import InvestmentReport
from ledger.models.message import MessageMark, MessageRead
from ledger.models.posting import Balance, Posting
from ledger.models.project import Project
from ledger.models.region import Region, RegionsVersion
from ledger.models.user import ApiToken, User
from ledger.models.year import AssessmentYear, YearEvent
from ledger.models.zone import Zone

__all__ = [
    "Base", "Agreement", "AgreementEvent", "AgreementVersion", "ApiToken", "AssessmentYear",
    "AuditEntry", "Balance", "Checkpoint", "DocumentFile", "FundsEvidence", "FundsReceipt",
    "FundsRevision", "FundsSourceMove", "IdempotencyRecord",
    "InvestmentReport", "MessageMark", "MessageRead", "IssuedDocument", "Posting", "Project",
    "Region", "RegionsVersion", "User", "YearEvent", "Zone",
]
