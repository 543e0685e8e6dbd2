"""journal and postings: the time indexes lead to the sequence too

A signed checkpoint names the newest journal entry and the newest posting recorded at or before
its time. `WHERE at <= T ORDER BY id DESC LIMIT 1` walked the primary key backwards past every
later row (or read every earlier one through the time index and sorted them): on the province
benchmark 301 checkpoints took 15.8 s before `ledger print` rendered its first PDF. With
(at, id) and (recorded_at, seq) the newest entry at or before T is one index seek (ORDER BY
at DESC, id DESC), even where an import recorded thousands of rows at one time. They serve every
filter on the time alone as the single-column indexes did, which they replace.

Revision ID: b09268a75f86
Revises: 9e4a6c1f2b57
Create Date: 2026-12-06 10:00:00.000000
"""
from alembic import op


revision = 'b09268a75f86'
down_revision = '9e4a6c1f2b57'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_at')
        batch_op.create_index('ix_audit_log_at_id', ['at', 'id'], unique=False)
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.drop_index('ix_postings_recorded_at')
        batch_op.create_index('ix_postings_recorded_at_seq', ['recorded_at', 'seq'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.drop_index('ix_postings_recorded_at_seq')
        batch_op.create_index('ix_postings_recorded_at', ['recorded_at'], unique=False)
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_at_id')
        batch_op.create_index('ix_audit_log_at', ['at'], unique=False)
