"""The document register read back (ledger/queries/documents/register.py): a registered document
with its downloads, who may read it and as whom it is made again, and the field-by-field
comparison behind /verify."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ledger.commands.documents import record_issue
from ledger.domain.errors import NotFound
from ledger.policy import Actor
from ledger.queries.documents.register import (
    MISSING, Difference, Registered, differences, issued_id, may_read, registered, verification,
    verifier,
)
from tests.factories import ADMIN

AS_OF = datetime(2025, 3, 1, 4, 5, 6, tzinfo=UTC)
STATEMENT = {"kind": "statement", "scope": "640181", "regions": [
    {"code": "640181", "in_place": "10.05"}, {"code": "640104", "in_place": "0.00"}],
    "totals": {"in_place": "10.05"}}


def _statement(scope: str | None = "640181") -> Registered:
    return Registered("D1", "statement", "statement/2025", AS_OF, "ab" * 32,
                      STATEMENT | {"scope": scope}, AS_OF, 0)


def test_a_registered_document_with_its_downloads(world, session):
    ctx = world.ctx(ADMIN)
    canonical = json.dumps(STATEMENT, ensure_ascii=False)
    for _ in range(2):
        record_issue(ctx, "DOC-1", "statement", "statement/2025/640181", AS_OF, "ab" * 32,
                     canonical, 1000)
    found = registered(session, "DOC-1")
    assert (found.kind, found.subject, found.digest, found.downloads) == (
        "statement", "statement/2025/640181", "ab" * 32, 2)
    assert found.data == STATEMENT and found.scope == "640181"
    assert found.as_of.replace(tzinfo=UTC) == AS_OF
    assert issued_id(session, "statement", "statement/2025/640181", AS_OF) == "DOC-1"
    assert issued_id(session, "statement", "statement/2024", AS_OF) is None
    with pytest.raises(NotFound):
        registered(session, "DOC-2")


def test_who_reads_a_document_and_as_whom_it_is_made_again(world):
    own, province = _statement("640181"), _statement(None)
    assert may_read(world.lingwu, own) and not may_read(world.xingqing, own)
    assert may_read(world.statistics, own) and may_read(world.statistics, province)
    assert not may_read(world.lingwu, province)
    assert verifier(own) == Actor(None, "verification", "region", "640181")
    assert verifier(province) == Actor(None, "verification", "statistics")
    filing = Registered("D2", "filing", "agreement/1/v1", AS_OF, "cd" * 32,
                        {"kind": "filing", "recommender": {"code": "640104"},
                         "receiver": {"code": "640181"}}, AS_OF, 0)
    assert filing.scope is None and verifier(filing).role == "statistics"
    assert may_read(world.xingqing, filing) and may_read(world.lingwu, filing)
    assert not may_read(world.pingluo, filing)


def test_the_differences_name_each_field_and_list_item():
    now = {"kind": "statement", "scope": "640181", "regions": [
        {"code": "640181", "in_place": "11.05"}, {"code": "640221", "in_place": "1.00"}],
        "totals": {"in_place": "12.05"}, "note": "新"}
    assert differences(STATEMENT, now) == [
        Difference(("regions", "640181", "in_place"), "10.05", "11.05"),
        Difference(("regions", "640104"), {"code": "640104", "in_place": "0.00"}, MISSING),
        Difference(("regions", "640221"), MISSING, {"code": "640221", "in_place": "1.00"}),
        Difference(("totals", "in_place"), "10.05", "12.05"),
        Difference(("note",), MISSING, "新")]
    assert differences(STATEMENT, STATEMENT) == []
    # a list not keyed by its items' codes is one field
    assert differences({"x": [1, 2]}, {"x": [2, 1]}) == [Difference(("x",), [1, 2], [2, 1])]


def test_consistent_when_the_digest_made_now_is_the_first_ones():
    document = _statement()
    same = verification(document, STATEMENT, document.digest)
    assert same.consistent and same.differences == []
    changed = verification(document, STATEMENT | {"note": "新"}, "ef" * 32)
    assert not changed.consistent and changed.differences == [Difference(("note",), MISSING, "新")]
    gone = verification(document, None, None)  # cannot be made now
    assert (gone.consistent, gone.digest_now, gone.differences) == (False, None, [])
