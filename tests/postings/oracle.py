"""Helpers shared by the ledger tests: an independent oracle for docs/attribution.md and agreement
data. Nothing here calls ledger.domain.split or attribution: the oracle below is a second,
deliberately naive implementation to check the real one against."""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

import sqlalchemy as sa

from ledger.models import Posting

# ------------------------------------------------------------------ the oracle

def oracle_split(amount: int, share_bp: int) -> tuple[int, int]:
    """Nearest integer to amount·share/10000, an exact half going to the lower value."""
    exact = Fraction(amount * share_bp, 10_000)
    low = exact.numerator // exact.denominator
    rec = low + 1 if exact - low > Fraction(1, 2) else low
    return rec, amount - rec


def oracle_desired(monthly: dict[str, int], host: str, rule) -> dict[tuple[str, str, str], int]:
    """(period, region, role) → amount, the non-zero targets of one project-year.
    `rule` is None (100 % host) or (share_bp, recommender_code, receiver_code)."""
    out: dict[tuple[str, str, str], int] = {}
    if rule is None:
        for period, amount in monthly.items():
            out[(period, host, "host")] = amount
    else:
        share, rec_code, recv_code = rule
        ytd = rec_before = 0
        for period in sorted(monthly):
            ytd += monthly[period]
            rec_ytd = oracle_split(ytd, share)[0]
            out[(period, rec_code, "recommender")] = rec_ytd - rec_before
            out[(period, recv_code, "receiver")] = monthly[period] - (rec_ytd - rec_before)
            rec_before = rec_ytd
    return {k: v for k, v in out.items() if v != 0}


def posted_by_key(session, project_id: int, year: int) -> dict[tuple[str, str, str], int]:
    rows = session.execute(
        sa.select(Posting.period, Posting.region_code, Posting.role, sa.func.sum(Posting.amount))
        .where(Posting.project_id == project_id, Posting.period.like(f"{year}-%"))
        .group_by(Posting.period, Posting.region_code, Posting.role))
    return {(p, r, role): int(t) for p, r, role, t in rows if int(t) != 0}


def in_force(filed: list[tuple[int, int, int, int | None]], year: int):
    """filed: [(version, share_bp, first_year, last_year)]. The newest filed version starting
    no later than `year` applies if it has not ended; otherwise nothing (100 % host)."""
    started = [v for v in filed if v[2] <= year]
    if not started:
        return None
    version = max(started, key=lambda v: v[0])
    return version if version[3] is None or year <= version[3] else None


def share_text(bp: int) -> str:
    """Basis points as a percent string with at most two decimals ("30", "33.3", "0.01")."""
    whole, frac = divmod(bp, 100)
    if frac == 0:
        return str(whole)
    if frac % 10 == 0:
        return f"{whole}.{frac // 10}"
    return f"{whole}.{frac:02d}"


def amount_text(units: int, style: int = 0) -> str:
    """Units of 0.01万元 as a decimal string; style 1/2 drop trailing zero decimals when exact."""
    whole, cents = divmod(units, 100)
    if style == 1 and cents == 0:
        return str(whole)
    if style == 2 and cents % 10 == 0:
        return f"{whole}.{cents // 10}"
    return f"{whole}.{cents:02d}"


# ------------------------------------------------------------------ agreements

def agreement_data(project_id: int, recommender_code: str, share_bp: int, first_year: int,
                   last_year: int | None) -> dict:
    return {"project_id": project_id, "recommender_code": recommender_code,
            "recommender_share": share_text(share_bp), "first_year": first_year,
            "last_year": last_year, "signed_on": "2024-01-10",
            "signatories": {"recommender": "张三", "receiver": "李四"},
            "reason": "推荐地开发区产业定位不符"}


def fingerprint(session) -> tuple:
    """Everything a refused operation must leave untouched."""
    session.rollback()
    q = session.execute
    out = (
        q(sa.text("SELECT count(*), max(seq) FROM postings")).one(),
        q(sa.text("SELECT hash FROM postings ORDER BY seq DESC LIMIT 1")).scalar(),
        tuple(q(sa.text("SELECT project_id, period, revision, amount FROM investment_reports "
                        "ORDER BY project_id, period, revision")).all()),
        tuple(q(sa.text("SELECT agreement_id, version, status, recommender_share, first_year, "
                        "last_year, statistics_ack_at IS NULL, commerce_ack_at IS NULL "
                        "FROM agreement_versions ORDER BY agreement_id, version")).all()),
        tuple(q(sa.text("SELECT year, status FROM assessment_years ORDER BY year")).all()),
        q(sa.text("SELECT count(*) FROM audit_log")).scalar(),
    )
    session.rollback()
    return out


def totals_by_year(session, year: int) -> dict[str, tuple[int, int, int]]:
    from ledger.queries.attribution import region_totals
    return {code: (r.in_place, r.ceded, r.credited)
            for code, r in region_totals(session, year).items()
            if (r.in_place, r.ceded, r.credited) != (0, 0, 0)}


def sum_by(pairs) -> dict:
    out: dict = defaultdict(int)
    for key, value in pairs:
        out[key] += value
    return dict(out)
