"""Typed input of the commands, as the request schemas load it: amounts and shares already
integers, dates already dates, texts stripped. Fields not sent are UNSET, so one class serves a
creation (the schema requires what must be there) and a change (only what was sent)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any, NamedTuple


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()


class Input:
    def given(self) -> dict[str, Any]:
        """The fields that were sent, by name."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if getattr(self, f.name) is not UNSET}


@dataclass(frozen=True)
class RegionInput(Input):
    code: str = UNSET
    name: str = UNSET
    level: str = UNSET
    parent_code: str | None = None


@dataclass(frozen=True)
class ZoneInput(Input):
    name: str = UNSET
    level: str = UNSET
    kind: str = UNSET
    region_code: str = UNSET
    blocks: list[str] = UNSET
    leading_industries: list[str] = UNSET
    restricted_industries: list[str] = UNSET


@dataclass(frozen=True)
class UserInput(Input):
    username: str = UNSET
    password: str = UNSET
    role: str = UNSET
    region_code: str | None = UNSET
    active: bool = UNSET
    email: str | None = UNSET


@dataclass(frozen=True)
class ProjectInput(Input):
    name: str = UNSET
    investor_name: str = UNSET
    investor_credit_code: str | None = UNSET
    investor_foreign: bool = UNSET
    industry_code: str = UNSET
    project_code: str | None = UNSET
    planned_investment: int = UNSET  # 0.01万元
    zone_id: int = UNSET
    signed_on: date | None = UNSET
    # A correction's (PATCH): the stages' dates and why they change.
    started_on: date = UNSET
    operating_on: date = UNSET
    cancelled_on: date = UNSET
    reason: str = UNSET


@dataclass(frozen=True)
class StageChange(Input):
    stage: str
    stage_on: date


@dataclass(frozen=True)
class ReportInput(Input):
    """One month's completed investment of one project."""

    project_id: int
    period: str
    amount: int  # 0.01万元
    note: str = ""


@dataclass(frozen=True)
class TermsInput(Input):
    """The terms of an agreement version."""

    recommender_share: int = UNSET  # basis points, of completed investment
    funds_share: int = UNSET        # basis points, of funds in place (`terms`)
    first_year: int = UNSET
    last_year: int | None = UNSET
    signed_on: date = UNSET
    recommender_signatory: str = UNSET
    receiver_signatory: str = UNSET
    reason: str = UNSET


@dataclass(frozen=True)
class AgreementInput(Input):
    project_id: int
    recommender_code: str
    terms: TermsInput
    receiver_code: str | None = None


class ReportRow(NamedTuple):
    """One monthly report in a batch (ledger.commands.reports): the project by id or by
    project code (GB/T 40058), a month and its completed investment. `row`: the number that
    names it in the batch's refusals — in an import file, as the spreadsheet shows it (the
    header's row counted, so 2 under a header on row 1); else its place, from 1. A named
    tuple, like FundsRow, where the other inputs are frozen dataclasses: an import makes one
    per row, and a tuple is made in half the time."""

    row: int
    period: str
    amount: int  # 0.01万元
    project_id: int | None = None
    project_code: str | None = None
    note: str = ""


class FundsRow(NamedTuple):
    """One receipt of funds in place (到位资金) in a batch (ledger.commands.funds): the project
    by id or by project code, the day received, the amount, its source and payer. `row` as in
    ReportRow."""

    row: int
    received_on: date
    amount: int  # 0.01万元, > 0
    source: str
    payer: str
    note: str = ""
    project_id: int | None = None
    project_code: str | None = None


@dataclass(frozen=True)
class FundsChange(Input):
    """A correction of a receipt (PATCH): the fields sent, and why."""

    received_on: date = UNSET
    amount: int = UNSET
    source: str = UNSET
    payer: str = UNSET
    note: str = UNSET
    reason: str = UNSET


@dataclass(frozen=True)
class EvidenceUpload(Input):
    """An evidence file as uploaded: its kind, the name it came with and its bytes."""

    kind: str
    filename: str
    content: bytes


@dataclass(frozen=True)
class ImportFile(Input):
    """An import file as read: the rows that passed the request rules, the problems of those
    that did not (row → field → problems), and what names the file in the audit log."""

    rows: tuple[ReportRow, ...] | tuple[FundsRow, ...]
    refused: dict[int, dict[str, list]]
    name: str
    sha256: str
