"""Who may do what (SPEC §4), in one place. Services and endpoints ask here and nowhere else.

`require_*` raise Forbidden (403) for a known user acting outside the table; `visible_*` answer
whether an object exists for this user at all — callers turn a False into NotFound (404)."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.domain.errors import Forbidden
from ledger.domain.workflow import FILING_BODIES

OFFICIAL_ROLES = ("admin", "statistics", "commerce")  # see every project and agreement


@dataclass(frozen=True)
class Actor:
    id: int | None
    username: str
    role: str
    region_code: str | None = None

    @classmethod
    def system(cls, name: str = "system") -> "Actor":
        """The command line acting with administrator rights (`ledger users create`, demo)."""
        return cls(None, name, "admin")


def _deny(what: str) -> Forbidden:
    return Forbidden(f"your role may not {what}")


def require_admin(actor: Actor, what: str = "change users, regions or zones") -> None:
    if actor.role != "admin":
        raise _deny(what)


def require_role(actor: Actor, roles: tuple[str, ...], what: str) -> None:
    if actor.role not in roles:
        raise _deny(what)


def require_region(actor: Actor, region_code: str, what: str) -> None:
    """Only region R itself may do this (create/edit/report for projects hosted in R …)."""
    if actor.role != "region" or actor.region_code != region_code:
        raise _deny(what)


def party_side(actor: Actor, recommender_code: str, receiver_code: str) -> str | None:
    if actor.role != "region":
        return None
    if actor.region_code == recommender_code:
        return "recommender"
    if actor.region_code == receiver_code:
        return "receiver"
    return None


def require_party(actor: Actor, recommender_code: str, receiver_code: str, what: str) -> str:
    side = party_side(actor, recommender_code, receiver_code)
    if side is None:
        raise _deny(what)
    return side


def require_filing_body(actor: Actor) -> str:
    require_role(actor, FILING_BODIES, "acknowledge or return a filing")
    return actor.role


def visible_project(actor: Actor, host_code: str, party_codes: tuple[str, ...] = ()) -> bool:
    if actor.role in OFFICIAL_ROLES:
        return True
    return actor.region_code == host_code or actor.region_code in party_codes


def visible_agreement(actor: Actor, recommender_code: str, receiver_code: str) -> bool:
    return actor.role in OFFICIAL_ROLES or actor.region_code in (recommender_code, receiver_code)



def postings_scope(actor: Actor) -> str | None:
    """None = every posting; else only the postings of this region."""
    return None if actor.role in OFFICIAL_ROLES else actor.region_code


def require_ledger_admin(actor: Actor, what: str = "verify the ledger or read the audit log") -> None:
    require_role(actor, ("admin", "statistics"), what)


def attribution_scope(actor: Actor) -> str | None:
    """None = every region's row; else only this region's rows (plus the province totals)."""
    return None if actor.role in OFFICIAL_ROLES else actor.region_code
