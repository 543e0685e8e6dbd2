"""Regions, zones, zone matching and the GB/T 4754 industry table."""

from __future__ import annotations

import sqlalchemy as sa
from flask_smorest import abort

from ledger import get_session
from ledger.api.support import actor, api_blueprint, idempotent, if_match, paginate, with_etag
from ledger.domain import codes
from ledger.models import Region, Zone
from ledger.policy import require_admin
from ledger.schemas.requests import IndustryQuery, RegionCreate, ZoneCreate, ZoneMatchQuery, ZonePatch
from ledger.schemas.resources import IndustrySchema, RegionSchema, ZoneMatchSchema, ZoneSchema
from ledger.services import reference

blp = api_blueprint("reference", "Regions, zones and industries")


@blp.route("/regions")
@blp.response(200, RegionSchema(many=True))
@blp.paginate()
def list_regions(pagination_parameters):
    return paginate(sa.select(Region).order_by(Region.code), pagination_parameters)


@blp.route("/regions", methods=["POST"])
@idempotent
@blp.arguments(RegionCreate)
@blp.response(201, RegionSchema)
def post_region(data):
    return reference.create_region(get_session(), actor(), data)


@blp.route("/regions/<string:code>")
@blp.response(200, RegionSchema)
def get_region(code: str):
    region = get_session().get(Region, code)
    if region is None:
        abort(404, message=f"region {code} not found")
    return region


@blp.route("/zones")
@blp.response(200, ZoneSchema(many=True))
@blp.paginate()
def list_zones(pagination_parameters):
    return paginate(sa.select(Zone).order_by(Zone.id), pagination_parameters)


@blp.route("/zones", methods=["POST"])
@idempotent
@blp.arguments(ZoneCreate)
@blp.response(201, ZoneSchema)
def post_zone(data):
    zone = reference.create_zone(get_session(), actor(), data)
    return with_etag(ZoneSchema().dump(zone), zone.row_version, 201)


@blp.route("/zones/match")
@blp.arguments(ZoneMatchQuery, location="query")
@blp.response(200, ZoneMatchSchema(many=True))
def match_zones(args):
    """Zones whose leading industries cover the code and whose restricted list does not,
    the closest leading-industry match first."""
    code = codes.validate_industry(args["industry"], field="industry")
    matches = []
    for zone in get_session().scalars(sa.select(Zone).order_by(Zone.id)):
        length = codes.best_cover_length(zone.leading_industries, code)
        if length and not any(codes.covers(r, code) for r in zone.restricted_industries):
            matches.append((length, zone))
    matches.sort(key=lambda m: (-m[0], m[1].id))
    return [ZoneSchema().dump(z) | {"match_length": n} for n, z in matches]


@blp.route("/zones/<int:zone_id>")
@blp.response(200, ZoneSchema)
def get_zone(zone_id: int):
    zone = get_session().get(Zone, zone_id)
    if zone is None:
        abort(404, message=f"zone {zone_id} not found")
    return with_etag(ZoneSchema().dump(zone), zone.row_version)


@blp.route("/zones/<int:zone_id>", methods=["PATCH"])
@blp.arguments(ZonePatch)
@blp.response(200, ZoneSchema)
def patch_zone(data, zone_id: int):
    """Change a zone (needs If-Match)."""
    require_admin(actor())
    zone = reference.update_zone(get_session(), actor(), zone_id, data,
                                 row_version=if_match(required=True))
    return with_etag(ZoneSchema().dump(zone), zone.row_version)


@blp.route("/industries")
@blp.arguments(IndustryQuery, location="query")
@blp.response(200, IndustrySchema(many=True))
def list_industries(args):
    """The GB/T 4754-2017 sections (门类) and divisions (大类); `q` filters by code or name."""
    q = args.get("q", "").strip()
    rows = codes.industries()
    return [r for r in rows if not q or r["code"].startswith(q.upper()) or q in r["name"]]
