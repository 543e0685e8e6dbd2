"""Enumerations stored as short strings with CHECK constraints (one place for the allowed values)."""

import sqlalchemy as sa

REGION_LEVELS = ("province", "prefecture", "county", "committee")
ZONE_LEVELS = ("national", "provincial")
ZONE_KINDS = ("economic", "hightech", "bonded", "industrial", "other")
PROJECT_STAGES = ("signed", "under_construction", "in_operation", "cancelled")
VERSION_STATUSES = ("draft", "signed", "submitted", "returned", "filed", "superseded")
POSTING_ROLES = ("host", "recommender", "receiver")
USER_ROLES = ("admin", "statistics", "commerce", "region")
YEAR_STATUSES = ("open", "closed")


def check_in(column: str, values: tuple[str, ...], name: str) -> sa.CheckConstraint:
    quoted = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({quoted})", name=name)
