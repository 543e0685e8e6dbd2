"""Per project and year, on one accounting line: the annual amount and each side's part, with
the agreement version the latest of its postings was made under (so as-of answers are stable)
and that version's share of the line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ledger.context import Context
from ledger.db import settled
from ledger.domain.enums import Indicator, PostingRole
from ledger.models import Agreement, AgreementVersion, Posting, Project
from ledger.policy import attribution_scope
from ledger.queries.attribution import NOTICE, as_of_moment, in_year


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class ProjectLines:
    year: int
    as_of: datetime
    notice: str
    projects: list[ProjectLine]
    indicator: str = Indicator.COMPLETED_INVESTMENT


def project_lines(ctx: Context, year: int, as_of: datetime | None = None,
                  indicator: str = Indicator.COMPLETED_INVESTMENT) -> ProjectLines:
    """Projects with postings on the line in the year; a region sees those it hosts or
    recommends."""
    region = attribution_scope(ctx.actor)
    with settled(ctx.session) as session:
        moment = as_of_moment(ctx, as_of)
        sums = in_year(sa.select(Posting.project_id, Posting.host_code, Posting.role,
                                 sa.func.sum(Posting.amount))
                       .group_by(Posting.project_id, Posting.host_code, Posting.role), year, moment,
                       indicator)
        amounts: dict[int, dict[str, int]] = {}
        hosts: dict[int, str] = {}  # as the postings chain it
        for project_id, host, role, total in session.execute(sums):
            amounts.setdefault(project_id, {})[role] = int(total)
            hosts[project_id] = host
        last_rule = in_year(sa.select(Posting.project_id, sa.func.max(Posting.seq))
                            .where(Posting.agreement_id.is_not(None))
                            .group_by(Posting.project_id), year, moment, indicator)
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
            line = ProjectLine(project_id, project.name, hosts[project_id],
                               agreement.recommender_code if agreement else None,
                               agreement.number if agreement else None,
                               version.version if version else None,
                               version.share_of(indicator) if version else None,
                               sum(by_role.values()), by_role.get(PostingRole.RECOMMENDER, 0))
            if region is None or region in (line.host_code, line.recommender_code):
                lines.append(line)
    return ProjectLines(year, moment, NOTICE, lines, Indicator(indicator))
