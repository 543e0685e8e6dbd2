"""investment reports: the year index leads to the project too

A report plans its project-year with `project_id IN (…) AND year IN (…)`. With an index on
`year` alone beside the unique (project_id, period, revision), SQLite's planner (no ANALYZE
statistics) took the year index and scanned the whole year: one report cost 98 ms on a ledger
of 1.2 million reports against 8 ms on one of 72,000. (year, project_id) serves both columns
and the year's distinct projects (reopening a year) from the index alone.

Revision ID: 7b3f9c2d1e48
Revises: 5c1e0a7b9d24
Create Date: 2026-11-27 12:40:00.000000
"""
from alembic import op


revision = '7b3f9c2d1e48'
down_revision = '5c1e0a7b9d24'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('investment_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_investment_reports_year')
        batch_op.create_index('ix_investment_reports_year_project', ['year', 'project_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('investment_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_investment_reports_year_project')
        batch_op.create_index('ix_investment_reports_year', ['year'], unique=False)
