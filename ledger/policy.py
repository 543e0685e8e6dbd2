"""Who may do what (docs/permissions.md), in one place. Commands and queries ask here and nowhere
else.

Each visibility predicate stands beside the SQL filter that selects the same rows, so a list
and a lookup can never disagree. `require_*` raise Forbidden (403) for a known user acting
outside the table; `can_see_*` answer whether an object exists for this user at all — callers
turn a False into NotFound (404), never a hint that the object exists."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ledger.domain.enums import FILING_BODIES, OFFICIAL_ROLES, Role, Side
from ledger.domain.errors import Forbidden
from ledger.domain.workflow import Standing, Who
from ledger.models import Agreement, Posting, Project


@dataclass(frozen=True)
class Actor:
    id: int | None
    username: str
    role: str
    region_code: str | None = None

    @classmethod
    def system(cls, name: str = "system") -> "Actor":
        """The command line acting with administrator rights (`ledger users create`, demo)."""
        return cls(None, name, Role.ADMIN)

    @property
    def official(self) -> bool:
        """Administrators and the two filing bodies see every project and agreement."""
        return self.role in OFFICIAL_ROLES


def _require(allowed: bool, what: str) -> None:
    if not allowed:
        raise Forbidden(f"forbidden.{what}")


# ------------------------------------------------------------------ reference data and users

def require_admin(actor: Actor) -> None:
    """Regions and zones are written by administrators only."""
    _require(actor.role == Role.ADMIN, "reference")


def may_administer(actor: Actor) -> bool:
    """Administrators keep the users, the regions and the zones (and file nothing)."""
    return actor.role == Role.ADMIN


def require_user_admin(actor: Actor) -> None:
    _require(may_administer(actor), "users")


# ------------------------------------------------------------------ projects

def may_register_projects(actor: Actor) -> bool:
    """Regions register projects (each one it hosts: require_host); no one else does."""
    return actor.role == Role.REGION


def require_registrar(actor: Actor) -> None:
    """403 for others, before a form or a body is looked at."""
    _require(may_register_projects(actor), "host_only")


def is_host(actor: Actor, host_code: str) -> bool:
    """Only the host region itself registers, edits, stages and reports a project."""
    return actor.role == Role.REGION and actor.region_code == host_code


def require_host(actor: Actor, host_code: str) -> None:
    _require(is_host(actor, host_code), "host_only")


def may_import_reports(actor: Actor, host_code: str) -> bool:
    """A bulk import of monthly reports (docs/api.md): the host region for the projects it hosts,
    and the statistics bureau for any project."""
    return actor.role == Role.STATISTICS or (actor.role == Role.REGION
                                             and actor.region_code == host_code)


def may_send_imports(actor: Actor) -> bool:
    """Who may send an import file at all: regions and the statistics bureau."""
    return actor.role in (Role.REGION, Role.STATISTICS)


def require_importer(actor: Actor) -> None:
    """403 for others, before any row is looked at."""
    _require(may_send_imports(actor), "import")


def can_see_project(actor: Actor, host_code: str, party_codes: tuple[str, ...] = ()) -> bool:
    return actor.official or actor.region_code == host_code or actor.region_code in party_codes


def projects_seen_by(actor: Actor) -> sa.ColumnElement[bool]:
    """The SQL twin of can_see_project: a region sees the projects it hosts and those whose
    live agreement names it (a withdrawn or declined one no longer does)."""
    if actor.official:
        return sa.true()
    named = sa.select(Agreement.project_id).where(
        Agreement.is_live, Agreement.recommender_code == actor.region_code)
    return sa.or_(Project.host_code == actor.region_code, Project.id.in_(named))


# ------------------------------------------------------------------ agreements

def side_of(actor: Actor, recommender_code: str, receiver_code: str) -> Side | None:
    if actor.role != Role.REGION:
        return None
    if actor.region_code == recommender_code:
        return Side.RECOMMENDER
    if actor.region_code == receiver_code:
        return Side.RECEIVER
    return None


def can_see_agreement(actor: Actor, recommender_code: str, receiver_code: str) -> bool:
    return actor.official or actor.region_code in (recommender_code, receiver_code)


def agreements_seen_by(actor: Actor) -> sa.ColumnElement[bool]:
    """The SQL twin of can_see_agreement."""
    if actor.official:
        return sa.true()
    return sa.or_(Agreement.recommender_code == actor.region_code,
                  Agreement.receiver_code == actor.region_code)


def require_filing_body(actor: Actor) -> Role:
    """The statistics bureau and the commerce department acknowledge or return filings."""
    _require(actor.role in FILING_BODIES, "filing_body")
    return Role(actor.role)


def standing(actor: Actor, recommender_code: str, receiver_code: str) -> Standing:
    """What the actor is to an agreement, as the workflow's table names who may act."""
    return Standing(side_of(actor, recommender_code, receiver_code),
                    Role(actor.role) if actor.role in FILING_BODIES else None)


def require_standing(actor: Actor, who: Who, recommender_code: str, receiver_code: str) -> Standing:
    """403 unless the actor is one whom the workflow's table lets take an action (Who.admits):
    a filing body, or a party — the one side named when only one may."""
    found = standing(actor, recommender_code, receiver_code)
    if who is Who.FILING_BODY:
        _require(who.admits(found), "filing_body")
    else:
        _require(found.side is not None, "not_a_party")
        _require(who.admits(found), f"{who.sides[0]}_only")
    return found


# ------------------------------------------------------------------ years and the ledger

def may_keep_years(actor: Actor) -> bool:
    """The statistics bureau closes and reopens assessment years."""
    return actor.role == Role.STATISTICS


def require_year_keeper(actor: Actor) -> None:
    _require(may_keep_years(actor), "years")


def may_read_checklists(actor: Actor) -> bool:
    """A year's checklist names every region's pending agreements and projects: officials."""
    return actor.official


def require_checklist_reader(actor: Actor) -> None:
    _require(may_read_checklists(actor), "checklist")


def require_ledger_reader(actor: Actor) -> None:
    """Verification of the whole ledger and the audit log."""
    _require(actor.role in (Role.ADMIN, Role.STATISTICS), "ledger")


def postings_seen_by(actor: Actor) -> sa.ColumnElement[bool]:
    """Officials read every posting; a region only its own."""
    return sa.true() if actor.official else Posting.region_code == actor.region_code


def attribution_scope(actor: Actor) -> str | None:
    """None = every region's row; else only this region's rows (plus the province totals)."""
    return None if actor.official else actor.region_code


def can_see_statement(actor: Actor, scope: str | None) -> bool:
    """A statement of every region (scope None) is the officials'; a region's is also its own."""
    own = attribution_scope(actor)
    return own is None or own == scope


def require_attribution_region(actor: Actor, requested: str | None) -> None:
    own = attribution_scope(actor)
    _require(own is None or requested in (None, own), "attribution_region")
