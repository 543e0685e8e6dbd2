"""The ledger's self-check (`ledger verify`, GET /ledger/verify), for those who may run it."""

from __future__ import annotations

from ledger.context import Context
from ledger.policy import require_ledger_reader
from ledger.postings import Verification, verify


def verify_ledger(ctx: Context) -> Verification:
    require_ledger_reader(ctx.actor)
    return verify(ctx.session)
