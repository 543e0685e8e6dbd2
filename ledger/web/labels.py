"""The words of the domain's closed vocabularies as the pages show them (Chinese by default)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

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

# Workflow actions, as the status timeline and the buttons name them.
ACTIONS = {
    "create": _l("Opened"),
    "edit": _l("Edited"),
    "confirm": _l("Confirmed"),
    "submit": _l("Submitted for filing"),
    "acknowledge": _l("Acknowledged"),
    "return": _l("Returned"),
    "amend": _l("Amendment proposed"),
    "supersede": _l("Superseded"),
    "withdraw": _l("Withdrawn"),
    "decline": _l("Declined"),
}

ACTION_BUTTONS = {
    "confirm": _l("Confirm"),
    "decline": _l("Decline"),
    "submit": _l("Submit for filing"),
    "acknowledge": _l("Acknowledge filing"),
    "return": _l("Return"),
    "edit": _l("Edit terms"),
    "amend": _l("Propose amendment"),
    "withdraw": _l("Withdraw"),
}


def label(value: object) -> str:
    """The page-language word for a vocabulary value (the value itself when unknown)."""
    if value is None:
        return ""
    found = LABELS.get(str(value), ACTION_BUTTONS.get(str(value)))
    return str(found) if found is not None else str(value)
