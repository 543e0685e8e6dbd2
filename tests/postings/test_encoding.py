"""The chains' encodings as the bulk path writes them — postings by a format string, journal
entries with their stored before/after texts spliced into the array — are byte for byte the
encodings the chain's documentation defines (json.dumps of the whole array), which `ledger
verify` recomputes. Over many generated rows: non-ASCII text, quotes, backslashes, control
characters, nulls, every posting hash_version."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.domain.enums import PostingRole
from ledger.domain.periods import utc_text
from ledger.postings import chain, journal
from ledger.postings.append import _as_stored

texts = st.text(max_size=12)  # any characters: "\"", "\\", "\n", "\x00", "投资", "\u2028", …
ids = st.integers(1, 2**62)
times = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                     timezones=st.sampled_from([UTC, timezone(timedelta(hours=8))]))


def _reference_posting(version, seq, project_id, host, agreement_id, ver, region, role, period,
                       amount, cause, recorded_at, indicator) -> bytes:
    """The encoding as chain.py's docstring defines it, by json.dumps of the array."""
    row = [version, seq, project_id, *([indicator] if version >= 3 else []),
           *([host] if version >= 2 else []), agreement_id, ver, region, role, period,
           str(amount), cause, utc_text(recorded_at)]
    return json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@settings(max_examples=500, deadline=None)
@given(st.tuples(st.sampled_from(chain.VERSIONS), ids, ids, texts, st.none() | ids,
                 st.none() | ids, texts, st.sampled_from(list(PostingRole)), texts,
                 st.integers(-10**15, 10**15), texts, times, texts))
def test_a_posting_is_encoded_as_json_dumps_of_its_array(fields):
    assert chain.encode(*fields) == _reference_posting(*fields)


def test_a_non_ascii_cause_is_written_as_itself():
    at = datetime(2025, 3, 1, 8, 0, 0, 5, tzinfo=UTC)
    fields = (3, 7, 12, "320500", None, None, "320500", PostingRole.HOST, "2025-03", -1005,
              "报告:12/2025-03 \"r1\"\\", at, "completed_investment")
    assert chain.encode(*fields) == _reference_posting(*fields)
    assert "报告".encode() in chain.encode(*fields)


values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | texts
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8)

entries = st.fixed_dictionaries({
    "at": times, "actor_id": st.none() | ids, "actor_username": texts, "actor_role": texts,
    "actor_region": st.none() | texts,
    "action": st.sampled_from(["investment.report", "project.update", "version.confirm",
                               "user.create", "document.issue"]),
    "entity": texts, "entity_id": texts, "before": values, "after": values,
    "postings_seq": st.integers(0, 2**62), "postings_hash": st.text("0123456789abcdef", min_size=64,
                                                                 max_size=64)})


@settings(max_examples=300, deadline=None)
@given(st.lists(entries, min_size=1, max_size=8), st.integers(0, 2**40))
def test_a_journal_entry_is_hashed_as_verify_hashes_it(batch, first):
    """chain_rows splices the stored texts into the array; verify (journal.chain_hash) encodes
    the values parsed back from them. Entries as Append.entry takes them: values as stored."""
    batch = [e | {"before": _as_stored(e["before"]), "after": _as_stored(e["after"])}
             for e in batch]
    prev = hashlib.sha256(str(first).encode()).hexdigest()
    rows = journal.chain_rows((first, prev), _one_by_one(batch))
    for row in rows:
        entry = SimpleNamespace(**row)
        assert journal.chain_hash(prev, entry) == row["hash"]
        prev = row["hash"]


def test_entries_of_one_batch_share_their_actor_text_and_keep_their_own_fields():
    at = datetime(2025, 3, 1, tzinfo=UTC)
    common = {"at": at, "actor_id": 3, "actor_username": "张三", "actor_role": "host",
              "actor_region": "320500", "action": "investment.report", "entity": "project",
              "postings_seq": 4, "postings_hash": "ab" * 32}
    batches = [(common, [{"entity_id": "12", "before": None, "after": {"amount": "1.00"}},
                         {"entity_id": "13", "before": {"note": "旧\n"}, "after": None}]),
               (common | {"actor_username": "李四"},
                [{"entity_id": "13", "before": None, "after": None}])]
    prev = "0" * 64
    rows = journal.chain_rows((0, prev), batches)
    assert [(r["id"], r["actor_username"], r["entity_id"]) for r in rows] == [
        (1, "张三", "12"), (2, "张三", "13"), (3, "李四", "13")]
    for row in rows:
        assert journal.chain_hash(prev, SimpleNamespace(**row)) == row["hash"]
        prev = row["hash"]


def _one_by_one(entries: list[dict]) -> list[tuple[dict, list[dict]]]:
    """Entries as Append.entry adds them: each a batch of its own."""
    change = ("entity_id", "before", "after")
    return [({k: v for k, v in e.items() if k not in change}, [{k: e[k] for k in change}])
            for e in entries]


def test_utc_text_formats_a_new_time_and_refuses_a_naive_one_after_a_cached_one():
    first = datetime(2025, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert utc_text(first) == utc_text(first) == "2025-01-02T03:04:05.000006Z"
    beijing = first.astimezone(timezone(timedelta(hours=8)))
    assert utc_text(beijing) == "2025-01-02T03:04:05.000006Z"
    assert utc_text(first + timedelta(microseconds=1)) == "2025-01-02T03:04:05.000007Z"
    with pytest.raises(TypeError):
        utc_text(first.replace(tzinfo=None))


@settings(max_examples=300, deadline=None)
@given(st.tuples(ids, texts, texts, texts, times), ids, st.none() | ids, st.none() | ids, texts,
       st.sampled_from(list(PostingRole)), texts, st.integers(-10**15, 10**15))
def test_a_plans_hasher_hashes_as_verify_does(shared, seq, agreement_id, version, region, role,
                                                period, amount):
    """The appender's hasher (the fields a plan's postings share encoded once) against
    chain_hash of the same posting, as verify computes it."""
    project_id, host, indicator, cause, at = shared
    prev = hashlib.sha256(str(seq).encode()).hexdigest()
    posting = SimpleNamespace(hash_version=chain.HASH_VERSION, seq=seq, project_id=project_id,
                              host_code=host, agreement_id=agreement_id, version=version,
                              region_code=region, role=role, period=period, amount=amount,
                              cause=cause, recorded_at=at, indicator=indicator)
    assert (chain.hasher(project_id, host, indicator, cause, at)(
        prev, seq, agreement_id, version, region, role, period, amount)
        == chain.chain_hash(prev, posting))
