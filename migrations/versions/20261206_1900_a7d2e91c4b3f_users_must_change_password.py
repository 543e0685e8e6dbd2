"""users.must_change_password: set when an administrator resets a password (the one-time
password it shows once), cleared when the user chooses a new one; while set, the web pages
open nothing but the change-password page.

Revision ID: a7d2e91c4b3f
Revises: c3f5a8d21e47
Create Date: 2026-12-06 19:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'a7d2e91c4b3f'
down_revision = 'c3f5a8d21e47'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Not a batch operation: on SQLite that would copy `users` and drop the old table, which the
    # foreign keys of the tokens and the journal refuse; a column with a default is added in place.
    op.add_column('users', sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                     server_default=sa.false()))


def downgrade() -> None:
    # In place too (SQLite 3.35+ drops a column that no index or constraint names).
    op.execute("ALTER TABLE users DROP COLUMN must_change_password")
