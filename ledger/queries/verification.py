"""The ledger's self-check (`ledger verify`, GET /ledger/verify), for those who may run it."""

from __future__ import annotations

from ledger import signing
from ledger.context import Context
from ledger.policy import require_ledger_reader
from ledger.postings import Verification, verify


def verify_ledger(ctx: Context, expect_head: tuple[int, str] | None = None) -> Verification:
    require_ledger_reader(ctx.actor)
    return verify(ctx.session, signing.public_keys(ctx.settings.signing_key_file), expect_head)
