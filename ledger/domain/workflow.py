"""The agreement version state machine (SPEC §2).

    draft --confirm (the other party)--> signed --submit (either party)--> submitted
    submitted --acknowledge (statistics and commerce, each once)--> filed
    submitted --return (statistics or commerce)--> returned --edit--> draft
    draft --edit--> draft            filed --(a later version is filed)--> superseded

Each function takes the current state and returns the next one, or raises Conflict (409) when
the action is not allowed now. Who may act at all is the permission policy's business.
"""

from __future__ import annotations

from ledger.domain.errors import Conflict

FILING_BODIES = ("statistics", "commerce")


def _require(status: str, allowed: tuple[str, ...], action: str) -> None:
    if status not in allowed:
        raise Conflict(
            f"cannot {action} a version in status '{status}' (allowed in: {', '.join(allowed)})"
        )


def confirm(status: str, proposed_by: str, side: str) -> str:
    _require(status, ("draft",), "confirm")
    if side == proposed_by:
        raise Conflict("the counterparty must confirm; this party proposed the version")
    return "signed"


def submit(status: str) -> str:
    _require(status, ("signed",), "submit")
    return "submitted"


def acknowledge(status: str, acknowledged_by: list[str], body: str) -> str:
    """Returns 'filed' once both filing bodies have acknowledged, else 'submitted'."""
    _require(status, ("submitted",), "acknowledge")
    if body in acknowledged_by:
        raise Conflict(f"{body} has already acknowledged this version")
    return "filed" if set(acknowledged_by) | {body} == set(FILING_BODIES) else "submitted"


def return_(status: str) -> str:
    _require(status, ("submitted",), "return")
    return "returned"


def edit(status: str) -> str:
    _require(status, ("draft", "returned"), "edit")
    return "draft"


def amend(newest_status: str) -> str:
    """A new version may be proposed only when the newest one is filed."""
    if newest_status != "filed":
        raise Conflict(
            f"cannot amend while the newest version is '{newest_status}'; it must be filed first"
        )
    return "draft"
