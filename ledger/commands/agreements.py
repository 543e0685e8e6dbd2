"""Investment transfer agreements: creation, edits, the filing workflow and amendments.

The host region opens an agreement (as the receiving party) and names the recommender, who
confirms or declines it; the host may withdraw a chain that was never filed. Every workflow
action is a row of ledger.domain.workflow.STEPS, taken by `take`: who may take it (the policy's
403), what the newest version's state allows (409) and what it records are the table's; filing
numbers the version, cuts back earlier ones (ledger.domain.coverage) and re-attributes the
project's reports."""

from __future__ import annotations

import sqlalchemy as sa

from ledger import postings
from ledger.commands import notify
from ledger.commands.common import audit, check_row_version
from ledger.context import Context
from ledger.commands.inputs import AgreementInput, TermsInput
from ledger.db import writing
from ledger.domain import coverage, dates, workflow
from ledger.domain.enums import Ending, Stage, VersionStatus
from ledger.domain.dates import raise_invalid
from ledger.domain.errors import Conflict, Invalid, PreconditionRequired, Problem, missing
from ledger.models import Agreement, AgreementEvent, AgreementVersion, Project, Region
from ledger.postings.journal import record
from ledger.domain.workflow import Who
from ledger.policy import require_filing_body, require_host, require_standing
from ledger.queries.lookup import visible_agreement, visible_project
from ledger.queries.reference import ancestors

TERMS = ("recommender_share", "first_year", "last_year", "signed_on", "recommender_signatory",
         "receiver_signatory", "reason")


def _terms(inp: TermsInput, base: AgreementVersion | None) -> dict:
    """The complete terms of a version: those sent, the rest from `base` (the version edited
    or amended). A line whose share is not given takes completed investment's, unless `base`
    agreed it apart."""
    out = inp.given()
    if base is not None:
        for key in TERMS:
            out.setdefault(key, getattr(base, key))
        if base.funds_share != base.recommender_share:
            out.setdefault("funds_share", base.funds_share)
    out.setdefault("last_year", None)
    if "recommender_share" in out:
        out.setdefault("funds_share", out["recommender_share"])
    absent = [f for f in ("recommender_share", "first_year", "signed_on", "reason") if f not in out]
    if "recommender_signatory" not in out:
        absent.append("signatories")
    if absent:
        raise missing(absent)
    reversed_ = dates.years_reversed(out["first_year"], out["last_year"])
    if reversed_ is not None:  # the request's own years are the schema's; these the merged ones
        raise Invalid(reversed_.code, field="last_year")
    return out


def _date_problems(ctx: Context, terms: dict, project_id: int) -> dict[str, list[Problem]]:
    """The rules of the terms' dates (ledger.domain.dates): signed by today, and covering no
    year before the project's signing."""
    signed_on = ctx.session.scalar(sa.select(Project.signed_on).where(Project.id == project_id))
    return dates.agreement_problems(terms.get("first_year"), terms.get("signed_on"), signed_on,
                                    ctx.today())


def _dated(ctx: Context, terms: dict, project_id: int) -> dict:
    """The terms, once their dates keep the rules."""
    raise_invalid(_date_problems(ctx, terms, project_id))
    return terms


def _record(ctx: Context, agreement: Agreement, v: AgreementVersion, action: str,
            before: dict | None, reason: str | None = None) -> None:
    """The workflow event and the journal entry of one change of version `v` (the entry holds
    the version and its chain as they are now, and the action's reason) — both at one time."""
    now = ctx.now()
    event = AgreementEvent(
        agreement_id=agreement.id, version=v.version, action=action,
        from_status=before["status"] if before else None, to_status=v.status,
        actor_id=ctx.actor.id, actor_role=ctx.actor.role, actor_region=ctx.actor.region_code,
        reason=reason, at=now)
    ctx.session.add(event)
    ctx.session.flush()
    notify.noted(ctx.session, agreement_events=[event.id])  # mailed once it commits
    ctx.session.expire(agreement, ["events"])  # reload the history with the new event
    after = record("version", v) | record("chain", agreement) | (
        {"action_reason": reason} if reason is not None else {})
    audit(ctx, f"agreement.{action}", "agreement", agreement.number, before, after, at=now)


