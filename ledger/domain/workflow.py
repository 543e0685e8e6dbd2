"""The agreement version's workflow (docs/domain.md), written once: the table STEPS.

    draft --confirm (the other party)--> signed --submit (either party)--> submitted
    submitted --acknowledge (statistics and commerce, each once)--> filed
    submitted --return (statistics or commerce, with a reason)--> returned
    draft | returned --edit (either party)--> draft         (confirmations cleared)
    filed --amend (either party)--> a new version, draft
    draft | returned --withdraw (the host; the chain never filed)--> withdrawn
    draft --decline (the recommender, with a reason; the chain never filed)--> declined
    filed --(a later version is filed)--> superseded

Each row names an action, the statuses it starts from, the status it leads to, who may take
it, what it records and what it clears, and the statuses in which the version waits for it.
Everything else is read from the table: the commands take an action through `take`, the pages
offer `allowed`, the start page's to-do is `waits_for`, and the documents replay the events
with RESETS_ACKNOWLEDGEMENTS. So a button is offered exactly when the command accepts it, and
an agreement is on a user's to-do exactly when an action it waits for is that user's to take.

After a return either party may edit (docs/domain.md), so the version waits for both parties
(not the host alone) until one of them does.

Who may act is checked in two places with one rule: the actor's role and side against `Who`
(Who.admits; ledger.policy turns a mismatch into its 403), then what the version's state allows
(`refusal`, a 409)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from ledger.domain.enums import FILING_BODIES, Role, Side, VersionStatus
from ledger.domain.errors import Conflict

S = VersionStatus
COUNTS_FOR_COVERAGE = (S.FILED, S.SUPERSEDED)  # the versions whose terms ever applied
ACK_FIELD = {body: f"{body}_ack_at" for body in FILING_BODIES}
ENDINGS = (S.WITHDRAWN, S.DECLINED)  # statuses that end a chain never filed (Ending)


class Who(StrEnum):
    """Who may take an action."""

    HOST = "host"                  # the receiving party, the region hosting the project
    RECOMMENDER = "recommender"    # the recommending party
    EITHER_PARTY = "either_party"
    OTHER_PARTY = "other_party"    # the party that did not propose the version's terms
    FILING_BODY = "filing_body"    # the statistics bureau or the commerce department

    @property
    def sides(self) -> tuple[Side, ...]:
        """The parties' sides that may act (none: a filing body's action)."""
        return {Who.HOST: (Side.RECEIVER,), Who.RECOMMENDER: (Side.RECOMMENDER,),
                Who.FILING_BODY: ()}.get(self, (Side.RECEIVER, Side.RECOMMENDER))

    def admits(self, standing: "Standing") -> bool:
        """Whether an actor of this standing is one who may act at all (the version's state
        aside: who proposed it, who acknowledged it)."""
        if self is Who.FILING_BODY:
            return standing.body is not None
        return standing.side in self.sides


class Mark(StrEnum):
    """What a version records of its workflow; an action records one and may clear others."""

    PROPOSAL = "proposal"                # proposed_by: whose terms these are
    CONFIRMATION = "confirmation"        # confirmed_at: the other party agreed to them
    SUBMISSION = "submission"            # submitted_at
    ACKNOWLEDGEMENT = "acknowledgement"  # <body>_ack_at, one for each filing body
    RETURN = "return"                    # return_reason


class Needs(StrEnum):
    """What an action takes besides the version it acts on."""

    REASON = "reason"
    TERMS = "terms"


@dataclass(frozen=True)
class Step:
    action: str
    sources: tuple[VersionStatus, ...]  # the newest version's statuses it starts from
    target: VersionStatus               # acknowledge: filed once every filing body has
    who: Who | None                     # None: nobody takes it, filing a later version does
    records: Mark | None = None
    resets: frozenset[Mark] = frozenset()
    awaited: tuple[VersionStatus, ...] = ()  # statuses in which the version waits for it
    needs: Needs | None = None
    new_version: bool = False           # it makes a version (the first, or the next)
    never_filed: str | None = None      # the refusal when the chain was ever filed
    wrong_status: str = "workflow.not_allowed"

    @property
    def offered(self) -> bool:
        """An action a user takes on an agreement's newest version (its button and command)."""
        return bool(self.sources) and self.who is not None

    @property
    def turns_back(self) -> bool:
        """It sends the version back to the parties or ends the chain (the pages warn)."""
        return self.target in (S.RETURNED, *ENDINGS)


# New terms: whatever the old ones received is cleared (the event history keeps it).
_CLEARED_BY_EDIT = frozenset({Mark.CONFIRMATION, Mark.SUBMISSION, Mark.ACKNOWLEDGEMENT,
                              Mark.RETURN})

