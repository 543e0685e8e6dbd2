"""Project stages (docs/domain.md): 签约 → 开工建设 → 投产, or cancelled. Stages only move forward;
a skipped stage gets the same date as the stage reached."""

from __future__ import annotations

from datetime import date

from ledger.domain.enums import Stage
from ledger.domain.errors import Conflict

ORDER = (Stage.SIGNED, Stage.UNDER_CONSTRUCTION, Stage.IN_OPERATION)
# The date attribute that records when a project reached each stage.
DATE_OF = {Stage.SIGNED: "signed_on", Stage.UNDER_CONSTRUCTION: "started_on",
           Stage.IN_OPERATION: "operating_on", Stage.CANCELLED: "cancelled_on"}
LANDED = (Stage.UNDER_CONSTRUCTION, Stage.IN_OPERATION)


def landed(stage: str) -> bool:
    """落地: only a landed project reports completed investment."""
    return stage in LANDED


def before_start(period: str, started_on: date | None) -> bool:
    """A month before the one in which the project started construction: nothing was built
    then, so nothing can be reported for it (a landed project always has started_on)."""
    return started_on is not None and period < f"{started_on.year:04d}-{started_on.month:02d}"


def reached(current: str, target: str) -> bool:
    """Whether a project in `current` has already reached `target` (cancelled is final)."""
    if current == Stage.CANCELLED:
        return True
    return target != Stage.CANCELLED and ORDER.index(current) >= ORDER.index(target)


def advance(current: str, target: str, on: date) -> dict[str, object]:
    """The fields a move from `current` to `target` on day `on` sets: the stage and the date of
    every stage it reaches (the dates' own rules: ledger.domain.dates)."""
    if current == Stage.CANCELLED:
        raise Conflict("stage.cancelled", field="stage")
    if target == Stage.CANCELLED:
        reaching: tuple[Stage, ...] = (Stage.CANCELLED,)
    else:
        now_i, new_i = ORDER.index(current), ORDER.index(target)
        if new_i <= now_i:
            raise Conflict("stage.backwards", field="stage", stage=current)
        reaching = ORDER[now_i + 1:new_i + 1]
    return {"stage": target} | {DATE_OF[s]: on for s in reaching}