def create_agreement(ctx: Context, inp: AgreementInput) -> Agreement:
    """The host region opens an agreement naming the recommender; version 1 is a draft it has
    proposed, waiting for the recommender to confirm or decline."""
    terms = _terms(inp.terms, None)
    with writing(ctx.session) as session:
        # A project the user may not see answers exactly like one that does not exist.
        project = visible_project(session, ctx.actor, inp.project_id)
        require_host(ctx.actor, project.host_code)
        receiver = inp.receiver_code or project.host_code
        if receiver != project.host_code:
            raise Invalid("agreement.receiver_not_host", field="receiver_code", host=project.host_code)
        problems = _party_problems(ctx, project, inp.recommender_code)
        if problems:  # with those of the dates: a form shows them all in one submit
            raise_invalid(problems | _date_problems(ctx, terms, project.id))
        if project.stage == Stage.CANCELLED:
            raise Conflict("agreement.project_cancelled", field="project_id")
        _dated(ctx, terms, project.id)
        existing = session.scalar(sa.select(Agreement).where(Agreement.project_id == project.id,
                                                             Agreement.is_live))
        if existing is not None:
            raise Conflict("agreement.exists", field="project_id", number=existing.number)
        agreement = Agreement(number=_next_number(ctx), project_id=project.id,
                              recommender_code=inp.recommender_code, receiver_code=receiver)
        session.add(agreement)
        session.flush()
        agreement.row_version += 1  # the ETag counts every change of the chain, this one too
        v = AgreementVersion(agreement_id=agreement.id, version=1, **terms)
        workflow.opening().apply(v)
        session.add(v)
        session.flush()
        session.refresh(agreement, ["versions"])
        _record(ctx, agreement, v, "create", None)
    return agreement


def _party_problems(ctx: Context, project: Project, recommender_code: str) -> dict[str, list[Problem]]:
    """The recommender named: an existing region, neither the host nor one above it."""
    if ctx.session.get(Region, recommender_code) is None:
        return {"recommender_code": [Problem("region.unknown")]}
    if recommender_code == project.host_code or \
            recommender_code in ancestors(ctx.session, project.host_code):
        return {"recommender_code": [Problem("agreement.self_referral")]}
    return {}


def terms_problems(ctx: Context, project_id: int, given: dict) -> dict[str, list[Problem]]:
    """What this command would refuse of the values a form's schema accepted (`given`, field →
    typed value; the others were refused already), read without writing: a form shows them with
    the schema's problems in the same submit."""
    project = visible_project(ctx.session, ctx.actor, project_id)
    problems = _date_problems(ctx, given, project.id)
    if given.get("recommender_code"):
        problems |= _party_problems(ctx, project, given["recommender_code"])
    return problems


def _next_number(ctx: Context) -> str:
    prefix = f"XY-{ctx.today().year}-"
    count = ctx.session.scalar(sa.select(sa.func.count()).where(Agreement.number.like(f"{prefix}%")))
    return f"{prefix}{count + 1:04d}"


def _changing(agreement: Agreement, row_version: int | None) -> None:
    """Every workflow action names the terms it acts on: the agreement's row version (its ETag,
    covering all versions) as the caller read it — nobody confirms, files or returns terms other
    than those they saw (428 without it, 412 when stale)."""
    if row_version is None:
        raise PreconditionRequired("resource.version_required")
    check_row_version(agreement.row_version, row_version)
    agreement.row_version += 1


def _acting(ctx: Context, action: str, agreement_id: int,
            row_version: int | None) -> tuple[Agreement, workflow.Standing]:
    """The agreement, once the actor is one whom the table lets take `action` (403) and names
    the version it saw (428, 412). A filing body's right is its role's: refused before the
    agreement is looked up; a party's, after (404 for an agreement the user may not see)."""
    who = workflow.STEP[action].who
    if who is Who.FILING_BODY:
        require_filing_body(ctx.actor)
    agreement = visible_agreement(ctx.session, ctx.actor, agreement_id)
    standing = require_standing(ctx.actor, who, agreement.recommender_code, agreement.receiver_code)
    _changing(agreement, row_version)
    return agreement, standing


def take(ctx: Context, agreement_id: int, action: str, row_version: int | None, *,
         reason: str | None = None, terms: TermsInput | None = None) -> Agreement:
    """Take one of the workflow's offered actions on the agreement's newest version (or, for
    amend, make the next version): the reason or terms the table says it needs, its event and
    audit row. A status that ends the chain frees the project (Agreement.ended_as)."""
    step = workflow.STEP[action]
    with writing(ctx.session) as session:
        agreement, standing = _acting(ctx, action, agreement_id, row_version)
        newest = agreement.newest
        transition = workflow.take(action, standing, workflow.state_of(agreement), ctx.now(),
                                   reason)
        if step.needs is workflow.Needs.TERMS:
            transition = transition.setting(
                _dated(ctx, _terms(terms, newest), agreement.project_id))
        if step.new_version:
            v = AgreementVersion(agreement_id=agreement.id, version=newest.version + 1)
            transition.apply(v)
            session.add(v)
            session.flush()
            session.refresh(agreement, ["versions"])
            _record(ctx, agreement, v, action, None)
            return agreement
        if transition.status == VersionStatus.FILED:
            return _filing(ctx, agreement, newest, transition)
        if transition.status in workflow.ENDINGS:
            agreement.ended_as = Ending(transition.status)
        before = record("version", newest)
        transition.apply(newest)
        _record(ctx, agreement, newest, action, before,
                reason if step.needs is workflow.Needs.REASON else None)
    return agreement


