"""Regions and zones: reference data kept by administrators."""

from __future__ import annotations

import sqlalchemy as sa

from ledger.commands.common import audit, check_row_version
from ledger.context import Context
from ledger.commands.inputs import RegionInput, ZoneInput
from ledger.db import writing
from ledger.domain import codes
from ledger.domain.errors import Conflict, Invalid
from ledger.models import Project, Region, Zone
from ledger.postings.journal import record
from ledger.policy import require_admin
from ledger.queries.lookup import get_or_404



def create_region(ctx: Context, inp: RegionInput) -> Region:
    require_admin(ctx.actor)
    with writing(ctx.session) as session:
        if session.get(Region, inp.code) is not None:
            raise Conflict("region.exists", field="code", code=inp.code)
        if inp.parent_code is not None and session.get(Region, inp.parent_code) is None:
            raise Invalid("region.parent_missing", field="parent_code", code=inp.parent_code)
        region = Region(**inp.given())
        session.add(region)
        session.flush()
        audit(ctx, "region.create", "region", region.code, None, record("region", region))
    return region


def _apply(ctx: Context, zone: Zone, inp: ZoneInput) -> None:
    values = inp.given()
    if "region_code" in values and ctx.session.get(Region, values["region_code"]) is None:
        raise Invalid("region.unknown", field="region_code")
    for key, value in values.items():
        setattr(zone, key, value)
    codes.check_industry_lists(zone.leading_industries, zone.restricted_industries)
    if ctx.session.scalar(sa.select(Zone.id).where(Zone.name == zone.name,
                                                   Zone.id != zone.id)) is not None:
        raise Conflict("zone.name_taken", field="name", name=zone.name)


def create_zone(ctx: Context, inp: ZoneInput) -> Zone:
    require_admin(ctx.actor)
    with writing(ctx.session) as session:
        zone = Zone(blocks=[], leading_industries=[], restricted_industries=[])
        _apply(ctx, zone, inp)
        session.add(zone)
        session.flush()
        audit(ctx, "zone.create", "zone", zone.id, None, record("zone", zone))
    return zone


def update_zone(ctx: Context, zone_id: int, inp: ZoneInput, row_version: int | None = None) -> Zone:
    require_admin(ctx.actor)
    with writing(ctx.session) as session:
        zone = get_or_404(session, Zone, zone_id, "zone")
        check_row_version(zone.row_version, row_version)
        before = record("zone", zone)
        moves = inp.given().get("region_code", zone.region_code) != zone.region_code
        if moves and session.scalar(sa.select(Project.id).where(Project.zone_id == zone.id).limit(1)):
            raise Conflict("zone.move_with_projects", field="region_code")
        with session.no_autoflush:  # the name check below must not flush half-changed rows
            _apply(ctx, zone, inp)
        session.flush()
        audit(ctx, "zone.update", "zone", zone.id, before, record("zone", zone))
    return zone
