"""Regions, zones, zone matching and the GB/T 4754 industry table."""

from __future__ import annotations

from ledger import current
from ledger.api.support import (
    api_blueprint, ctx, idempotent, if_match, page_args, paginated, with_etag,
)
from ledger.commands import reference
from ledger.policy import require_admin
from ledger.queries import reference as reference_queries
from ledger.queries.pagination import page_of
from ledger.schemas.requests import IndustryQuery, RegionCreate, ZoneCreate, ZoneMatchQuery, ZonePatch
from ledger.schemas.resources import IndustrySchema, RegionSchema, ZoneMatchSchema, ZoneSchema

blp = api_blueprint("reference", "Regions, zones and industries")


@blp.route("/regions")
@blp.response(200, RegionSchema(many=True))
@blp.paginate()
def list_regions(pagination_parameters):
    page = page_of(current.session(), reference_queries.regions(), **page_args(pagination_parameters))
    return paginated(page, pagination_parameters)


@blp.route("/regions", methods=["POST"])
@idempotent
@blp.arguments(RegionCreate)
@blp.response(201, RegionSchema)
def post_region(data):
    return reference.create_region(ctx(), data)


@blp.route("/regions/<string:code>")
@blp.response(200, RegionSchema)
def get_region(code: str):
    return reference_queries.region(current.session(), code)


@blp.route("/zones")
@blp.response(200, ZoneSchema(many=True))
@blp.paginate()
def list_zones(pagination_parameters):
    page = page_of(current.session(), reference_queries.zones(), **page_args(pagination_parameters))
    return paginated(page, pagination_parameters)


@blp.route("/zones", methods=["POST"])
@idempotent
@blp.arguments(ZoneCreate)
@blp.response(201, ZoneSchema)
def post_zone(data):
    zone = reference.create_zone(ctx(), data)
    return with_etag(ZoneSchema().dump(zone), zone.row_version, 201)


@blp.route("/zones/match")
@blp.arguments(ZoneMatchQuery, location="query")
@blp.response(200, ZoneMatchSchema(many=True))
def match_zones(args):
    """Zones whose leading industries cover the code and whose restricted list does not,
    the closest leading-industry match first."""
    return [ZoneSchema().dump(zone) | {"match_length": length}
            for zone, length in reference_queries.matching_zones(current.session(), args["industry"])]


@blp.route("/zones/<int:zone_id>")
@blp.response(200, ZoneSchema)
def get_zone(zone_id: int):
    zone = reference_queries.zone(current.session(), zone_id)
    return with_etag(ZoneSchema().dump(zone), zone.row_version)


@blp.route("/zones/<int:zone_id>", methods=["PATCH"])
@blp.arguments(ZonePatch)
@blp.response(200, ZoneSchema)
def patch_zone(data, zone_id: int):
    """Change a zone (needs If-Match)."""
    require_admin(ctx().actor)  # 403 before 428
    zone = reference.update_zone(ctx(), zone_id, data, row_version=if_match(required=True))
    return with_etag(ZoneSchema().dump(zone), zone.row_version)


@blp.route("/industries")
@blp.arguments(IndustryQuery, location="query")
@blp.response(200, IndustrySchema(many=True))
def list_industries(args):
    """The GB/T 4754-2017 sections (门类) and divisions (大类); `q` filters by code or name."""
    return reference_queries.industries(args.get("q", ""))
