"""A report's journal entry is written out (ledger.commands.reports._journaled) rather than
encoded by journal.canonical: the texts must be exactly canonical()'s of the same values, or
`ledger verify` would find the chain broken. Over any note and period text (quotes,
backslashes, control and non-ASCII characters), any amount and revision. And the appender's
batch of entries (Append.entries, which the pipeline adds them by) is entry() one by one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.commands.reports import Checked, Revision, _journaled
from ledger.domain.money import format_amount
from ledger.postings import journal
from ledger.postings.append import Append
from ledger.postings.chain import GENESIS_HASH

amounts = st.integers(-10**15, 10**15)
revisions = st.integers(1, 2**40)


@settings(max_examples=400, deadline=None)
@given(st.integers(1, 2**62), st.text(max_size=10), amounts, st.text(max_size=12),
       st.none() | st.tuples(st.integers(1, 2**62), revisions, amounts))
def test_a_reports_entry_is_stored_as_canonical_writes_it(project_id, period, amount, note,
                                                          previous):
    c = Checked(project_id, period, amount, note,
                None if previous is None else Revision(*previous))
    entry = _journaled(c)
    expected_before = None if previous is None else journal.canonical(
        {"revision": previous[1], "amount": format_amount(previous[2])})
    expected_after = journal.canonical({"period": period, "revision": c.revision,
                                        "amount": format_amount(amount), "note": note})
    assert entry["entity_id"] == str(project_id)
    assert journal._stored(entry["before"]) == expected_before
    assert journal._stored(entry["after"]) == expected_after
    assert type(journal._stored(entry["after"])) is str


def test_a_written_out_text_is_not_encoded_again_but_any_other_value_is():
    text = journal.Canonical('{"a":"投资\\n"}')
    assert journal._stored(text) == '{"a":"投资\\n"}'
    assert journal._stored('{"a":1}') == journal.canonical('{"a":1}') == '"{\\"a\\":1}"'
    assert journal._stored(None) is None


def test_entries_add_what_entry_adds_one_by_one_and_refuse_other_keywords(session):
    at = datetime(2025, 3, 1, tzinfo=UTC)
    fields = {"at": at, "actor_id": 3, "actor_username": "张三", "actor_role": "host",
              "actor_region": "640000", "action": "investment.report", "entity": "project"}
    changes = [{"entity_id": "1", "before": None, "after": {"a": 1}},
               {"entity_id": "2", "before": {"b": "旧"}, "after": None}]
    heads = ((4, "ab" * 32), (0, GENESIS_HASH))
    one, many = Append(session, at, heads), Append(session, at, heads)
    for change in changes:
        one.entry(**fields, **change)
    many.entries(fields, changes)
    assert journal.chain_rows((0, GENESIS_HASH), many._entries) == journal.chain_rows(
        (0, GENESIS_HASH), one._entries)
    with pytest.raises(TypeError):
        many.entries(fields | {"entity_id": "3"}, changes)
    with pytest.raises(TypeError):
        many.entries({k: v for k, v in fields.items() if k != "entity"}, changes)
    with pytest.raises(TypeError):
        many.entries(fields, [{"entity_id": "3", "before": None}])
    with pytest.raises(TypeError):
        many.entries(fields, [{"entity_id": "3", "before": None, "after": None, "x": 1}])
    assert len(journal.chain_rows((0, GENESIS_HASH), many._entries)) == 2  # nothing refused added
    session.rollback()
