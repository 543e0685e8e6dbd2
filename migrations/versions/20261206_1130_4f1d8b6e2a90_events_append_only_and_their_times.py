"""workflow and year events append-only; their times those of their journal entries

`ledger verify` now holds who and when of every agreement event, year event, report revision and
register row against the journal entry that made it. Until now a command read the clock once for
the row and again for its entry, so the two times differ by microseconds; here each such time is
set to its entry's (only where they differ by less than a second — the same command; anything
else is left for verify to name). The pairing is the replay's: after the journal's baseline, the
n-th event of an agreement is its n-th `agreement.*` entry, the n-th year event the n-th
`year.close`/`year.reopen` entry, a year's changed_at its newest such entry, a register row its
`document.download` entry that registered it. On PostgreSQL the append-only trigger
(ledger_append_only, revision dab66c1dcf4a) now refuses UPDATE, DELETE and TRUNCATE on
agreement_events and year_events too. The downgrade drops those triggers; the times stay aligned.

Revision ID: 4f1d8b6e2a90
Revises: b09268a75f86
Create Date: 2026-12-06 11:30:00.000000
"""
import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa


revision = '4f1d8b6e2a90'
down_revision = 'b09268a75f86'
branch_labels = None
depends_on = None

APPEND_ONLY = ("agreement_events", "year_events")
SAME_COMMAND = timedelta(seconds=1)


def _utc(moment):
    """A stored time as an aware UTC datetime (SQLite hands back text)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _align(conn, table: str, key: str, column: str, pairs) -> None:
    """Set `column` of each row (`key` value, its time) to its entry's time, where they differ
    by less than SAME_COMMAND."""
    update = sa.text(f"UPDATE {table} SET {column} = :at WHERE {key} = :key")
    for row_key, held, entry_at in pairs:
        held, entry_at = _utc(held), _utc(entry_at)
        if held != entry_at and abs(held - entry_at) < SAME_COMMAND:
            conn.execute(update, {"at": entry_at.replace(tzinfo=None), "key": row_key})


def _times_of_the_journal(conn) -> None:
    start, facts = conn.execute(sa.text(
        "SELECT id, after FROM audit_log WHERE action = 'journal.baseline' "
        "ORDER BY id DESC LIMIT 1")).first() or (0, None)
    baseline = json.loads(facts) if facts else {"events": {}, "year_events": []}
    by_agreement, years, registered = defaultdict(list), [], {}
    for e in conn.execute(sa.text(
            "SELECT id, at, action, entity_id, after FROM audit_log WHERE id > :start AND "
            "(action LIKE 'agreement.%' OR action IN ('year.close', 'year.reopen', "
            "'document.download')) ORDER BY id"), {"start": start}):
        if e.action.startswith("agreement."):
            by_agreement[e.entity_id].append(e.at)
        elif e.action.startswith("year."):
            years.append((int(e.entity_id), e.at))
        elif json.loads(e.after).get("registered"):
            registered[e.entity_id] = e.at

    numbers = dict(conn.execute(sa.text("SELECT id, number FROM agreements")).all())
    events = defaultdict(list)
    for id_, agreement_id, at in conn.execute(sa.text(
            "SELECT id, agreement_id, at FROM agreement_events ORDER BY id")):
        events[numbers[agreement_id]].append((id_, at))
    _align(conn, "agreement_events", "id", "at", [
        (id_, at, entry_at)
        for number, rows in events.items()
        for (id_, at), entry_at in zip(rows[len(baseline["events"].get(number, [])):],
                                       by_agreement.get(number, []))])

    rows = conn.execute(sa.text("SELECT id, at FROM year_events ORDER BY id")).all()
    _align(conn, "year_events", "id", "at", [
        (id_, at, entry_at)
        for (id_, at), (_, entry_at) in zip(rows[len(baseline["year_events"]):], years)])
    newest = dict(years)  # a year's last close or reopen
    _align(conn, "assessment_years", "year", "changed_at", [
        (year, at, newest[year]) for year, at in conn.execute(sa.text(
            "SELECT year, changed_at FROM assessment_years")) if year in newest])

    postgres = conn.dialect.name == "postgresql"
    if postgres:  # append-only since revision 5d0c7e91a2b3; the owner aligns it once
        conn.exec_driver_sql("ALTER TABLE document_register DISABLE TRIGGER "
                             "document_register_append_only")
    _align(conn, "document_register", "document_id", "first_issued_at", [
        (document_id, at, registered[document_id]) for document_id, at in conn.execute(sa.text(
            "SELECT document_id, first_issued_at FROM document_register"))
        if document_id in registered])
    if postgres:
        conn.exec_driver_sql("ALTER TABLE document_register ENABLE TRIGGER "
                             "document_register_append_only")


def upgrade() -> None:
    conn = op.get_bind()
    _times_of_the_journal(conn)
    if conn.dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()")
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
