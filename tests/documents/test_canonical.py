"""Canonical JSON, digests and document ids: pure functions, fixed and documented."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from ledger.documents.canonical import (
    NotCanonical, canonical_json, code_matches, digest, document_id, verification_code,
)
from ledger.domain.periods import utc_text

MOMENT = datetime(2025, 2, 3, 4, 5, 6, 7, tzinfo=UTC)
KEY = b"a secret key"


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
    with pytest.raises(TypeError, match="naive"):
        utc_text(datetime(2025, 1, 1))
    # isoformat, not strftime: a year before 1000 keeps its four digits (strftime gave "95-…").
    assert utc_text(datetime(95, 4, 9, tzinfo=UTC)) == "0095-04-09T00:00:00.000000Z"


def test_one_utc_text_for_the_api_the_journal_the_postings_and_the_documents():
    """The times the API shows, the journal and the postings hash and the documents carry are
    the same text, from one function."""
    from ledger.postings import chain
    from ledger.schemas.fields import UTCDateTime

    assert UTCDateTime().serialize("at", {"at": MOMENT}) == utc_text(MOMENT)
    encoded = chain.encode(2, 1, 1, "640181", None, None, "640181", "host", "2025-01", 100,
                           "report", MOMENT, "completed_investment").decode()
    assert encoded.endswith('"2025-02-03T04:05:06.000007Z"]')


def test_document_id_is_a_pure_function_of_kind_subject_as_of_and_key():
    first = document_id("filing", "agreement/XY-2025-0001/v1", MOMENT, KEY)
    assert first == document_id("filing", "agreement/XY-2025-0001/v1",
                                MOMENT.astimezone(timezone(timedelta(hours=8))), KEY)
    assert re.fullmatch(r"BA(-[A-Z2-7]{5}){4}", first), first
    others = {document_id("receipt", "agreement/XY-2025-0001/v1", MOMENT, KEY),
              document_id("filing", "agreement/XY-2025-0001/v2", MOMENT, KEY),
              document_id("filing", "agreement/XY-2025-0001/v1", MOMENT + timedelta(microseconds=1),
                          KEY),
              document_id("filing", "agreement/XY-2025-0001/v1", MOMENT, b"another key")}
    assert first not in others and len(others) == 4
    assert document_id("statement", "statement/2025", MOMENT, KEY).startswith("TJ-")
    assert document_id("receipt", "x", MOMENT, KEY).startswith("HZ-")
    with pytest.raises(ValueError):
        document_id("filing", "agreement/XY-2025-0001/v1", MOMENT, b"")


def test_document_id_is_keyed_and_stable_across_versions_of_the_code():
    """Ids are HMACs with the server's secret — not the unkeyed SHA-256
    of scheme 1, which anyone could compute from an agreement number and a round time — and,
    printed and looked up later, the scheme must never drift."""
    material = "\nfiling\nagreement/XY-2025-0001/v1\n2025-02-03T04:05:06.000007Z"
    unkeyed = base64.b32encode(hashlib.sha256(
        ("ledger-document-id/1" + material).encode()).digest()).decode()[:20]
    keyed = base64.b32encode(hmac.new(KEY, ("ledger-document-id/2" + material).encode(),
                                      hashlib.sha256).digest()).decode()[:20]
    found = document_id("filing", "agreement/XY-2025-0001/v1", MOMENT, KEY)
    assert found == "BA-" + "-".join(keyed[i:i + 5] for i in range(0, 20, 5))
    assert found != "BA-" + "-".join(unkeyed[i:i + 5] for i in range(0, 20, 5))


def test_the_verification_code_is_an_hmac_of_the_id_and_is_typed_loosely():
    document = "BA-7KQ2M-XW4TZ-9PD3A-LMNQR"
    code = verification_code(document, KEY)
    mac = base64.b32encode(hmac.new(KEY, f"ledger-document-code/1\n{document}".encode(),
                                    hashlib.sha256).digest()).decode()[:16]
    assert code == "-".join(mac[i:i + 4] for i in range(0, 16, 4))
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", code) and len(code.replace("-", "")) >= 10
    assert verification_code(document, b"another key") != code
    assert verification_code("BA-7KQ2M-XW4TZ-9PD3A-LMNQS", KEY) != code
    for typed in (code, code.lower(), code.replace("-", ""), " ".join(code.split("-"))):
        assert code_matches(document, typed, KEY), typed
    for wrong in ("", code[:-1], code[:-1] + ("A" if code[-1] != "A" else "B"), code + "A",
                  "线" * 19, "X" * 10_000):
        assert not code_matches(document, wrong, KEY), wrong


def test_the_id_pattern_accepts_exactly_the_ids_the_id_maker_makes():
    """The verify page looks up what ID_PATTERN accepts: every id document_id makes (of every
    kind, under any key), at the register's column length, and nothing near one."""
    from ledger.documents.canonical import ID_PATTERN, KIND_PREFIX
    from ledger.domain import limits

    made = [document_id(kind, f"agreement/XY-2025-{n:04d}/v1", MOMENT + timedelta(seconds=n),
                        key) for kind in KIND_PREFIX for n in range(40) for key in (KEY, b"k2")]
    assert len(set(made)) == len(made)
    for made_id in made:
        assert ID_PATTERN.fullmatch(made_id) and len(made_id) == limits.DOCUMENT_ID
    one = made[0]  # BA-XXXXX-XXXXX-XXXXX-XXXXX
    near = [one.lower(), "XX" + one[2:], "TB" + one[2:], one[:-1], one + "A", one[:-6],
            one.replace("-", "", 1), one[:3] + "0" + one[4:], one[:3] + "1" + one[4:],
            one[:3] + "8" + one[4:], " " + one, one + "\n", one.replace("-", "_"), ""]
    assert [n for n in near if ID_PATTERN.fullmatch(n)] == []
