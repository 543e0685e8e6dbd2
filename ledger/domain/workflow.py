"""The agreement version state machine (SPEC §2).

    draft --confirm (the other party)--> signed --submit (either party)--> submitted
    submitted --acknowledge (statistics and commerce, each once)--> filed
    submitted --return (statistics or commerce)--> returned --edit--> draft
    draft --edit--> draft            filed --(a later version is filed)--> superseded
    draft | returned --withdraw (the host; the chain never filed)--> withdrawn
    draft --decline (the recommender, with a reason; the chain never filed)--> declined

Each action takes the current state and returns the whole transition — the new status and every
field it sets or clears — or raises Conflict (409) when the action is not allowed now. Who may
act at all is the permission policy's business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from collections.abc import Iterable
from typing import Any

from ledger.domain.enums import FILING_BODIES, Side, VersionStatus
from ledger.domain.errors import Conflict

S = VersionStatus
COUNTS_FOR_COVERAGE = (S.FILED, S.SUPERSEDED)  # the versions whose terms ever applied
ACK_FIELD = {body: f"{body}_ack_at" for body in FILING_BODIES}


def ever_filed(versions: Iterable[Any]) -> bool:
    """Whether any version of a chain was ever filed (only such a chain is withdrawn or declined)."""
    return any(v.status in COUNTS_FOR_COVERAGE for v in versions)


@dataclass(frozen=True)
class Transition:
    status: VersionStatus
    sets: dict[str, Any] = field(default_factory=dict)  # field → new value (None clears it)

    def setting(self, more: dict[str, Any]) -> "Transition":
        """The same transition, also setting `more` (new terms, the filing number …)."""
        return Transition(self.status, self.sets | more)

    def apply(self, version: Any) -> None:
        version.status = self.status
        for name, value in self.sets.items():
            setattr(version, name, value)


def _require(status: str, allowed: tuple[VersionStatus, ...], action: str) -> None:
    if status not in allowed:
        raise Conflict("workflow.not_allowed", action=action, status=status,
                       allowed=", ".join(allowed))


def acknowledged_by(acks: dict[str, datetime | None]) -> list[str]:
    """The filing bodies that have acknowledged, given {body: acknowledged_at}."""
    return [body for body in FILING_BODIES if acks.get(body)]


def confirm(status: str, proposed_by: str, side: str, now: datetime) -> Transition:
    _require(status, (S.DRAFT,), "confirm")
    if side == proposed_by:
        raise Conflict("workflow.confirm_own")
    return Transition(S.SIGNED, {"confirmed_at": now})


def submit(status: str, now: datetime) -> Transition:
    _require(status, (S.SIGNED,), "submit")
    return Transition(S.SUBMITTED, {"submitted_at": now})


def acknowledge(status: str, acknowledged: list[str], body: str, now: datetime) -> Transition:
    """Filed once both filing bodies have acknowledged, else still submitted."""
    _require(status, (S.SUBMITTED,), "acknowledge")
    if body in acknowledged:
        raise Conflict("workflow.already_acknowledged", body=body)
    filed = set(acknowledged) | {body} == set(FILING_BODIES)
    return Transition(S.FILED if filed else S.SUBMITTED, {ACK_FIELD[body]: now})


def return_(status: str, reason: str) -> Transition:
    _require(status, (S.SUBMITTED,), "return")
    return Transition(S.RETURNED, {"return_reason": reason} | dict.fromkeys(ACK_FIELD.values()))


def edit(status: str, side: Side) -> Transition:
    """New terms: back to draft, proposed by the editing party; every confirmation, submission
    and acknowledgement of the old terms is cleared (the event history keeps them)."""
    _require(status, (S.DRAFT, S.RETURNED), "edit")
    cleared = ("confirmed_at", "submitted_at", "return_reason", *ACK_FIELD.values())
    return Transition(S.DRAFT, {"proposed_by": side} | dict.fromkeys(cleared))


def amend(newest_status: str, side: Side) -> Transition:
    """Version n+1 may be proposed only when the newest one is filed; it starts as a draft
    proposed (and so confirmed) by the amending party."""
    if newest_status != S.FILED:
        raise Conflict("workflow.amend_unfiled", status=newest_status)
    return Transition(S.DRAFT, {"proposed_by": side})


def withdraw(status: str, ever_filed: bool) -> Transition:
    """The host ends a chain that was never filed."""
    _require(status, (S.DRAFT, S.RETURNED), "withdraw")
    if ever_filed:
        raise Conflict("workflow.withdraw_filed")
    return Transition(S.WITHDRAWN)


def decline(status: str, ever_filed: bool) -> Transition:
    """The recommender refuses to be named in a draft of a chain never filed; an amendment of
    a filed chain is not declined (that would end the filed terms) but left unconfirmed or
    edited."""
    _require(status, (S.DRAFT,), "decline")
    if ever_filed:
        raise Conflict("workflow.decline_filed")
    return Transition(S.DECLINED)


def supersede(from_year: int) -> Transition:
    """A later filed version takes over from `from_year` (coverage.file computes it)."""
    return Transition(S.SUPERSEDED, {"superseded_from": from_year})
