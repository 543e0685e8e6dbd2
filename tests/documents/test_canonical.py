"""Canonical JSON, digests and document ids: pure functions, fixed and documented."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from ledger.documents.canonical import (
    NotCanonical, canonical_json, digest, document_id, utc_text,
)

MOMENT = datetime(2025, 2, 3, 4, 5, 6, 7, tzinfo=UTC)


def test_canonical_json_is_compact_sorted_utf8():
    data = {"b": [1, "二", None, True], "a": {"z": "1234.56", "y": False}, "中": "文"}
    assert canonical_json(data) == (
        '{"a":{"y":false,"z":"1234.56"},"b":[1,"二",null,true],"中":"文"}'.encode())


def test_keys_sort_by_code_point_and_json_escapes_stay():
    assert canonical_json({"é": 1, "z": 2, "A": 3}) == '{"A":3,"z":2,"é":1}'.encode()
    assert canonical_json({"q": 'say "hi"\\\n'}) == b'{"q":"say \\"hi\\"\\\\\\n"}'


@pytest.mark.parametrize("value", [1.5, Decimal("1.50"), date(2025, 1, 1), MOMENT, {1: "a"},
                                   (1, 2), b"bytes", float("nan")])
def test_values_without_a_canonical_encoding_are_refused(value):
    with pytest.raises(NotCanonical):
        canonical_json({"x": value})


def test_digest_is_sha256_hex_of_the_canonical_bytes():
    data = {"amount": "10.05"}
    assert digest(canonical_json(data)) == hashlib.sha256(b'{"amount":"10.05"}').hexdigest()


def test_utc_text_is_utc_to_the_microsecond_with_z():
    assert utc_text(MOMENT) == "2025-02-03T04:05:06.000007Z"
    beijing = MOMENT.astimezone(timezone(timedelta(hours=8)))
    assert utc_text(beijing) == "2025-02-03T04:05:06.000007Z"
    with pytest.raises(NotCanonical):
        utc_text(datetime(2025, 1, 1))


def test_document_id_is_a_pure_function_of_kind_subject_and_as_of():
    first = document_id("filing", "agreement/XY-2025-0001/v1", MOMENT)
    assert first == document_id("filing", "agreement/XY-2025-0001/v1",
                                MOMENT.astimezone(timezone(timedelta(hours=8))))
    assert re.fullmatch(r"BA(-[A-Z2-7]{5}){4}", first), first
    others = {document_id("receipt", "agreement/XY-2025-0001/v1", MOMENT),
              document_id("filing", "agreement/XY-2025-0001/v2", MOMENT),
              document_id("filing", "agreement/XY-2025-0001/v1", MOMENT + timedelta(microseconds=1))}
    assert first not in others and len(others) == 3
    assert document_id("statement", "statement/2025", MOMENT).startswith("TJ-")
    assert document_id("receipt", "x", MOMENT).startswith("HZ-")


def test_document_id_is_stable_across_versions_of_the_code():
    """Ids are printed and looked up later: the scheme must never drift."""
    expected = hashlib.sha256(
        "ledger-document-id/1\nfiling\nagreement/XY-2025-0001/v1\n2025-02-03T04:05:06.000007Z"
        .encode()).digest()
    code = base64.b32encode(expected).decode()[:20]
    assert document_id("filing", "agreement/XY-2025-0001/v1", MOMENT) == \
        "BA-" + "-".join(code[i:i + 5] for i in range(0, 20, 5))
