"""The help page: the policy the ledger implements, who does what, the agreement workflow and
how shares are computed. Whatever the code already knows is read from it, not written again:
the workflow diagram from the table STEPS, the worked example's figures from the split and
attribution functions, the notice and the two lines' names from the vocabulary."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import render_template
from flask_babel import lazy_gettext as _l

from ledger.domain import workflow
from ledger.domain.attribution import RECEIVER, RECOMMENDER, desired_for_year
from ledger.domain.enums import Indicator, Role
from ledger.domain.split import BP_WHOLE, split
from ledger.domain.vocabulary import ASSESSMENT_ONLY, INDICATORS, POLICY_CLAUSE
from ledger.domain.workflow import Who
from ledger.web.blueprint import bp
from ledger.web.helpers import amount, percent_bp
from ledger.web.labels import ACTIONS, label

WHO = {
    Who.HOST: _l("the receiving region (host of the project)"),
    Who.RECOMMENDER: _l("the recommending region"),
    Who.EITHER_PARTY: _l("either party"),
    Who.OTHER_PARTY: _l("the party that did not propose the terms"),
    Who.FILING_BODY: _l("the statistics bureau and the commerce department"),
}
# What the system does by itself (a step nobody takes: a later version is filed).
BY_ITSELF = _l("the system, when a later version is filed")

# docs/attribution.md's worked example: share 30 %, January and February 2025 each 10.05万元
# reported, then January revised to 0.00.
EXAMPLE_SHARE_BP = 3000
EXAMPLE_YEAR = 2025
EXAMPLE_EVENTS = (
    ("report", "01", 1005),
    ("report", "02", 1005),
    ("revise", "01", 0),
)


@dataclass(frozen=True)
class Arrow:
    action: str
    sources: tuple[str, ...]
    target: str
    who: object
    new_version: bool


def workflow_arrows() -> list[Arrow]:
    """Every step of the workflow table as an arrow of the diagram, in the table's order."""
    return [Arrow(s.action, tuple(str(x) for x in s.sources), str(s.target),
                  WHO[s.who] if s.who is not None else BY_ITSELF, s.new_version)
            for s in workflow.STEPS]


def main_path() -> list[tuple[str | None, str]]:
    """The usual way from opening to filing, [(action, status reached)]: from the status the
    first step makes, the first step of the table that someone takes to a status not reached
    yet and that does not turn the version back."""
    first = workflow.STEPS[0]
    path, seen = [(first.action, str(first.target))], {first.target}
    while True:
        step = next((s for s in workflow.STEPS if s.offered and path[-1][1] in s.sources
                     and s.target not in seen and not s.turns_back), None)
        if step is None:
            return path
        path.append((step.action, str(step.target)))
        seen.add(step.target)


@dataclass(frozen=True)
class ExampleRow:
    event: str
    period: str
    reported: str
    postings: list[tuple[str, str, str]]  # (period, recommender, receiver), signed


def worked_example() -> dict:
    """The figures of docs/attribution.md's worked example, computed by the ledger's own
    functions: each event's postings are the change of the year's desired amounts."""
    monthly: dict[str, int] = {}
    before: dict[tuple[str, str], int] = {}
    rows = []
    for event, month, units in EXAMPLE_EVENTS:
        period = f"{EXAMPLE_YEAR}-{month}"
        monthly[period] = units
        desired = desired_for_year(monthly, EXAMPLE_SHARE_BP)
        postings = []
        for p in sorted(monthly):
            change = [desired[(p, role)] - before.get((p, role), 0) for role in (RECOMMENDER, RECEIVER)]
            if any(change):
                postings.append((p, *(_signed(c) for c in change)))
        rows.append(ExampleRow(event, period, amount(units), postings))
        before = desired
    first = EXAMPLE_EVENTS[0][2]
    total = sum(monthly.values())
    recommender, receiver = split(total, EXAMPLE_SHARE_BP)
    return {
        "share": percent_bp(EXAMPLE_SHARE_BP),
        "first": amount(first),
        # The exact product, before rounding (display only: amounts stay integers).
        "product": _exact(first * EXAMPLE_SHARE_BP),
        "first_split": tuple(amount(x) for x in split(first, EXAMPLE_SHARE_BP)),
        "rows": rows,
        "total": amount(total),
        "total_split": (amount(recommender), amount(receiver)),
    }


def _signed(units: int) -> str:
    return f"+{amount(units)}" if units > 0 else amount(units)


def _exact(units_times_bp: int) -> str:
    """An amount times a share in basis points, exactly, in 万元 ('3.015')."""
    value = Decimal(units_times_bp) / (100 * BP_WHOLE)
    return format(value.normalize(), "f") if value % Decimal("0.01") else f"{value:.2f}"


@bp.get("/help")
def help_page():
    return render_template(
        "web/help.html", arrows=workflow_arrows(), path=main_path(), actions=ACTIONS,
        example=worked_example(), assessment_only=ASSESSMENT_ONLY, clause=POLICY_CLAUSE,
        # The roles' words are looked up here, per request: Jinja folds a filter on a constant
        # ("admin"|label) once, in the language of the first page it renders.
        roles={r.value: label(r.value) for r in Role},
        lines={i: INDICATORS[i] for i in Indicator})
