"""The date rules of projects, agreements and reports (docs/domain.md), in one place: the API, the
web forms, the import and the demo reach them through the commands, which pass "today" (the Beijing
civil date of the command's clock, Context.today).

- No project date (signing, each stage) and no agreement signing date lies after today, and no
  report is for a month after this one.
- A project's stages keep their order: started_on ≥ signed_on, operating_on ≥ started_on and a
  cancellation on or after every other date.
- An agreement covers no year before the one its project was signed in.
- Construction does not start after a month already reported.
- Funds in place are not received before the project's signing (nor after today).

Each rule returns its problems (or raises Invalid, for the checks of one request's values);
a command that holds a rule against facts already recorded raises them as a Conflict."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date

from ledger.domain import stages
from ledger.domain.errors import Invalid, Problem
from ledger.domain.periods import period_of

# A project's dates, in the order its stages are reached (the cancellation last).
PROJECT_DATES = ("signed_on", "started_on", "operating_on", "cancelled_on")
# (earlier, later): the later date may not lie before the earlier one.
_ORDER = (("signed_on", "started_on"), ("started_on", "operating_on"),
          ("signed_on", "cancelled_on"), ("started_on", "cancelled_on"),
          ("operating_on", "cancelled_on"))


def future(day: date | None, today: date) -> Problem | None:
    if day is None or day <= today:
        return None
    return Problem("date.future", today=today.isoformat())


def future_period(period: str, today: date) -> bool:
    """A month after today's: nothing can have been built then yet."""
    return period > period_of(today)


def project_problems(dates: Mapping[str, date | None], today: date,
                     changed: Collection[str] = PROJECT_DATES) -> dict[str, list[Problem]]:
    """What is wrong with a project's dates (PROJECT_DATES → date or None), by date. A stage
    out of order is reported on the later date, unless only the earlier one was `changed` (a
    corrected signing date after the start is the signing date's fault)."""
    problems: dict[str, list[Problem]] = {}
    for name in PROJECT_DATES:
        problem = future(dates.get(name), today)
        if problem is not None:
            problems.setdefault(name, []).append(problem)
    for earlier, later in _ORDER:
        first, then = dates.get(earlier), dates.get(later)
        if first is None or then is None or then >= first:
            continue
        if earlier in changed and later not in changed:
            at, problem = earlier, Problem("stage.date_after", date=then.isoformat())
        else:
            at, problem = later, Problem("stage.date_before", date=first.isoformat())
        problems.setdefault(at, []).append(problem)
    return problems


def check_project(dates: Mapping[str, date | None], today: date,
                  changed: Collection[str] = PROJECT_DATES,
                  fields: Mapping[str, str] | None = None) -> None:
    """Invalid (422) naming each date that breaks a rule; `fields` renames a date to the field
    that carried it (a stage change sends `stage_on`)."""
    raise_invalid({(fields or {}).get(k, k): v
                   for k, v in project_problems(dates, today, changed).items()})


def before_project(first_year: int, project_signed_on: date | None) -> Problem | None:
    """An agreement covering a year before its project was signed (nothing to attribute)."""
    if project_signed_on is None or first_year >= project_signed_on.year:
        return None
    return Problem("agreement.before_project", first_year=first_year, year=project_signed_on.year)


def years_reversed(first_year: int | None, last_year: int | None) -> Problem | None:
    """An agreement's last year before its first (None: open-ended, or not known yet)."""
    if first_year is None or last_year is None or last_year >= first_year:
        return None
    return Problem("agreement.last_before_first")


def agreement_problems(first_year: int | None, signed_on: date | None,
                       project_signed_on: date | None, today: date) -> dict[str, list[Problem]]:
    """What is wrong with an agreement's dates, by field (a value not known is not checked)."""
    problems: dict[str, list[Problem]] = {}
    for name, problem in (("signed_on", future(signed_on, today)),
                          ("first_year", None if first_year is None
                           else before_project(first_year, project_signed_on))):
        if problem is not None:
            problems[name] = [problem]
    return problems


def check_agreement(first_year: int, signed_on: date, project_signed_on: date | None,
                    today: date) -> None:
    raise_invalid(agreement_problems(first_year, signed_on, project_signed_on, today))


def received_before_signing(received_on: date, signed_on: date | None) -> Problem | None:
    """Funds in place are received once the project is signed, not before."""
    if signed_on is None or received_on >= signed_on:
        return None
    return Problem("funds.before_signing", signed=signed_on.isoformat())


def signed_after_funds(signed_on: date | None, first_received: date | None) -> Problem | None:
    """A corrected signing date after funds already received (the receipt would then lie
    before the signing, which none may)."""
    if first_received is None or received_before_signing(first_received, signed_on) is None:
        return None
    return Problem("project.signed_after_funds", received=first_received.isoformat())


def start_after_report(started_on: date | None, first_reported: str | None) -> Problem | None:
    """A start of construction after the first month reported: that month would lie before
    the start (stages.before_start), which no report may."""
    if first_reported is None or not stages.before_start(first_reported, started_on):
        return None
    return Problem("project.start_after_report", period=first_reported)


def raise_invalid(problems: dict[str, list[Problem]]) -> None:
    if problems:
        first = next(iter(problems.values()))[0]
        raise Invalid(first.code, errors=problems, **first.params)
