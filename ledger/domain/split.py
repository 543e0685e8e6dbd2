"""The split rule of docs/attribution.md — the one place it lives.

recommender = A·s/10000 rounded to the nearest integer, an exact half going DOWN (the tie goes to
the receiver, where the investment physically is); receiver = A − recommender, so the parts
always sum to A exactly. Integer arithmetic only: a float would misplace halves such as 3.015.
"""

from __future__ import annotations

BP_WHOLE = 10_000  # 100 % in basis points


def split(amount: int, share_bp: int) -> tuple[int, int]:
    """Split `amount` (units of 0.01万元, ≥ 0) by recommender share `share_bp` (basis points).

    Returns (recommender, receiver). Bad arguments are programming errors (inputs are validated
    at the edge), hence ValueError/TypeError rather than Invalid.
    """
    for name, value in (("amount", amount), ("share_bp", share_bp)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{name} must be int, got {type(value).__name__}")
    if amount < 0:
        raise ValueError(f"amount must be >= 0, got {amount}")
    if not 0 < share_bp <= BP_WHOLE:
        raise ValueError(f"share_bp must be in 1..{BP_WHOLE}, got {share_bp}")
    quotient, remainder = divmod(amount * share_bp, BP_WHOLE)
    # Round up only when strictly past the half; exactly half stays at the lower value.
    recommender = quotient + (1 if 2 * remainder > BP_WHOLE else 0)
    return recommender, amount - recommender
