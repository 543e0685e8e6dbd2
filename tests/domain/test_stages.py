"""Project stages (ledger.domain.stages): forward only, a skipped stage takes the reached stage's
date, cancelled is final; landed and the months before construction."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain import stages
from ledger.domain.enums import Stage
from ledger.domain.errors import Conflict

DAY = date(2025, 3, 14)
S, U, O, C = Stage.SIGNED, Stage.UNDER_CONSTRUCTION, Stage.IN_OPERATION, Stage.CANCELLED


@pytest.mark.parametrize(("current", "target", "expected"), [
    (S, U, {"stage": U, "started_on": DAY}),
    (U, O, {"stage": O, "operating_on": DAY}),
    # A skipped stage is dated the day the later one is reached.
    (S, O, {"stage": O, "started_on": DAY, "operating_on": DAY}),
    (S, C, {"stage": C, "cancelled_on": DAY}),
    (U, C, {"stage": C, "cancelled_on": DAY}),
    (O, C, {"stage": C, "cancelled_on": DAY}),
])
def test_a_move_sets_the_stage_and_the_dates_it_reaches(current, target, expected):
    assert stages.advance(current, target, DAY) == expected


@pytest.mark.parametrize(("current", "target"), [(S, S), (U, S), (U, U), (O, U), (O, S), (O, O)])
def test_stages_never_move_back_or_stay(current, target):
    with pytest.raises(Conflict) as err:
        stages.advance(current, target, DAY)
    assert err.value.code == "stage.backwards"
    assert err.value.errors == {"stage": [err.value.message]}


@pytest.mark.parametrize("target", [S, U, O, C])
def test_cancelled_is_final(target):
    with pytest.raises(Conflict) as err:
        stages.advance(C, target, DAY)
    assert err.value.code == "stage.cancelled"


@pytest.mark.parametrize(("stage", "landed"), [(S, False), (U, True), (O, True), (C, False)])
def test_landed_is_under_construction_or_in_operation(stage, landed):
    assert stages.landed(stage) is landed


@pytest.mark.parametrize(("current", "target", "reached"), [
    (S, S, True), (S, U, False), (S, O, False), (S, C, False),
    (U, S, True), (U, U, True), (U, O, False), (U, C, False),
    (O, S, True), (O, U, True), (O, O, True), (O, C, False),
    (C, S, True), (C, U, True), (C, O, True), (C, C, True),
])
def test_reached(current, target, reached):
    assert stages.reached(current, target) is reached


@pytest.mark.parametrize(("period", "started_on", "before"), [
    ("2025-02", date(2025, 3, 31), True),
    ("2025-03", date(2025, 3, 31), False),  # the month construction started counts
    ("2025-04", date(2025, 3, 1), False),
    ("2024-12", date(2025, 1, 1), True),
    ("2025-01", None, False),  # not started: nothing to be before
])
def test_before_start(period, started_on, before):
    assert stages.before_start(period, started_on) is before


@given(st.sampled_from(stages.ORDER), st.sampled_from(stages.ORDER), st.dates())
def test_a_forward_move_reaches_exactly_the_stages_between(current, target, day):
    """Every move forward dates each stage after `current` up to `target`, and only those; the
    project has then reached `target` and nothing after it."""
    i, j = stages.ORDER.index(current), stages.ORDER.index(target)
    if j <= i:
        with pytest.raises(Conflict):
            stages.advance(current, target, day)
        return
    fields = stages.advance(current, target, day)
    assert fields.pop("stage") == target
    assert fields == {stages.DATE_OF[s]: day for s in stages.ORDER[i + 1:j + 1]}
    assert stages.reached(target, current) and stages.reached(target, target)
    assert not any(stages.reached(target, later) for later in stages.ORDER[j + 1:])
