"""Signed checkpoints of the ledger's heads (ledger/postings/checkpoints.py), written by the
commands that need one: a year's closing, the first issue of a document for an as-of time."""

from __future__ import annotations

from datetime import datetime

from ledger import signing
from ledger.context import Context
from ledger.domain.errors import Unavailable
from ledger.models import Checkpoint
from ledger.postings import checkpoints


def signing_key(ctx: Context):
    """The deployment's key — asked for before a command writes, so a missing key refuses the
    command cleanly (503) instead of failing half-way."""
    try:
        return signing.load_key(ctx.settings.signing_key_file)
    except signing.SigningKeyMissing as err:
        raise Unavailable("signing.unavailable", detail=str(err)) from None


def write(ctx: Context, key, at: datetime, reason: str) -> Checkpoint:
    """Inside the caller's write transaction."""
    return checkpoints.checkpoint(ctx.session, key, at, reason)
