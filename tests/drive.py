"""Driving the commands from tests the way an adapter does: raw request values go through the
request schemas into typed input (so a bad value is refused exactly as the API refuses it), with
a Context for the acting user. Commands whose arguments are already typed (close_year …) are
called directly."""

from __future__ import annotations

import sqlalchemy as sa

from ledger.commands import agreements, projects, reference, reports, users, years
from ledger.commands.inputs import ReportInput
from ledger.context import Context
from ledger.domain.periods import parse_period
from ledger.models import Agreement
from ledger.queries import checklist
from ledger.schemas.requests import (
    AgreementCreate, AgreementTerms, InvestmentPut, ProjectCreate, ProjectPatch, ReasonRequest,
    RegionCreate, UserCreate, UserPatch, ZoneCreate, ZonePatch, load,
)


def create_region(ctx: Context, data):
    return reference.create_region(ctx, load(RegionCreate, data))


def create_zone(ctx: Context, data):
    return reference.create_zone(ctx, load(ZoneCreate, data))


def update_zone(ctx: Context, zone_id, data, row_version=None):
    return reference.update_zone(ctx, zone_id, load(ZonePatch, data), row_version)


def create_user(ctx: Context, data):
    return users.create_user(ctx, load(UserCreate, data))


def update_user(ctx: Context, user_id, data, row_version=None):
    return users.update_user(ctx, user_id, load(UserPatch, data), row_version)


def create_project(ctx: Context, data):
    return projects.create_project(ctx, load(ProjectCreate, data))


def update_project(ctx: Context, project_id, data, row_version=None):
    return projects.update_project(ctx, project_id, load(ProjectPatch, data), row_version)


def change_stage(ctx: Context, project_id, stage, stage_on, row_version=None):
    change = load(ProjectPatch, {"stage": stage, "stage_on": stage_on})
    return projects.change_stage(ctx, project_id, change, row_version)


def report(ctx: Context, project_id, period, amount, note=None):
    """PUT /projects/{id}/investments/{period} {amount, note}."""
    body = load(InvestmentPut, {"amount": amount} | ({} if note is None else {"note": note}))
    return reports.report_investment(
        ctx, ReportInput(project_id, parse_period(period), body["amount"], body["note"]))


def create_agreement(ctx: Context, data):
    return agreements.create_agreement(ctx, load(AgreementCreate, data))


# The agreement workflow acts on the version the caller read (If-Match). By default these act
# like a client that has just read the agreement; pass row_version to act on an older read.
READ = object()


def _read(ctx: Context, agreement_id, row_version):
    if row_version is not READ:
        return row_version
    return ctx.session.scalar(sa.select(Agreement.row_version).where(Agreement.id == agreement_id)) \
        if type(agreement_id) is int else None


def edit_agreement(ctx: Context, agreement_id, data, row_version=READ):
    return agreements.edit_agreement(ctx, agreement_id, load(AgreementTerms, data),
                                     _read(ctx, agreement_id, row_version))


def amend(ctx: Context, agreement_id, data, row_version=READ):
    return agreements.amend(ctx, agreement_id, load(AgreementTerms, data),
                            _read(ctx, agreement_id, row_version))


def confirm(ctx: Context, agreement_id, row_version=READ):
    return agreements.confirm(ctx, agreement_id, _read(ctx, agreement_id, row_version))


def submit(ctx: Context, agreement_id, row_version=READ):
    return agreements.submit(ctx, agreement_id, _read(ctx, agreement_id, row_version))


def acknowledge(ctx: Context, agreement_id, row_version=READ):
    return agreements.acknowledge(ctx, agreement_id, _read(ctx, agreement_id, row_version))


def withdraw(ctx: Context, agreement_id, row_version=READ):
    return agreements.withdraw(ctx, agreement_id, _read(ctx, agreement_id, row_version))


def return_(ctx: Context, agreement_id, reason, row_version=READ):
    """POST /agreements/{id}/return {reason}."""
    return agreements.return_(ctx, agreement_id, load(ReasonRequest, {"reason": reason})["reason"],
                              _read(ctx, agreement_id, row_version))


def decline(ctx: Context, agreement_id, reason, row_version=READ):
    """POST /agreements/{id}/decline {reason}."""
    return agreements.decline(ctx, agreement_id, load(ReasonRequest, {"reason": reason})["reason"],
                              _read(ctx, agreement_id, row_version))


def close_year(ctx: Context, year):
    """POST /years/{year}/close confirming the checklist as GET …/checklist shows it now (the
    tests that close a year are about what a closed year does, not about its open items)."""
    shown = checklist.checklist(ctx, year)
    return years.close_year(ctx, year, shown.digest)


def reopen_year(ctx: Context, year, reason):
    """POST /years/{year}/reopen {reason}."""
    return years.reopen_year(ctx, year, load(ReasonRequest, {"reason": reason})["reason"])
