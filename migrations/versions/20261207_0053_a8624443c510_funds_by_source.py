"""the split by source of the in-place funds: its moves per year, host and time, and its balances

The attribution of funds in place splits each host's in-place figure by source (境内区外 /
境外), which the postings do not carry. It was read from every receipt's newest revision (as of a
time) and each project's newest funds posting, 2–6 times the postings' own scan. Now each write
records what it moved per year, host and source, at the time of its postings
(funds_source_moves, append-only on PostgreSQL like the revisions), and moves their running sum
(funds_source_balances, a row per year, host and source): the split as it stands is read like
the balances, as of a past time in one grouped scan of the moves. Refilled here from the
receipts' revisions, each under the host of the funds postings written with it (the project's
host when none was).

Revision ID: a8624443c510
Revises: 5b8e0c3d7f21
Create Date: 2026-12-07 00:53:00.000000
"""
from collections import Counter

from alembic import op
import sqlalchemy as sa
import ledger.db


revision = 'a8624443c510'
down_revision = '5b8e0c3d7f21'
branch_labels = None
depends_on = None

SOURCES = "source IN ('domestic', 'foreign')"
FUNDS = "funds_in_place"

_revisions = sa.table("funds_revisions", sa.column("receipt_id", sa.Integer),
                      sa.column("revision", sa.Integer), sa.column("received_on", sa.Date),
                      sa.column("amount", sa.BigInteger), sa.column("source", sa.String),
                      sa.column("voided", sa.Boolean), sa.column("recorded_at", sa.DateTime))
_receipts = sa.table("funds_receipts", sa.column("id", sa.Integer),
                     sa.column("project_id", sa.Integer))
_postings = sa.table("postings", sa.column("project_id", sa.Integer),
                     sa.column("indicator", sa.String), sa.column("host_code", sa.String),
                     sa.column("recorded_at", sa.DateTime))
_projects = sa.table("projects", sa.column("id", sa.Integer), sa.column("host_code", sa.String))
_moves = sa.table("funds_source_moves", sa.column("year", sa.Integer),
                  sa.column("host_code", sa.String), sa.column("source", sa.String),
                  sa.column("amount", sa.BigInteger), sa.column("recorded_at", sa.DateTime))


def upgrade() -> None:
    op.create_table('funds_source_moves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('host_code', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('amount', ledger.db.Money(), nullable=False),
    sa.Column('recorded_at', ledger.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint(SOURCES, name=op.f('ck_funds_source_moves_source')),
    sa.ForeignKeyConstraint(['host_code'], ['regions.code'], name=op.f('fk_funds_source_moves_host_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funds_source_moves'))
    )
    with op.batch_alter_table('funds_source_moves', schema=None) as batch_op:
        batch_op.create_index('ix_funds_source_moves_year_recorded_at', ['year', 'recorded_at'], unique=False)
    op.create_table('funds_source_balances',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('host_code', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('amount', ledger.db.Money(), nullable=False),
    sa.CheckConstraint(SOURCES, name=op.f('ck_funds_source_balances_source')),
    sa.ForeignKeyConstraint(['host_code'], ['regions.code'], name=op.f('fk_funds_source_balances_host_code_regions')),
    sa.PrimaryKeyConstraint('year', 'host_code', 'source', name=op.f('pk_funds_source_balances'))
    )
    _refill(op.get_bind())
    op.execute("INSERT INTO funds_source_balances (year, host_code, source, amount) "
               "SELECT year, host_code, source, SUM(amount) FROM funds_source_moves "
               "GROUP BY year, host_code, source")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TRIGGER funds_source_moves_append_only BEFORE UPDATE OR DELETE ON "
                   "funds_source_moves FOR EACH ROW EXECUTE FUNCTION ledger_append_only()")
        op.execute("CREATE TRIGGER funds_source_moves_no_truncate BEFORE TRUNCATE ON "
                   "funds_source_moves FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()")


def _refill(conn: sa.Connection) -> None:
    """Each revision moves its predecessor out (unless void) and itself in (unless void), at
    its time, under the host of the funds postings written then."""
    hosts = dict(conn.execute(sa.select(_projects.c.id, _projects.c.host_code)).all())
    posted = {(p, at): host for p, at, host in conn.execute(
        sa.select(_postings.c.project_id, _postings.c.recorded_at, _postings.c.host_code)
        .where(_postings.c.indicator == FUNDS).distinct())}
    moves: Counter = Counter()
    previous = None
    for project_id, receipt_id, received_on, amount, source, voided, at in conn.execute(
            sa.select(_receipts.c.project_id, _revisions.c.receipt_id, _revisions.c.received_on,
                      _revisions.c.amount, _revisions.c.source, _revisions.c.voided,
                      _revisions.c.recorded_at)
            .select_from(_revisions.join(_receipts, _receipts.c.id == _revisions.c.receipt_id))
            .order_by(_revisions.c.receipt_id, _revisions.c.revision)):
        host = posted.get((project_id, at), hosts[project_id])
        if previous is not None and previous[0] == receipt_id and not previous[4]:
            _, year, old_source, old_amount, _ = previous
            moves[(year, host, old_source, at)] -= old_amount
        if not voided:
            moves[(received_on.year, host, source, at)] += amount
        previous = (receipt_id, received_on.year, source, amount, voided)
    rows = [{"year": y, "host_code": h, "source": s, "amount": a, "recorded_at": at}
            for (y, h, s, at), a in sorted(moves.items()) if a]
    if rows:
        conn.execute(_moves.insert(), rows)


def downgrade() -> None:
    op.drop_table('funds_source_balances')
    op.drop_table('funds_source_moves')
