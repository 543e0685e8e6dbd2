"""Agreements, as the user may see them: the list and its filters (the newest version's status, a
party's region or one above it, a year a version covers, the number, what waits for the user),
one agreement, and which agreements wait for the user's action."""

from __future__ import annotations

from collections.abc import Collection, Iterator

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ledger import policy
from ledger.context import Context
from ledger.domain import limits, workflow
from ledger.models import Agreement, AgreementVersion, Region
from ledger.policy import agreements_seen_by
from ledger.queries.lookup import visible_agreement
from ledger.queries.pagination import Page, page_of
from ledger.queries.reference import below, children
from ledger.queries.search import EXPORT_MAX, contains


def newest_versions(ctx: Context, only: Collection[int] | None = None,
                    ) -> Iterator[tuple[Agreement, AgreementVersion, bool]]:
    """Each agreement the user sees (of `only`, when given), its newest version and whether the
    chain was ever filed."""
    newest = (sa.select(AgreementVersion.agreement_id,
                        sa.func.max(AgreementVersion.version).label("version"))
              .group_by(AgreementVersion.agreement_id).subquery())
    filed = sa.exists().where(AgreementVersion.agreement_id == Agreement.id,
                              AgreementVersion.status.in_(list(workflow.COUNTS_FOR_COVERAGE)))
    current = aliased(AgreementVersion)
    return iter(ctx.session.execute(
        sa.select(Agreement, current, filed)
        .join(current, current.agreement_id == Agreement.id)
        .join(newest, sa.and_(newest.c.agreement_id == current.agreement_id,
                              newest.c.version == current.version))
        .where(agreements_seen_by(ctx.actor),
               sa.true() if only is None else Agreement.id.in_(list(only)))
        .order_by(Agreement.id)))


def waits_for(ctx: Context, agreement: Agreement, version: AgreementVersion,
              ever_filed: bool) -> bool:
    """Whether the newest version waits for this user's action (ledger.domain.workflow)."""
    standing = policy.standing(ctx.actor, agreement.recommender_code, agreement.receiver_code)
    state = workflow.State(version.status, version.proposed_by, tuple(version.acknowledged_by),
                           ever_filed)
    return workflow.waits_for(standing, state)


def waiting(ctx: Context, only: Collection[int] | None = None) -> list[Agreement]:
    """The agreements (of `only`, when given) whose newest version waits for this user: the start
    page's to-do, the list's "waiting for me" and the messages' (ledger.queries.notifications)."""
    return [a for a, v, filed in newest_versions(ctx, only) if waits_for(ctx, a, v, filed)]


def _newest_status() -> sa.ScalarSelect:
    """The status of the agreement's newest version, as a correlated subquery."""
    return (sa.select(AgreementVersion.status).where(AgreementVersion.agreement_id == Agreement.id)
            .order_by(AgreementVersion.version.desc()).limit(1).scalar_subquery())


def _covers(year: int) -> sa.ColumnElement[bool]:
    """A version of the chain covers `year`: from its first year to its effective last year
    (a superseded version ends the year before its successor's first)."""
    v = AgreementVersion
    return sa.exists().where(
        v.agreement_id == Agreement.id, v.first_year <= year,
        sa.or_(v.last_year.is_(None), v.last_year >= year),
        sa.or_(v.superseded_from.is_(None), v.superseded_from > year))


def _region_and_below(ctx: Context, code: str) -> set[str]:
    """The region and every region under it (a city's counties)."""
    under = children(ctx.session.execute(sa.select(Region.code, Region.parent_code)))
    return {code} | below(lambda c: under.get(c, ()), code)


def _query(ctx: Context, *, status: str | None = None, region: str | None = None,
           year: int | None = None, number: str | None = None,
           waiting_for_me: bool = False) -> sa.Select:
    """The agreements this user may see, newest first, narrowed by the filters given; the
    filters only narrow that set, so no filter shows a user another region's agreement."""
    query = sa.select(Agreement).where(agreements_seen_by(ctx.actor)).order_by(Agreement.id.desc())
    if status:
        query = query.where(_newest_status() == status)
    if region:
        codes = _region_and_below(ctx, region)
        query = query.where(sa.or_(Agreement.recommender_code.in_(codes),
                                   Agreement.receiver_code.in_(codes)))
    if year is not None:
        query = query.where(_covers(year))
    if number:
        filing = sa.select(AgreementVersion.agreement_id).where(
            contains(number, AgreementVersion.filing_number))
        query = query.where(sa.or_(contains(number, Agreement.number), Agreement.id.in_(filing)))
    if waiting_for_me:
        query = query.where(Agreement.id.in_([a.id for a in waiting(ctx)]))
    return query


def agreements(ctx: Context, *, page: int = 1, page_size: int = limits.PAGE_SIZE_DEFAULT,
               **filters) -> Page[Agreement]:
    """One page of the agreements `filters` select (see _query)."""
    return page_of(ctx.session, _query(ctx, **filters), page, page_size)


def agreement_rows(ctx: Context, **filters) -> list[Agreement]:
    """Every agreement `filters` select, newest first, at most EXPORT_MAX (an export)."""
    return list(ctx.session.scalars(_query(ctx, **filters).limit(EXPORT_MAX)))


def agreement(ctx: Context, agreement_id: int) -> Agreement:
    return visible_agreement(ctx.session, ctx.actor, agreement_id)
