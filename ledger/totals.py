"""Attribution totals per region and year, read from the postings (optionally as of a time).

All four figures come from the ledger, so an as-of answer never changes afterwards:
  in_place  = Σ postings of projects hosted in the region (every role: the 在地 figure)
  ceded     = Σ recommender postings of projects hosted in the region
  credited  = Σ recommender postings where the region is the recommender
  attributed = in_place − ceded + credited
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.models import Agreement, AgreementVersion, Posting, Project, Region

FIGURES = ("in_place", "ceded", "credited", "attributed")


@dataclass
class RegionTotals:
    code: str
    name: str
    level: str
    parent_code: str | None
    in_place: int = 0
    ceded: int = 0
    credited: int = 0
    children: list[str] = field(default_factory=list)

    @property
    def attributed(self) -> int:
        return self.in_place - self.ceded + self.credited

    def add(self, other: "RegionTotals") -> None:
        self.in_place += other.in_place
        self.ceded += other.ceded
        self.credited += other.credited


def _scope(query, year: int, as_of: datetime | None):
    query = query.where(Posting.period.like(f"{year:04d}-%"))
    return query if as_of is None else query.where(Posting.recorded_at <= as_of)


def region_totals(session: Session, year: int, as_of: datetime | None = None) -> dict[str, RegionTotals]:
    """code → the region's own figures (not rolled up), for every region."""
    rows = {r.code: RegionTotals(r.code, r.name, r.level, r.parent_code)
            for r in session.scalars(sa.select(Region).order_by(Region.code))}
    hosted = _scope(
        sa.select(Project.host_code, Posting.role, sa.func.sum(Posting.amount))
        .join(Project, Project.id == Posting.project_id)
        .group_by(Project.host_code, Posting.role), year, as_of)
    for host, role, total in session.execute(hosted):
        rows[host].in_place += int(total)
        if role == "recommender":
            rows[host].ceded += int(total)
    credited = _scope(
        sa.select(Posting.region_code, sa.func.sum(Posting.amount))
        .where(Posting.role == "recommender").group_by(Posting.region_code), year, as_of)
    for code, total in session.execute(credited):
        rows[code].credited += int(total)
    for row in rows.values():
        if row.parent_code in rows:
            rows[row.parent_code].children.append(row.code)
    return rows


def rolled_up(rows: dict[str, RegionTotals], code: str) -> RegionTotals:
    """A region's own figures plus those of every region below it, each counted once."""
    base = rows[code]
    out = RegionTotals(base.code, base.name, base.level, base.parent_code)
    for current in {code} | _descendants(rows, code):
        out.add(rows[current])
    return out


def grand_total(rows: dict[str, RegionTotals]) -> RegionTotals:
    out = RegionTotals("", "合计", "total", None)
    for row in rows.values():
        out.add(row)
    return out


@dataclass
class ProjectLine:
    project_id: int
    project_name: str
    host_code: str
    recommender_code: str | None
    agreement_number: str | None
    version: int | None
    recommender_share: int | None
    amount: int
    recommender_part: int

    @property
    def host_part(self) -> int:
        return self.amount - self.recommender_part


def region_rows(rows: dict[str, RegionTotals], scope: str | None) -> list[tuple[RegionTotals, bool]]:
    """The rows to show: every region (scope None) or `scope` and the regions below it; a region
    with regions below it is shown rolled up. Returns (figures, rolled_up) pairs in code order."""
    wanted = set(rows) if scope is None else {scope} | _descendants(rows, scope)
    out = []
    for code in sorted(wanted):
        has_children = bool(rows[code].children)
        out.append((rolled_up(rows, code) if has_children else rows[code], has_children))
    return out


def _descendants(rows: dict[str, RegionTotals], code: str) -> set[str]:
    out, stack = set(), list(rows[code].children)
    while stack:
        current = stack.pop()
        if current not in out:
            out.add(current)
            stack.extend(rows[current].children)
    return out


def project_lines(session: Session, year: int, as_of: datetime | None = None,
                  region: str | None = None) -> list[ProjectLine]:
    """Per project with postings in the year: the annual amount and each side's part, with the
    agreement version the latest of its postings was made under (so as-of answers are stable)."""
    sums = _scope(
        sa.select(Posting.project_id, Posting.role, sa.func.sum(Posting.amount))
        .group_by(Posting.project_id, Posting.role), year, as_of)
    amounts: dict[int, dict[str, int]] = {}
    for project_id, role, total in session.execute(sums):
        amounts.setdefault(project_id, {})[role] = int(total)
    last_rule = _scope(
        sa.select(Posting.project_id, sa.func.max(Posting.seq))
        .where(Posting.agreement_id.is_not(None)).group_by(Posting.project_id), year, as_of)
    rule_seq = dict(session.execute(last_rule).all())
    lines = []
    for project_id in sorted(amounts):
        project = session.get(Project, project_id)
        by_role = amounts[project_id]
        agreement = version = None
        if project_id in rule_seq:
            posting = session.get(Posting, rule_seq[project_id])
            agreement = session.get(Agreement, posting.agreement_id)
            version = session.scalar(sa.select(AgreementVersion).where(
                AgreementVersion.agreement_id == agreement.id,
                AgreementVersion.version == posting.version))
        line = ProjectLine(project_id, project.name, project.host_code,
                           agreement.recommender_code if agreement else None,
                           agreement.number if agreement else None,
                           version.version if version else None,
                           version.recommender_share if version else None,
                           sum(by_role.values()), by_role.get("recommender", 0))
        if region is None or region in (line.host_code, line.recommender_code):
            lines.append(line)
    return lines
