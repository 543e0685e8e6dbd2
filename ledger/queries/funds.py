"""Funds in place (到位资金) as a reader sees them: a project's receipts with their evidence,
a receipt's revisions, an evidence file's bytes — each only for those who may read the project
(NotFound alike when they may not)."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import undefer

from ledger.context import Context
from ledger.domain.errors import NotFound
from ledger.models import FundsEvidence, FundsReceipt, FundsRevision, User
from ledger.queries.lookup import visible_project


@dataclass
class Receipt:
    """A receipt as it stands, with its evidence files (without their bytes) and, when asked
    for, every revision."""

    receipt: FundsReceipt
    evidence: list[FundsEvidence] = field(default_factory=list)
    revisions: list[FundsRevision] = field(default_factory=list)

    def __getattr__(self, name):  # the receipt's own fields read through (schemas, templates)
        return getattr(self.receipt, name)

    @property
    def evidence_missing(self) -> bool:
        """待补充凭证: a receipt that counts has no evidence file yet."""
        return not self.receipt.voided and not self.evidence


def receipts(ctx: Context, project_id: int, *, revisions: bool = False) -> list[Receipt]:
    """The project's receipts, in the order received (then recorded)."""
    visible_project(ctx.session, ctx.actor, project_id)
    rows = ctx.session.scalars(sa.select(FundsReceipt).where(FundsReceipt.project_id == project_id)
                               .order_by(FundsReceipt.received_on, FundsReceipt.id)).all()
    return _with(ctx, rows, revisions)


def receipt(ctx: Context, project_id: int, receipt_id: int) -> Receipt:
    visible_project(ctx.session, ctx.actor, project_id)
    row = ctx.session.get(FundsReceipt, receipt_id) if type(receipt_id) is int else None
    if row is None or row.project_id != project_id:
        raise NotFound("resource.not_found", what="funds", key=receipt_id)
    return _with(ctx, [row], True)[0]


def evidence_file(ctx: Context, project_id: int, receipt_id: int,
                  evidence_id: int) -> FundsEvidence:
    """An evidence file with its bytes, for whoever may read the project."""
    receipt(ctx, project_id, receipt_id)
    file = ctx.session.scalar(sa.select(FundsEvidence).options(undefer(FundsEvidence.content))
                              .where(FundsEvidence.id == evidence_id,
                                     FundsEvidence.receipt_id == receipt_id)) \
        if type(evidence_id) is int else None
    if file is None:
        raise NotFound("resource.not_found", what="evidence", key=evidence_id)
    return file


def _with(ctx: Context, rows: list[FundsReceipt], revisions: bool) -> list[Receipt]:
    out = {r.id: Receipt(r) for r in rows}
    if not out:
        return []
    for file in ctx.session.scalars(sa.select(FundsEvidence)
                                    .where(FundsEvidence.receipt_id.in_(list(out)))
                                    .order_by(FundsEvidence.id)):
        out[file.receipt_id].evidence.append(file)
    if revisions:
        for rev in ctx.session.scalars(sa.select(FundsRevision)
                                       .where(FundsRevision.receipt_id.in_(list(out)))
                                       .order_by(FundsRevision.receipt_id, FundsRevision.revision)):
            out[rev.receipt_id].revisions.append(rev)
    return list(out.values())


def usernames(ctx: Context, found: list[Receipt]) -> dict[int, str]:
    """The users who recorded the receipts' revisions and uploaded their evidence, by id (the
    修改记录 names who changed what)."""
    ids = {r.recorded_by for x in found for r in x.revisions} \
        | {e.uploaded_by for x in found for e in x.evidence}
    ids.discard(None)
    if not ids:
        return {}
    return dict(ctx.session.execute(sa.select(User.id, User.username).where(User.id.in_(ids))).all())
