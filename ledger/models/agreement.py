from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.db import Base, UTCDateTime, check_in, utcnow
from ledger.domain import coverage, limits, workflow
from ledger.domain.enums import Ending, Side, VersionStatus

_LIVE = "ended_as IS NULL"  # the partial index's twin of Agreement.is_live


class Agreement(Base):
    """An investment transfer agreement (投资转移协议): the chain of versions of one project."""

    __tablename__ = "agreements"
    __table_args__ = (
        sa.CheckConstraint("recommender_code <> receiver_code", name="distinct_parties"),
        check_in("ended_as", Ending, "ended_as"),
        # One live chain per project; a withdrawn or declined one frees the project.
        sa.Index("ix_agreements_live_project", "project_id", unique=True,
                 sqlite_where=sa.text(_LIVE), postgresql_where=sa.text(_LIVE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(limits.AGREEMENT_NUMBER), unique=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    recommender_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"), index=True)
    receiver_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped by every workflow action on any version: the ETag of the whole chain.
    row_version: Mapped[int] = mapped_column(default=1)
    ended_as: Mapped[str | None] = mapped_column(sa.String(12))  # withdrawn | declined

    versions: Mapped[list["AgreementVersion"]] = relationship(
        order_by="AgreementVersion.version", back_populates="agreement", lazy="selectin"
    )
    events: Mapped[list["AgreementEvent"]] = relationship(
        order_by="AgreementEvent.id", lazy="selectin", viewonly=True
    )

    @property
    def newest(self) -> "AgreementVersion":
        return self.versions[-1]

    @hybrid_property
    def is_live(self) -> bool:
        """Not withdrawn or declined: the project's one chain that counts (at most one per
        project, ix_agreements_live_project); as SQL, the filter every query of it uses."""
        return self.ended_as is None

    @is_live.inplace.expression
    @classmethod
    def _is_live_expression(cls) -> sa.ColumnElement[bool]:
        return cls.ended_as.is_(None)


class AgreementVersion(Base):
    """One version of an agreement with its own workflow state.

    `superseded_from` is the first year of the later filed version that replaced it; the
    effective last year is then min(last_year, superseded_from - 1)."""

    __tablename__ = "agreement_versions"
    __table_args__ = (
        sa.UniqueConstraint("agreement_id", "version", name="uq_agreement_versions_agreement_version"),
        sa.UniqueConstraint("filing_year", "filing_seq", name="uq_agreement_versions_filing"),
        check_in("status", VersionStatus, "status"),
        check_in("proposed_by", Side, "proposed_by"),
        sa.CheckConstraint("recommender_share > 0 AND recommender_share <= 10000", name="share_range"),
        sa.CheckConstraint("funds_share > 0 AND funds_share <= 10000", name="funds_share_range"),
        sa.CheckConstraint("last_year IS NULL OR last_year >= first_year", name="year_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id"), index=True)
    version: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(12), default=VersionStatus.DRAFT)
    recommender_share: Mapped[int]  # basis points, of completed investment (完成投资)
    funds_share: Mapped[int]        # basis points, of funds in place (到位资金): the `terms` line
    first_year: Mapped[int]
    last_year: Mapped[int | None]
    signed_on: Mapped[date]
    recommender_signatory: Mapped[str] = mapped_column(sa.String(limits.SIGNATORY))
    receiver_signatory: Mapped[str] = mapped_column(sa.String(limits.SIGNATORY))
    reason: Mapped[str] = mapped_column(sa.Text)
    proposed_by: Mapped[str] = mapped_column(sa.String(12))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    statistics_ack_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    commerce_ack_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_reason: Mapped[str | None] = mapped_column(sa.Text)
    filing_year: Mapped[int | None]
    filing_seq: Mapped[int | None]
    filing_number: Mapped[str | None] = mapped_column(sa.String(limits.FILING_NUMBER), unique=True)
    filed_on: Mapped[date | None]
    superseded_from: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agreement: Mapped[Agreement] = relationship(back_populates="versions")

    @property
    def effective_last_year(self) -> int | None:
        return coverage.effective_last_year(self.last_year, self.superseded_from)

    @property
    def acknowledged_by(self) -> list[str]:
        return workflow.acknowledged_by({body: getattr(self, name)
                                         for body, name in workflow.ACK_FIELD.items()})

    @property
    def term(self) -> coverage.Term:
        return coverage.Term(self.version, self.first_year, self.last_year,
                             self.recommender_share, self.superseded_from, self.funds_share)

    def share_of(self, indicator: str) -> int:
        return self.term.share_of(indicator)


class AgreementEvent(Base):
    """The workflow history of an agreement: who did what to which version, and why."""

    __tablename__ = "agreement_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id"), index=True)
    version: Mapped[int]
    action: Mapped[str] = mapped_column(sa.String(20))
    from_status: Mapped[str | None] = mapped_column(sa.String(12))
    to_status: Mapped[str] = mapped_column(sa.String(12))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(sa.String(12))
    actor_region: Mapped[str | None] = mapped_column(sa.String(16))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
