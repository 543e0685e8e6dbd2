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


def test_the_ledgers_years_run_from_its_first_to_this_year(world, session):
    from ledger.queries.years import ledger_years
    assert ledger_years(session, 2026) == range(2026, 2027)          # an empty ledger: this year
    assert ledger_years(session, 2026, earliest=2023) == range(2023, 2027)
    p = world.project()
    world.report(p, "2024-03", "1.00")
    assert ledger_years(session, 2026) == range(2024, 2027)          # 2025 too, though empty
    assert ledger_years(session, 2023) == range(2023, 2025)          # a clock behind the ledger
    assert 1999 not in ledger_years(session, 2026, earliest=2023)
