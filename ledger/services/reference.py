"""Regions and zones: reference data kept by administrators."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.db import writing
from ledger.domain import codes
from ledger.domain.errors import Conflict, Invalid
from ledger.models import Project, Region, Zone
from ledger.models.enums import ZONE_KINDS, ZONE_LEVELS
from ledger.policy import Actor, require_admin
from ledger.services.common import (
    audit, check_row_version, get_or_404, reject_unknown, snapshot, text,
)

REGION_FIELDS = ("code", "name", "level", "parent_code")
ZONE_FIELDS = ("name", "level", "kind", "region_code", "blocks", "leading_industries",
               "restricted_industries")
MAX_BLOCKS = 3


def create_region(session: Session, actor: Actor, data: dict) -> Region:
    require_admin(actor)
    reject_unknown(data, REGION_FIELDS)
    code, level = data.get("code"), data.get("level")
    parent_code = data.get("parent_code") or None
    if not isinstance(code, str):
        raise Invalid("is required", field="code")
    if level not in codes.LEVELS:
        raise Invalid(f"must be one of {', '.join(codes.LEVELS)}", field="level")
    codes.validate_region(code, level, parent_code)
    name = text(data.get("name"), "name", max_len=100)
    with writing(session):
        if session.get(Region, code) is not None:
            raise Conflict(f"region {code} already exists", field="code")
        if parent_code is not None and session.get(Region, parent_code) is None:
            raise Invalid(f"parent region {parent_code} does not exist", field="parent_code")
        region = Region(code=code, name=name, level=level, parent_code=parent_code)
        session.add(region)
        session.flush()
        audit(session, actor, "region.create", "region", code, None, snapshot(region, REGION_FIELDS))
    return region


def ancestors(session: Session, code: str) -> list[str]:
    """The codes above a region, nearest first."""
    out: list[str] = []
    region = session.get(Region, code)
    while region is not None and region.parent_code is not None and region.parent_code not in out:
        out.append(region.parent_code)
        region = session.get(Region, region.parent_code)
    return out


def _industry_list(value, field: str) -> list[str]:
    if not isinstance(value, list):
        raise Invalid("must be a list of GB/T 4754 codes", field=field)
    out = []
    for i, code in enumerate(value):
        if not isinstance(code, str):
            raise Invalid(f"item {i + 1} must be a string", field=field)
        codes.validate_industry(code, field=field)
        if code in out:
            raise Invalid(f"{code} is listed twice", field=field)
        out.append(code)
    return out


def _zone_values(session: Session, data: dict) -> dict:
    values = dict(data)
    if "name" in data:
        values["name"] = text(data["name"], "name", max_len=100)
    if "level" in data and data["level"] not in ZONE_LEVELS:
        raise Invalid(f"must be one of {', '.join(ZONE_LEVELS)}", field="level")
    if "kind" in data and data["kind"] not in ZONE_KINDS:
        raise Invalid(f"must be one of {', '.join(ZONE_KINDS)}", field="kind")
    if "region_code" in data:
        if not isinstance(data["region_code"], str) or session.get(Region, data["region_code"]) is None:
            raise Invalid("no such region", field="region_code")
    if "blocks" in data:
        blocks = data["blocks"]
        if not isinstance(blocks, list) or not all(isinstance(b, str) and b.strip() for b in blocks):
            raise Invalid("must be a list of block names", field="blocks")
        blocks = [b.strip() for b in blocks]
        if len(blocks) > MAX_BLOCKS:
            raise Invalid(f"a zone has at most {MAX_BLOCKS} blocks", field="blocks")
        if len(set(blocks)) != len(blocks):
            raise Invalid("block names must be distinct", field="blocks")
        values["blocks"] = blocks
    for field in ("leading_industries", "restricted_industries"):
        if field in data:
            values[field] = _industry_list(data[field], field)
    return values


def _check_lists(zone: Zone) -> None:
    for lead in zone.leading_industries:
        if any(codes.covers(r, lead) for r in zone.restricted_industries):
            raise Invalid(f"{lead} is both leading and restricted", field="restricted_industries")


def create_zone(session: Session, actor: Actor, data: dict) -> Zone:
    require_admin(actor)
    reject_unknown(data, ZONE_FIELDS)
    missing = [f for f in ("name", "level", "kind", "region_code") if f not in data]
    if missing:
        raise Invalid("missing required field(s)", errors={f: ["is required"] for f in missing})
    with writing(session):
        values = _zone_values(session, data)
        zone = Zone(**({"blocks": [], "leading_industries": [], "restricted_industries": []} | values))
        _check_lists(zone)
        if session.scalar(sa.select(Zone.id).where(Zone.name == zone.name)) is not None:
            raise Conflict(f"a zone named {zone.name} already exists", field="name")
        session.add(zone)
        session.flush()
        audit(session, actor, "zone.create", "zone", zone.id, None, snapshot(zone, ZONE_FIELDS))
    return zone


def update_zone(session: Session, actor: Actor, zone_id: int, data: dict,
                row_version: int | None = None) -> Zone:
    require_admin(actor)
    reject_unknown(data, ZONE_FIELDS)
    with writing(session):
        zone = get_or_404(session, Zone, zone_id, "zone")
        check_row_version(zone.row_version, row_version)
        before = snapshot(zone, ZONE_FIELDS)
        values = _zone_values(session, data)
        if "region_code" in values and values["region_code"] != zone.region_code:
            if session.scalar(sa.select(Project.id).where(Project.zone_id == zone.id).limit(1)):
                raise Conflict("a zone with projects cannot move to another region", field="region_code")
        if "name" in values and values["name"] != zone.name and session.scalar(
                sa.select(Zone.id).where(Zone.name == values["name"])) is not None:
            raise Conflict(f"a zone named {values['name']} already exists", field="name")
        for key, value in values.items():
            setattr(zone, key, value)
        _check_lists(zone)
        session.flush()
        audit(session, actor, "zone.update", "zone", zone.id, before, snapshot(zone, ZONE_FIELDS))
    return zone
