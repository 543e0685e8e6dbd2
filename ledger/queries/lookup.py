"""Finding one object by id for a user: NotFound (404) both when it does not exist and when the
user may not see it, with the same message — never a hint that it exists."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.domain.errors import NotFound
from ledger.models import Agreement, Project
from ledger.policy import Actor, can_see_agreement, can_see_project


def get_or_404(session: Session, model, key, what: str):
    obj = session.get(model, key) if key is not None else None
    if obj is None:
        raise NotFound("resource.not_found", what=what, key=key)
    return obj


def party_codes(session: Session, project_id: int) -> tuple[str, ...]:
    """The regions party to the project's live agreement, if it has one."""
    row = session.execute(sa.select(Agreement.recommender_code, Agreement.receiver_code)
                          .where(Agreement.project_id == project_id,
                                 Agreement.is_live)).first()
    return tuple(row) if row else ()


def visible_project(session: Session, actor: Actor, project_id: int) -> Project:
    project = session.get(Project, project_id) if type(project_id) is int else None
    if project is None or not can_see_project(actor, project.host_code,
                                              party_codes(session, project.id)):
        raise NotFound("resource.not_found", what="project", key=project_id)
    return project


_projects, _agreements = Project.__table__, Agreement.__table__
# The facts a monthly report checks, and the parties of the project's live agreement (the same
# rows as visible_project and party_codes read), in one statement built once.
_PROJECT_FACTS = (
    sa.select(_projects.c.id, _projects.c.host_code, _projects.c.stage, _projects.c.started_on,
              _agreements.c.recommender_code, _agreements.c.receiver_code)
    .select_from(_projects.outerjoin(_agreements, sa.and_(_agreements.c.project_id == _projects.c.id,
                                                        Agreement.is_live)))
    .where(_projects.c.id == sa.bindparam("id")))


def visible_project_facts(session: Session, actor: Actor, project_id: int) -> sa.Row:
    """visible_project as a plain row (id, host_code, stage, started_on), for the hot path of
    a monthly report: the same rule and the same NotFound, without loading a Project."""
    row = (session.connection().execute(_PROJECT_FACTS, {"id": project_id}).first()
           if type(project_id) is int else None)
    if row is None or not can_see_project(actor, row.host_code, () if row.recommender_code is None
                                          else (row.recommender_code, row.receiver_code)):
        raise NotFound("resource.not_found", what="project", key=project_id)
    return row


def visible_agreement(session: Session, actor: Actor, agreement_id: int) -> Agreement:
    agreement = session.get(Agreement, agreement_id) if type(agreement_id) is int else None
    if agreement is None or not can_see_agreement(actor, agreement.recommender_code,
                                                  agreement.receiver_code):
        raise NotFound("resource.not_found", what="agreement", key=agreement_id)
    return agreement
