"""Assessment years (ledger/queries/years.py): every year with reports or a status of its own,
in order, open unless closed."""

from __future__ import annotations

from ledger.queries.years import status, years


def _rows(session) -> list[tuple[int, str, bool]]:
    return [(y.year, y.status, y.changed_at is not None) for y in years(session)]


def test_a_year_is_known_by_its_reports_or_its_status(world, session):
    assert years(session) == [] and status(session, 2025) == "open"
    p = world.project()
    world.report(p, "2025-01", "2.00")
    world.report(p, "2024-03", "1.00")
    world.report(p, "2024-04", "1.00")
    assert _rows(session) == [(2024, "open", False), (2025, "open", False)]
    world.close(2024)
    world.close(2022)  # a year without reports, closed
    assert _rows(session) == [(2022, "closed", True), (2024, "closed", True), (2025, "open", False)]
    assert (status(session, 2024), status(session, 2025), status(session, 2030)) == (
        "closed", "open", "open")
    world.reopen(2024)
    assert _rows(session)[1] == (2024, "open", True) and status(session, 2024) == "open"