def edit_agreement(ctx: Context, agreement_id: int, inp: TermsInput,
                   row_version: int | None) -> Agreement:
    """Change the terms of a draft or returned version; it goes back to draft and the other
    party has to confirm again."""
    return take(ctx, agreement_id, "edit", row_version, terms=inp)


def confirm(ctx: Context, agreement_id: int, row_version: int | None) -> Agreement:
    return take(ctx, agreement_id, "confirm", row_version)


def submit(ctx: Context, agreement_id: int, row_version: int | None) -> Agreement:
    return take(ctx, agreement_id, "submit", row_version)


def return_(ctx: Context, agreement_id: int, reason: str,
            row_version: int | None) -> Agreement:
    return take(ctx, agreement_id, "return", row_version, reason=reason)


def withdraw(ctx: Context, agreement_id: int, row_version: int | None) -> Agreement:
    """The host ends a chain that was never filed (draft or returned): the project is free for
    a new agreement and the recommender no longer sees it."""
    return take(ctx, agreement_id, "withdraw", row_version)


def decline(ctx: Context, agreement_id: int, reason: str,
            row_version: int | None) -> Agreement:
    """The recommender refuses the draft naming it, with a reason; the project is free for a
    new agreement and the recommender no longer sees it."""
    return take(ctx, agreement_id, "decline", row_version, reason=reason)


def acknowledge(ctx: Context, agreement_id: int, row_version: int | None) -> Agreement:
    """A filing body acknowledges; the second acknowledgement files the version."""
    return take(ctx, agreement_id, "acknowledge", row_version)


def amend(ctx: Context, agreement_id: int, inp: TermsInput,
          row_version: int | None) -> Agreement:
    """Propose version n+1 (a new ratio, end year or a termination); it starts as a draft
    confirmed by the amending party."""
    return take(ctx, agreement_id, "amend", row_version, terms=inp)


def _filing(ctx: Context, agreement: Agreement, v: AgreementVersion,
            transition: workflow.Transition) -> Agreement:
    """The acknowledgement that files `v`: it gets a filing number, earlier versions are
    superseded and the ledger is re-attributed."""
    filing, cut = _file(ctx, agreement, v)
    before = record("version", v)
    transition.setting(filing).apply(v)
    # Re-attribute first: the journal entries cover it.
    years = postings.project_years(ctx.session, agreement.project_id)
    postings.reconcile(ctx.session, [(agreement.project_id, y) for y in years],
                       f"filing:{agreement.number} v{v.version}", ctx.now())
    _record(ctx, agreement, v, "acknowledge", before)
    for old, old_before in cut:
        # The earlier version changed too (status, superseded_from): its own event and entry.
        _record(ctx, agreement, old, "supersede", old_before)
    return agreement


def _file(ctx: Context, agreement: Agreement,
          v: AgreementVersion) -> tuple[dict, list[tuple[AgreementVersion, dict]]]:
    """The filing fields of `v` (number, date), after cutting back earlier versions; returns
    also those cut, each with its audit snapshot from before the cut."""
    earlier = [x for x in agreement.versions
               if x.version != v.version and x.status in workflow.COUNTS_FOR_COVERAGE]
    before_terms = [x.term for x in earlier]
    after_terms = coverage.file(before_terms, v.term)
    touched = coverage.changed_years(before_terms, after_terms, postings.closed_years(ctx.session))
    if touched:
        raise Conflict("agreement.closed_year_coverage", years=", ".join(map(str, sorted(touched))))
    filed_on = ctx.today()
    seq = (ctx.session.scalar(sa.select(sa.func.max(AgreementVersion.filing_seq))
                              .where(AgreementVersion.filing_year == filed_on.year)) or 0) + 1
    filing = {"filing_year": filed_on.year, "filing_seq": seq, "filed_on": filed_on,
              "filing_number": f"{ctx.settings.filing_prefix}〔{filed_on.year}〕{seq}号"}
    cut = []
    for old, term in zip(earlier, after_terms):
        if term.superseded_from != old.superseded_from:
            before = record("version", old)
            workflow.supersede(term.superseded_from).apply(old)
            cut.append((old, before))
    return filing, cut

