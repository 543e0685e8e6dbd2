"""The words of the domain's closed vocabularies as the pages show them (Chinese by default)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

LABELS = {
    # roles
    "admin": _l("Administrator"),
    "statistics": _l("Statistics bureau"),
    "commerce": _l("Commerce department"),
    "region": _l("Region"),
    # region levels
    "province": _l("Province"),
    "prefecture": _l("Prefecture"),
    "county": _l("County"),
    "committee": _l("Zone management committee"),
    # zone levels and kinds
    "national": _l("National"),
    "provincial": _l("Provincial"),
    "economic": _l("Economic and technological development zone"),
    "hightech": _l("High-tech zone"),
    "bonded": _l("Comprehensive bonded zone"),
    "industrial": _l("Industrial park"),
    "other": _l("Other"),
    # project stages
    "signed": _l("Signed"),
    "under_construction": _l("Under construction"),
    "in_operation": _l("In operation"),
    "cancelled": _l("Cancelled"),
    # agreement version statuses (signed: see stages — the same word)
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "returned": _l("Returned"),
    "filed": _l("Filed"),
    "superseded": _l("Superseded"),
    "withdrawn": _l("Withdrawn"),
    "declined": _l("Declined"),
    # sides and posting roles
    "recommender": _l("Recommending region"),
    "receiver": _l("Receiving region"),
    "host": _l("Host region"),
    # years
    "open": _l("Open"),
    "closed": _l("Closed"),
    # objects named in messages
    "project": _l("project"),
    "agreement": _l("agreement"),
    "zone": _l("zone"),
    "user": _l("user"),
    "year": _l("assessment year"),
    "document": _l("printed document"),
}


@dataclass(frozen=True)
class ActionWords:
    """The words of one workflow action (ledger.domain.workflow.STEPS)."""

    happened: LazyString            # the status timeline's entry
    button: LazyString | None = None  # its button and page title: each action a user takes
    done: LazyString | None = None    # the message once it is done


# Keyed by the workflow table's actions (tests/web/test_pages.py checks they are the same).
ACTIONS = {
    "create": ActionWords(_l("Opened")),
    "confirm": ActionWords(_l("Confirmed"), _l("Confirm"), _l("The agreement is confirmed.")),
    "submit": ActionWords(_l("Submitted for filing"), _l("Submit for filing"),
                          _l("The agreement is submitted for filing.")),
    "acknowledge": ActionWords(_l("Acknowledged"), _l("Acknowledge filing"),
                               _l("The filing is acknowledged.")),
    "return": ActionWords(_l("Returned"), _l("Return"), _l("The agreement is returned.")),
    "edit": ActionWords(_l("Edited"), _l("Edit terms"),
                        _l("The terms are changed; the other party confirms them again.")),
    "amend": ActionWords(_l("Amendment proposed"), _l("Propose amendment"),
                         _l("The amendment is proposed.")),
    "decline": ActionWords(_l("Declined"), _l("Decline"),
                           _l("The agreement is declined; the host region may open a new one.")),
    "withdraw": ActionWords(_l("Withdrawn"), _l("Withdraw"),
                            _l("The agreement is withdrawn; the project may get a new one.")),
    "supersede": ActionWords(_l("Superseded")),
}


def label(value: object) -> str:
    """The page-language word for a vocabulary value (the value itself when unknown)."""
    if value is None:
        return ""
    words = ACTIONS.get(str(value))
    found = LABELS.get(str(value), words and words.button)
    return str(found) if found is not None else str(value)
