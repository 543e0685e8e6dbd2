"""What the two reported lines' pipelines share (ledger.commands.reports for completed
investment, ledger.commands.funds for funds in place): a row's refusal, and the projects the rows
of a batch name, found by id or by project code among those the user may see."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple, Protocol

import sqlalchemy as sa

from ledger.context import Context
from ledger.domain.errors import DomainError, Forbidden, Invalid, NotFound
from ledger.domain.limits import CHUNK
from ledger.models import Agreement, Project
from ledger.policy import Actor, can_see_project


@dataclass(frozen=True)
class Refusal:
    """One problem of one row: `field` is the column an import names it under; `error` is
    what a single row raises."""

    row: int
    field: str
    error: DomainError


class NamesProject(Protocol):
    """A row naming its project by id, by project code (GB/T 40058), or both."""

    row: int
    project_id: int | None
    project_code: str | None


class Known(NamedTuple):
    """What a row's checks need of its project."""

    id: int
    project_code: str | None
    host_code: str
    stage: str
    signed_on: date | None
    started_on: date | None


_projects, _agreements = Project.__table__, Agreement.__table__
_IDS = sa.bindparam("ids", expanding=True)
# The facts the rows are checked against and the parties of the project's live agreement (who
# may see it: policy.can_see_project), by id or by project code; built once.
_FACTS = (sa.select(_projects.c.id, _projects.c.project_code, _projects.c.host_code,
                    _projects.c.stage, _projects.c.signed_on, _projects.c.started_on,
                    _agreements.c.recommender_code, _agreements.c.receiver_code)
          .select_from(_projects.outerjoin(_agreements, sa.and_(
              _agreements.c.project_id == _projects.c.id, Agreement.is_live))))
_FACTS_BY = {"id": _FACTS.where(_projects.c.id.in_(_IDS)),
             "code": _FACTS.where(_projects.c.project_code.in_(_IDS))}


def visible(ctx: Context, rows: Sequence[NamesProject]
            ) -> tuple[dict[int, Known], dict[str, Known]]:
    """The projects the rows name, among those the user may see."""
    conn = ctx.session.connection()
    by_id: dict[int, Known] = {}
    by_code: dict[str, Known] = {}
    for by, keys in (("id", {r.project_id for r in rows if r.project_id is not None}),
                     ("code", {r.project_code for r in rows if r.project_code is not None})):
        keys = sorted(keys)
        for start in range(0, len(keys), CHUNK):
            for *facts, recommender, receiver in conn.execute(
                    _FACTS_BY[by], {"ids": keys[start:start + CHUNK]}):
                known = seen(ctx, Known(*facts), recommender, receiver)
                if known is not None:
                    by_id[known.id] = known
                    if known.project_code is not None:
                        by_code[known.project_code] = known
    return by_id, by_code


def seen(ctx: Context, known: Known, recommender: str | None, receiver: str | None
         ) -> Known | None:
    """The project, if the user may see it (its host, or a party of its live agreement)."""
    if can_see_project(ctx.actor, known.host_code,
                       () if recommender is None else (recommender, receiver)):
        return known
    return None


def project_of(row: NamesProject, by_id: dict[int, Known], by_code: dict[str, Known],
               refuse: Callable[[str, DomainError], None]) -> Known | None:
    """The row's project, by id or by code (both: they must agree)."""
    found_by_id = found_by_code = None
    if row.project_id is not None:
        found_by_id = by_id.get(row.project_id)
        if found_by_id is None:
            refuse("project_id", NotFound("resource.not_found", what="project",
                                          key=row.project_id))
    if row.project_code is not None:
        found_by_code = by_code.get(row.project_code)
        if found_by_code is None:
            refuse("project_code", NotFound("resource.not_found", what="project",
                                            key=row.project_code))
    if found_by_id and found_by_code and found_by_id.id != found_by_code.id:
        refuse("project_code", Invalid("import.project_mismatch", project_id=row.project_id,
                                       project_code=row.project_code))
        return None
    if (row.project_id is not None and found_by_id is None) or \
            (row.project_code is not None and found_by_code is None):
        return None
    return found_by_id or found_by_code


def acting_on(ctx: Context, row: NamesProject, by_id: dict[int, Known], by_code: dict[str, Known],
              may: Callable[[Actor, str], bool], refuse: Callable[[str, DomainError], None]
              ) -> tuple[Known, str] | None:
    """The row's project and the column that names it, when the user `may` act on it (the
    host region, or who else `may` admits); None, refused, else."""
    project = project_of(row, by_id, by_code, refuse)
    if project is None:
        return None
    column = "project_id" if row.project_id is not None else "project_code"
    if not may(ctx.actor, project.host_code):
        refuse(column, Forbidden("forbidden.host_only"))
        return None
    return project, column
