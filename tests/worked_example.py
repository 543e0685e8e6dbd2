"""The worked example of docs/attribution.md, written once for every layer that replays it: an
agreement of share 30 % (兴庆区 recommends, 灵武市 hosts and receives), January 10.05 and February
10.05 reported, then January revised to 0.00, then the same 0.00 again.

Each step: (period, amount reported, the postings it appends as (period, role, amount)). The
domain replays it on desired_for_year (tests/domain/test_attribution.py), the ledger through the
commands (tests/postings/test_worked_example.py), the API over HTTP (tests/api/test_story.py)."""

from __future__ import annotations

SHARE = "30"
SHARE_BP = 3000
YEAR = 2025

STEPS: tuple[tuple[str, str, tuple[tuple[str, str, str], ...]], ...] = (
    ("2025-01", "10.05", (("2025-01", "recommender", "3.01"), ("2025-01", "receiver", "7.04"))),
    ("2025-02", "10.05", (("2025-02", "recommender", "3.02"), ("2025-02", "receiver", "7.03"))),
    # The year to date falls to 10.05: January's parts go, February's become 3.01 / 7.04.
    ("2025-01", "0.00", (("2025-01", "recommender", "-3.01"), ("2025-01", "receiver", "-7.04"),
                         ("2025-02", "recommender", "-0.01"), ("2025-02", "receiver", "0.01"))),
    ("2025-01", "0.00", ()),  # an identical report appends nothing
)
STEP_IDS = ("jan", "feb", "jan-revised", "jan-again")

# Each role's balance for the year after the last step: the split of 10.05 at 30 %.
BALANCES = {"recommender": "3.01", "receiver": "7.04"}
