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


def visible_agreement(session: Session, actor: Actor, agreement_id: int) -> Agreement:
    agreement = session.get(Agreement, agreement_id) if type(agreement_id) is int else None
    if agreement is None or not can_see_agreement(actor, agreement.recommender_code,
                                                  agreement.receiver_code):
        raise NotFound("resource.not_found", what="agreement", key=agreement_id)
    return agreement
