"""Regions, zones and the industry table: reference data every user may read."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.domain import codes
from ledger.domain.enums import RegionLevel
from ledger.models import Region, Zone
from ledger.queries.lookup import get_or_404


def regions() -> sa.Select:
    return sa.select(Region).order_by(Region.code)


def region(session: Session, code: str) -> Region:
    return get_or_404(session, Region, code, "region")


def province_name(session: Session) -> str | None:
    """The province's name (the region of level province; None before one is recorded): the
    pages and the statement take its own word (全区, 全省, 全市) from it."""
    return session.scalar(sa.select(Region.name).where(Region.level == RegionLevel.PROVINCE)
                          .order_by(Region.code).limit(1))


def zones() -> sa.Select:
    return sa.select(Zone).order_by(Zone.id)


def zone(session: Session, zone_id: int) -> Zone:
    return get_or_404(session, Zone, zone_id, "zone")


# The codes above a region, nearest first, in one read (a document's facts ask it on every
# download); the depth bound stops a cycle, which the tree (four levels) never has.
_UP = (sa.select(Region.parent_code.label("code"), sa.literal(1).label("depth"))
       .where(Region.code == sa.bindparam("code")).cte("up", recursive=True))
_UP = _UP.union_all(sa.select(Region.parent_code, _UP.c.depth + 1)
                    .join(_UP, Region.code == _UP.c.code).where(_UP.c.depth < 32))
_ANCESTORS = sa.select(_UP.c.code).where(_UP.c.code.is_not(None)).order_by(_UP.c.depth)


def ancestors(session: Session, code: str) -> list[str]:
    """The codes above a region, nearest first."""
    out: list[str] = []
    for above in session.scalars(_ANCESTORS, {"code": code}):
        if above in out:
            break
        out.append(above)
    return out


def children(pairs: Iterable[tuple[str, str | None]]) -> dict[str, list[str]]:
    """code → the codes right below it, in the order given, from (code, parent_code) pairs."""
    out: dict[str, list[str]] = {}
    for code, parent in pairs:
        if parent is not None:
            out.setdefault(parent, []).append(code)
    return out


def below(children_of: Callable[[str], Iterable[str]], code: str) -> set[str]:
    """The codes under a region at any depth (not its own), given each region's children."""
    out, stack = set(), list(children_of(code))
    while stack:
        current = stack.pop()
        if current not in out:
            out.add(current)
            stack.extend(children_of(current))
    return out


def matching_zones(session: Session, industry: str) -> list[tuple[Zone, int]]:
    """Zones whose leading industries cover the code and whose restricted list does not,
    the closest leading-industry match first: (zone, match length)."""
    matches = []
    for zone in session.scalars(zones()):
        length = codes.match_length(zone.leading_industries, zone.restricted_industries, industry)
        if length:
            matches.append((zone, length))
    matches.sort(key=lambda m: (-m[1], m[0].id))
    return matches


def industries(q: str = "") -> list[dict[str, str]]:
    """The GB/T 4754-2017 sections (门类) and divisions (大类); `q` filters by code or name."""
    return [r for r in codes.industries()
            if not q or r["code"].startswith(q.upper()) or q in r["name"]]
