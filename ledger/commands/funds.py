"""Funds in place (招商引资实际到位资金): the receipts of a project, by its host region.

A receipt comes alone (POST …/funds) or by the file (POST /funds/import, `ledger import
--funds`): a batch of rows through the same two steps as a monthly report
(ledger.commands.reports), in one transaction:

  check(ctx, rows, may_record) → (checked, refusals)   every rule, every problem of every row
  write(ctx, checked)                                  the receipts, their first revisions, the
                                                       postings of each project-year on the
                                                       funds line, the source moves and one
                                                       journal entry each

A single receipt raises its first refusal; an import raises them all, each named by row and
column. A receipt is then corrected (PATCH, with a reason) or voided (with a reason): each a new
revision, the earlier ones kept (FundsRevision), journaled before → after, the project-years it
leaves and enters reconciled. Evidence files (凭证) are added to a receipt with their SHA-256.

Every write that changes what counts also records, per year, host and source, how much it moved
(FundsSourceMove) and moves the running sum of those in the host's funds balance (Balance's
in_place by source): the split by source of the in-place funds, which the postings do not
carry, as it stands (in the balance row the attribution reads anyway) or as of any time (one
grouped scan of the moves).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from ledger import postings
from ledger.commands import notify
from ledger.commands.batch import Known, Refusal, acting_on, visible
from ledger.commands.common import audit, check_row_version, read_then_lock_heads, who
from ledger.commands.inputs import EvidenceUpload, FundsChange, FundsRow
from ledger.context import Context
from ledger.db import adding, writing
from ledger.domain import dates, evidence, limits
from ledger.domain.enums import Indicator, Stage
from ledger.domain.errors import Conflict, DomainError, Invalid, NotFound
from ledger.domain.money import format_amount
from ledger.domain.periods import period_of
from ledger.models import (
    Balance, FundsEvidence, FundsReceipt, FundsRevision, FundsSourceMove, Posting,
)
from ledger.models.posting import BY_SOURCE
from ledger.policy import Actor, is_host, require_host
from ledger.postings.balances import SUMMED
from ledger.postings.journal import Heads
from ledger.queries.lookup import visible_project

FUNDS = (Indicator.FUNDS_IN_PLACE,)
MayRecord = Callable[[Actor, str], bool]  # (actor, host_code) → may record for the project
Progress = Callable[[int, int], None]     # (rows written so far, rows to write)
# What a revision records of a receipt (the journal's `after`, the revision's row).
RECEIPT_FIELDS = ("received_on", "amount", "source", "payer", "note", "voided")
# (year, host code, source) → amount: how a write moves the in-place funds by source
Moves = Counter[tuple[int, str, str]]


@dataclass(frozen=True)
class Checked:
    """A row that passed every check: the project visible, the user may record for it, it is
    not cancelled, the day neither in the future nor before the project was signed, its year
    open."""

    project_id: int
    host_code: str  # read with the journal head the write is checked against: the postings' host
    received_on: date
    amount: int
    source: str
    payer: str
    note: str


@dataclass
class Summary:
    rows: int = 0        # rows in the batch
    created: int = 0     # receipts recorded
    postings: int = 0    # postings appended


@dataclass
class FundsResult:
    receipt: FundsReceipt
    postings: list[Posting] = field(default_factory=list)


# ------------------------------------------------------------------ one receipt

def record_funds(ctx: Context, row: FundsRow) -> FundsResult:
    """Record one receipt of a project the user hosts; its first refusal is raised."""
    def refuse(refusals: list[Refusal]) -> None:
        if refusals:
            raise refusals[0].error

    with writing(ctx.session, late_lock=True):
        ids, written = submit(ctx, [row], is_host, refuse)
        return FundsResult(ctx.session.get(FundsReceipt, ids[0]),
                           [Posting(**p) for p in written])


def correct_funds(ctx: Context, project_id: int, receipt_id: int, change: FundsChange,
                  row_version: int | None) -> FundsResult:
    """A new revision of a receipt with the fields changed (a reason required), re-checked
    like a new one; the year it leaves and the year it enters must both be open."""
    given = {k: v for k, v in change.given().items() if k != "reason"}
    with writing(ctx.session) as session:
        receipt, project = _changing(ctx, project_id, receipt_id, row_version)
        after = _now(receipt) | given
        if after == _now(receipt):
            raise Invalid("funds.unchanged")
        problems = _rules(ctx, project, after["received_on"], postings.closed_years(session))
        if problems:
            raise problems[0][1]
        return _revise(ctx, receipt, project.host_code, after, change.reason, "funds.correct")


def void_funds(ctx: Context, project_id: int, receipt_id: int, reason: str,
               row_version: int | None) -> FundsResult:
    """A last revision that takes the receipt out of the figures, with why; it stays readable."""
    with writing(ctx.session):
        receipt, project = _changing(ctx, project_id, receipt_id, row_version)
        return _revise(ctx, receipt, project.host_code, _now(receipt) | {"voided": True}, reason,
                       "funds.void")


def add_evidence(ctx: Context, project_id: int, receipt_id: int,
                 upload: EvidenceUpload) -> FundsEvidence:
    """Keep an evidence file of a receipt (PDF, JPEG or PNG, recognised by its content), its
    SHA-256 journaled."""
    media_type = evidence.media_type(upload.filename, upload.content)
    with writing(ctx.session) as session:
        receipt, _ = _changing(ctx, project_id, receipt_id, None)
        count = session.scalar(sa.select(sa.func.count()).select_from(FundsEvidence)
                               .where(FundsEvidence.receipt_id == receipt.id))
        if count >= limits.EVIDENCE_FILES:
            raise Conflict("evidence.too_many", field="file", max=limits.EVIDENCE_FILES)
        now = ctx.now()
        file = FundsEvidence(receipt_id=receipt.id, kind=upload.kind,
                             filename=upload.filename, media_type=media_type,
                             size=len(upload.content),
                             sha256=hashlib.sha256(upload.content).hexdigest(),
                             content=upload.content, uploaded_by=ctx.actor.id, uploaded_at=now)
        session.add(file)
        session.flush()
        audit(ctx, "funds.evidence", "funds_receipt", receipt.id, None, {
            "evidence_id": file.id, "kind": file.kind, "filename": file.filename,
            "media_type": file.media_type, "size": file.size, "sha256": file.sha256}, at=now)
    return file


def _changing(ctx: Context, project_id: int, receipt_id: int,
              row_version: int | None) -> tuple[FundsReceipt, Known]:
    """The receipt of a project the user may see (404 alike), which the user hosts (403), not
    voided (409), at the revision the caller read (412)."""
    session = ctx.session
    project = visible_project(session, ctx.actor, project_id)
    receipt = session.get(FundsReceipt, receipt_id) if type(receipt_id) is int else None
    if receipt is None or receipt.project_id != project.id:
        raise NotFound("resource.not_found", what="funds", key=receipt_id)
    require_host(ctx.actor, project.host_code)
    if receipt.voided:
        raise Conflict("funds.voided")
    check_row_version(receipt.revision, row_version)
    return receipt, Known(project.id, project.project_code, project.host_code, project.stage,
                          project.signed_on, project.started_on)


def _now(receipt: FundsReceipt) -> dict:
    return {k: getattr(receipt, k) for k in RECEIPT_FIELDS}


def _revise(ctx: Context, receipt: FundsReceipt, host_code: str, after: dict, reason: str,
            action: str) -> FundsResult:
    session = ctx.session
    closed = postings.closed_years(session)
    leaves, enters = receipt.year, after["received_on"].year
    for year in sorted({leaves, enters}):
        if year in closed:
            raise Conflict("year.closed", field="received_on", year=year)
    before = _journaled(receipt.project_id, receipt.revision, _now(receipt))
    now = ctx.now()
    # out as it stands (_changing refuses a void receipt), in as revised unless void
    moves: Moves = Counter({(leaves, host_code, receipt.source): -receipt.amount})
    if not after["voided"]:
        moves[(enters, host_code, after["source"])] += after["amount"]
    receipt.revision += 1
    for k, v in after.items():
        setattr(receipt, k, v)
    receipt.period, receipt.year = period_of(receipt.received_on), receipt.received_on.year
    receipt.recorded_by, receipt.recorded_at = ctx.actor.id, now
    session.add(FundsRevision(receipt_id=receipt.id, revision=receipt.revision, reason=reason,
                              recorded_by=ctx.actor.id, recorded_at=now, **after))
    session.flush()
    appender = postings.Append(session, now)
    planned = postings.plan(session, [(receipt.project_id, y) for y in sorted({leaves, enters})],
                            lines=FUNDS)
    rows = [r for p in planned for r in appender.postings(p, f"funds:{receipt.id} r{receipt.revision}")]
    appender.entry(**who(ctx.actor), at=now, action=action, entity="funds_receipt",
                   entity_id=str(receipt.id), before=before,
                   after=_journaled(receipt.project_id, receipt.revision, after, reason,
                                    [r["seq"] for r in rows]))
    appender.flush()
    _move_sources(session.connection(), moves, now)
    return FundsResult(receipt, [Posting(**r) for r in rows])


_MOVES = FundsSourceMove.__table__
_BALANCE_KEY = ("year", "indicator", "region_code")
# The three figures are the postings' (added as zero here: the row is the postings' own,
# or else made here with them at zero), the source columns the moves'.
_BALANCE_ADDED = (*SUMMED, *BY_SOURCE.values())


def _move_sources(conn: sa.Connection, moves: Moves, at: datetime) -> None:
    """Record how a write moved the in-place funds by source, under the host of the postings
    it wrote (the project's host then), and move the host's funds balance by source by as
    much: each year's moves sum per host to its in-place funds."""
    rows = [{"year": year, "host_code": host, "source": source, "amount": amount}
            for (year, host, source), amount in sorted(moves.items()) if amount]
    if not rows:
        return
    conn.execute(_MOVES.insert(), [r | {"recorded_at": at} for r in rows])
    by_host: dict[tuple[int, str], dict[str, int]] = {}
    for r in rows:
        added = by_host.setdefault((r["year"], r["host_code"]), dict.fromkeys(_BALANCE_ADDED, 0))
        added[BY_SOURCE[r["source"]]] += r["amount"]
    line = str(Indicator.FUNDS_IN_PLACE)
    adding(Balance.__table__, _BALANCE_KEY, _BALANCE_ADDED, conn.dialect.name).run_many(conn, [
        {"year": year, "indicator": line, "region_code": host} | added
        for (year, host), added in by_host.items()])


def _journaled(project_id: int, revision: int, values: dict, reason: str | None = None,
               seqs: list[int] | None = None) -> dict:
    """A revision as the journal records it (ledger.postings.replay reads it back)."""
    out = {"project_id": project_id, "revision": revision,
           "received_on": values["received_on"].isoformat(),
           "amount": format_amount(values["amount"]), "source": values["source"],
           "payer": values["payer"], "note": values["note"], "voided": values["voided"],
           "reason": reason}
    return out if seqs is None else out | {"postings": seqs}


# ------------------------------------------------------------------ the pipeline

def submit(ctx: Context, rows: Sequence[FundsRow], may_record: MayRecord,
           refuse: Callable[[list[Refusal]], None], *,
           progress: Progress | None = None) -> tuple[list[int], list[dict]]:
    """Check and write a batch in one write transaction; `refuse(refusals)` raises if it may
    not be written. Returns the receipts' ids (in the order of the rows) and the postings."""
    with writing(ctx.session, late_lock=True) as session:
        def read() -> list[Checked]:
            checked, refusals = check(ctx, rows, may_record)
            refuse(refusals)
            return checked

        checked, heads = read_then_lock_heads(session, read)
        return write(ctx, checked, heads, progress=progress)


def check(ctx: Context, rows: Sequence[FundsRow], may_record: MayRecord
          ) -> tuple[list[Checked], list[Refusal]]:
    """Every rule of every row, every problem collected in the order of the rows; reads only.
    A project the user may not see is refused exactly like one that does not exist."""
    by_id, by_code = visible(ctx, rows)
    closed = postings.closed_years(ctx.session)
    refusals: list[Refusal] = []
    checked: list[Checked] = []
    for row in rows:
        def refuse(field_: str, error: DomainError) -> None:
            refusals.append(Refusal(row.row, field_, error))

        found = acting_on(ctx, row, by_id, by_code, may_record, refuse)
        if found is None:
            continue
        project, column = found
        problems = _rules(ctx, project, row.received_on, closed, column)
        for field_, error in problems:
            refuse(field_, error)
        if not problems:
            checked.append(Checked(project.id, project.host_code, row.received_on, row.amount,
                                   row.source, row.payer, row.note))
    return checked, refusals


def _rules(ctx: Context, project: Known, received_on: date, closed: set[int],
           column: str = "project_id") -> list[tuple[str, DomainError]]:
    """What a receipt of `project` on `received_on` breaks: a cancelled project, a day after
    today or before the signing, a year among the `closed`."""
    problems: list[tuple[str, DomainError]] = []
    if project.stage == Stage.CANCELLED:
        problems.append((column, Conflict("funds.project_cancelled")))
    problem = dates.future(received_on, ctx.today())
    if problem is not None:
        problems.append(("received_on", Invalid(problem.code, field="received_on",
                                                **problem.params)))
    elif (problem := dates.received_before_signing(received_on, project.signed_on)) is not None:
        problems.append(("received_on", Conflict(problem.code, field="received_on",
                                                 **problem.params)))
    if received_on.year in closed:
        problems.append(("received_on", Conflict("year.closed", field="received_on",
                                                 year=received_on.year)))
    return problems


_receipts = FundsReceipt.__table__
_INSERT_RETURNING = _receipts.insert().returning(_receipts.c.id, sort_by_parameter_order=True)


def write(ctx: Context, checked: Sequence[Checked], heads: Heads | None = None, *,
          progress: Progress | None = None) -> tuple[list[int], list[dict]]:
    """Under the write lock, in the caller's transaction: the receipts and their first
    revisions, then the postings of every project-year they touch on the funds line, then one
    journal entry per receipt, carrying the postings head after its project-year's postings."""
    session = ctx.session
    conn = session.connection()
    now = ctx.now()
    rows = [{"project_id": c.project_id, "revision": 1, "received_on": c.received_on,
             "period": period_of(c.received_on), "year": c.received_on.year,
             "amount": c.amount, "source": c.source, "payer": c.payer, "note": c.note,
             "voided": False, "recorded_by": ctx.actor.id, "recorded_at": now}
            for c in checked]
    ids = conn.scalars(_INSERT_RETURNING, rows).all() if rows else []
    moves: Moves = Counter()
    for c in checked:
        moves[(c.received_on.year, c.host_code, c.source)] += c.amount
    notify.noted(session, receipts=ids)  # without evidence yet: its host is told, after commit
    revision_keys = ("revision", *RECEIPT_FIELDS, "recorded_by", "recorded_at")
    if rows:
        conn.execute(FundsRevision.__table__.insert(), [
            {"receipt_id": id_, "reason": None, **{k: r[k] for k in revision_keys}}
            for id_, r in zip(ids, rows)])
    groups: dict[tuple[int, int], list[int]] = {}
    for i, c in enumerate(checked):
        groups.setdefault((c.project_id, c.received_on.year), []).append(i)
    appender = postings.Append(session, now, heads)
    planned = {(p.project_id, p.year): p
               for p in postings.plan(session, list(groups), lines=FUNDS)}
    by = who(ctx.actor) | {"at": now, "action": "funds.record", "entity": "funds_receipt"}
    written: list[dict] = []
    done = 0
    for key, members in groups.items():
        posted = []
        if key in planned:
            cause = (f"funds:{ids[members[0]]} r1" if len(members) == 1
                     else f"funds:{key[0]}/{key[1]} ×{len(members)}")
            posted = appender.postings(planned[key], cause)
        written += posted
        seqs = [p["seq"] for p in posted]
        for i in members:
            appender.entry(**by, entity_id=str(ids[i]),
                           after=_journaled(rows[i]["project_id"], 1, rows[i], None, seqs))
        done += len(members)  # the rows of a project-year are written together
        if progress is not None:
            progress(done, len(rows))
    appender.flush()
    _move_sources(conn, moves, now)
    return list(ids), written
