"""Messages (消息): which of them each user has read, and an optional e-mail address per user.

The messages themselves are not stored: they are read from the facts (agreement and year
events, receipts without evidence; ledger.queries.notifications). A user's reading is kept in
two small tables: `message_marks`, the moment up to which everything counts as read (mark all
read), and `message_reads`, the messages read one by one after it.

Revision ID: 5d8e0c7b93a1
Revises: a7d2e91c4b3f
Create Date: 2026-12-06 21:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '5d8e0c7b93a1'
down_revision = 'a7d2e91c4b3f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # In place, not a batch operation (see a7d2e91c4b3f): a nullable column needs no copy.
    op.add_column('users', sa.Column('email', sa.String(length=254), nullable=True))
    op.create_table(
        'message_marks',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('read_through', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_message_marks_user_id_users')),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_message_marks')),
    )
    op.create_table(
        'message_reads',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('read_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_message_reads_user_id_users')),
        sa.PrimaryKeyConstraint('user_id', 'key', name=op.f('pk_message_reads')),
    )


def downgrade() -> None:
    op.drop_table('message_reads')
    op.drop_table('message_marks')
    op.execute("ALTER TABLE users DROP COLUMN email")
