"""heads_as_of: the newest journal entry and posting recorded at or before a time — the heads a
signed checkpoint names — found by one seek down the (time, sequence) index, never by walking or
sorting the rows before or after it."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from ledger.models import AuditEntry, Posting
from ledger.postings.chain import GENESIS_HASH
from ledger.postings.checkpoints import heads_as_of


def _newest(rows, at):
    found = [(seq, digest) for seq, when, digest in rows if when <= at]
    return max(found) if found else (0, GENESIS_HASH)


def test_heads_as_of_is_the_newest_entry_at_or_before_each_time(world, session):
    p = world.project()
    world.agreement(p)
    world.report(p, "2025-01", "100.00")
    world.report(p, "2025-02", "50.00")
    world.report(p, "2025-01", "120.00")
    journal = session.execute(sa.select(AuditEntry.id, AuditEntry.at, AuditEntry.hash)).all()
    postings = session.execute(sa.select(Posting.seq, Posting.recorded_at, Posting.hash)).all()
    assert len(postings) >= 3
    times = sorted({when for _, when, _ in journal} | {when for _, when, _ in postings})
    probes = [times[0] - timedelta(seconds=1)] + times + [
        t + timedelta(microseconds=1) for t in times]
    for at in probes:
        assert heads_as_of(session, at) == (*_newest(journal, at), *_newest(postings, at)), at


def _plan(session, statement: str, parameters) -> str:
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a tiny table: ask for the index
        return "\n".join(conn.exec_driver_sql(f"EXPLAIN {statement}", parameters).scalars())
    return "\n".join(row[-1] for row in
                     conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))


def test_heads_as_of_is_one_seek_down_the_time_index(world, session):
    captured: list = []
    engine = session.get_bind()

    def keep(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("SELECT"):
            captured.append((statement, parameters))

    session.connection()  # the transaction begun before listening
    sa.event.listen(engine, "before_cursor_execute", keep)
    try:
        heads_as_of(session, world.clock())
    finally:
        sa.event.remove(engine, "before_cursor_execute", keep)
    assert len(captured) == 2
    for (statement, parameters), index in zip(captured, ("ix_audit_log_at_id",
                                                         "ix_postings_recorded_at_seq")):
        plan = _plan(session, statement, parameters)
        assert index in plan, plan
        assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan
        assert "Filter" not in plan, plan  # the index bounds the scan: no row read and dropped