# In the order the pages offer them.
STEPS = (
    Step("create", (), S.DRAFT, Who.HOST, records=Mark.PROPOSAL, needs=Needs.TERMS,
         new_version=True),
    Step("confirm", (S.DRAFT,), S.SIGNED, Who.OTHER_PARTY, records=Mark.CONFIRMATION,
         awaited=(S.DRAFT,)),
    Step("submit", (S.SIGNED,), S.SUBMITTED, Who.EITHER_PARTY, records=Mark.SUBMISSION,
         resets=frozenset({Mark.ACKNOWLEDGEMENT}), awaited=(S.SIGNED,)),
    Step("acknowledge", (S.SUBMITTED,), S.FILED, Who.FILING_BODY, records=Mark.ACKNOWLEDGEMENT,
         awaited=(S.SUBMITTED,)),
    Step("return", (S.SUBMITTED,), S.RETURNED, Who.FILING_BODY, records=Mark.RETURN,
         resets=frozenset({Mark.ACKNOWLEDGEMENT}), needs=Needs.REASON),
    Step("edit", (S.DRAFT, S.RETURNED), S.DRAFT, Who.EITHER_PARTY, records=Mark.PROPOSAL,
         resets=_CLEARED_BY_EDIT, awaited=(S.RETURNED,), needs=Needs.TERMS),
    Step("amend", (S.FILED,), S.DRAFT, Who.EITHER_PARTY, records=Mark.PROPOSAL,
         needs=Needs.TERMS, new_version=True, wrong_status="workflow.amend_unfiled"),
    Step("decline", (S.DRAFT,), S.DECLINED, Who.RECOMMENDER, needs=Needs.REASON,
         never_filed="workflow.decline_filed"),
    Step("withdraw", (S.DRAFT, S.RETURNED), S.WITHDRAWN, Who.HOST,
         never_filed="workflow.withdraw_filed"),
    Step("supersede", (S.FILED,), S.SUPERSEDED, None),
)
STEP = {s.action: s for s in STEPS}
ACTIONS = tuple(STEP)                               # every action the history names
OFFERED = tuple(s.action for s in STEPS if s.offered)  # those a user takes on a version
# The events after which a version has no acknowledgement (the documents replay them).
RESETS_ACKNOWLEDGEMENTS = tuple(s.action for s in STEPS if Mark.ACKNOWLEDGEMENT in s.resets)


@dataclass(frozen=True)
class Standing:
    """What an actor is to an agreement: one of its parties, a filing body, or neither."""

    side: Side | None = None
    body: Role | None = None


@dataclass(frozen=True)
class State:
    """What the workflow reads of an agreement: its newest version's status, whose terms they
    are, which filing bodies have acknowledged them, and whether the chain was ever filed."""

    status: VersionStatus
    proposed_by: Side | None = None
    acknowledged: tuple[str, ...] = ()
    ever_filed: bool = False


def ever_filed(versions: Iterable[Any]) -> bool:
    """Whether any version of a chain was ever filed (such a chain is never withdrawn or
    declined)."""
    return any(v.status in COUNTS_FOR_COVERAGE for v in versions)


def acknowledged_by(acks: dict[str, datetime | None]) -> list[str]:
    """The filing bodies that have acknowledged, given {body: acknowledged_at}."""
    return [body for body in FILING_BODIES if acks.get(body)]


def state_of(agreement: Any) -> State:
    """The State of an agreement (anything with `versions` and `newest` like the model)."""
    v = agreement.newest
    return State(S(v.status), Side(v.proposed_by) if v.proposed_by else None,
                 tuple(v.acknowledged_by), ever_filed(agreement.versions))


def refusal(step: Step, standing: Standing, state: State) -> Conflict | None:
    """Why the version's state does not let an actor whom `step.who` admits take the step now
    (None: it does). The status first, then who proposed or acknowledged, then the chain."""
    if state.status not in step.sources:
        return Conflict(step.wrong_status, action=step.action, status=state.status,
                        allowed=", ".join(step.sources))
    if step.who is Who.OTHER_PARTY and standing.side == state.proposed_by:
        return Conflict("workflow.confirm_own")
    if step.records is Mark.ACKNOWLEDGEMENT and standing.body in state.acknowledged:
        return Conflict("workflow.already_acknowledged", body=standing.body)
    if step.never_filed and state.ever_filed:
        return Conflict(step.never_filed)
    return None


def allowed(standing: Standing, state: State) -> list[str]:
    """The actions, in the table's order, that this actor may take on the version now."""
    return [s.action for s in STEPS if s.offered and s.who.admits(standing)
            and refusal(s, standing, state) is None]


def waits_for(standing: Standing, state: State) -> bool:
    """Whether the version waits for this actor: an action it may take now is awaited in the
    version's status (an agreement on the actor's to-do)."""
    return any(state.status in STEP[a].awaited for a in allowed(standing, state))


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


def _fields(mark: Mark, body: str | None = None) -> tuple[str, ...]:
    if mark is Mark.ACKNOWLEDGEMENT:
        return (ACK_FIELD[body],) if body else tuple(ACK_FIELD.values())
    return {Mark.PROPOSAL: ("proposed_by",), Mark.CONFIRMATION: ("confirmed_at",),
            Mark.SUBMISSION: ("submitted_at",), Mark.RETURN: ("return_reason",)}[mark]


def take(action: str, standing: Standing, state: State, now: datetime,
         reason: str | None = None) -> Transition:
    """The whole transition of `action` (the new status and every field it records or clears)
    for an actor whom the step's `who` admits, or the Conflict (409) its state raises. Applied
    to the newest version, or to a new one for a step making a version."""
    step = STEP[action]
    problem = refusal(step, standing, state)
    if problem is not None:
        raise problem
    sets: dict[str, Any] = dict.fromkeys(f for mark in step.resets for f in _fields(mark))
    status = step.target
    if step.records is Mark.PROPOSAL:
        sets["proposed_by"] = standing.side
    elif step.records is Mark.RETURN:
        sets["return_reason"] = reason
    elif step.records is Mark.ACKNOWLEDGEMENT:
        sets[ACK_FIELD[standing.body]] = now
        if set(state.acknowledged) | {standing.body} != set(FILING_BODIES):
            status = state.status  # filed only once every filing body has acknowledged
    elif step.records is not None:
        (name,) = _fields(step.records)
        sets[name] = now
    return Transition(status, sets)


def opening() -> Transition:
    """Version 1 as the host opens it: a draft it has proposed."""
    step = STEP["create"]
    (side,) = step.who.sides
    return Transition(step.target, {"proposed_by": side})


def supersede(from_year: int) -> Transition:
    """A later filed version takes over from `from_year` (coverage.file computes it)."""
    return Transition(STEP["supersede"].target, {"superseded_from": from_year})
