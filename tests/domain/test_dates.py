"""The date rules (ledger.domain.dates), each on its own."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.domain import dates
from ledger.domain.errors import Invalid

TODAY = date(2026, 12, 6)


def _codes(problems):
    return {k: [p.code for p in v] for k, v in problems.items()}


def test_no_date_after_today():
    assert dates.future(TODAY, TODAY) is None and dates.future(None, TODAY) is None
    assert dates.future(date(2026, 12, 7), TODAY).code == "date.future"
    assert _codes(dates.project_problems({"signed_on": date(2027, 1, 1)}, TODAY)) == {
        "signed_on": ["date.future"]}


def test_future_months():
    assert not dates.future_period("2026-12", TODAY)
    assert dates.future_period("2027-01", TODAY)


@pytest.mark.parametrize("facts, changed, expected", [
    ({"signed_on": date(2024, 1, 2), "started_on": date(2024, 1, 1)}, dates.PROJECT_DATES,
     {"started_on": ["stage.date_before"]}),
    ({"signed_on": date(2024, 1, 2), "started_on": date(2024, 1, 1)}, {"signed_on"},
     {"signed_on": ["stage.date_after"]}),
    ({"started_on": date(2024, 5, 1), "operating_on": date(2024, 4, 30)}, dates.PROJECT_DATES,
     {"operating_on": ["stage.date_before"]}),
    ({"signed_on": date(2024, 5, 1), "cancelled_on": date(2024, 4, 30)}, {"cancelled_on"},
     {"cancelled_on": ["stage.date_before"]}),
    ({"signed_on": date(2024, 1, 1), "started_on": date(2024, 1, 1),
      "operating_on": date(2024, 1, 1)}, dates.PROJECT_DATES, {}),
])
def test_stages_in_order(facts, changed, expected):
    assert _codes(dates.project_problems(facts, TODAY, changed)) == expected


def test_check_project_names_the_field_that_carried_the_date():
    with pytest.raises(Invalid) as err:
        dates.check_project({"signed_on": date(2026, 1, 1), "started_on": date(2026, 12, 7)},
                            TODAY, {"started_on"}, {"started_on": "stage_on"})
    assert err.value.code == "date.future" and list(err.value.errors) == ["stage_on"]


def test_an_agreement_covers_no_year_before_the_signing():
    assert dates.before_project(2023, date(2023, 12, 31)) is None
    assert dates.before_project(2022, None) is None  # a project without a signing date
    problem = dates.before_project(2022, date(2023, 1, 1))
    assert (problem.code, problem.params) == ("agreement.before_project", {"first_year": 2022, "year": 2023})
    assert _codes(dates.agreement_problems(2022, date(2026, 12, 7), date(2023, 1, 1), TODAY)) == {
        "signed_on": ["date.future"], "first_year": ["agreement.before_project"]}


def test_a_start_after_a_reported_month():
    assert dates.start_after_report(date(2025, 1, 31), "2025-01") is None
    assert dates.start_after_report(date(2025, 1, 31), None) is None
    assert dates.start_after_report(date(2025, 2, 1), "2025-01").params == {"period": "2025-01"}
