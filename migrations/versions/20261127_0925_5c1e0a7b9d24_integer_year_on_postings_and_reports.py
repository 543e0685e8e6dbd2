"""integer year on postings and investment reports, running balances

The year filters (attribution, the postings list, a project's reports, reopening a year) read
`period LIKE 'YYYY-%'`, which no index serves on either database (C.UTF-8 collation without
text_pattern_ops on PostgreSQL; SQLite's LIKE is case-insensitive), so every yearly figure
scanned every posting ever written. Both tables get an integer `year` (the period's year,
checked by a CHECK constraint and by `ledger verify`), backfilled here, and indexes that lead
with it. On PostgreSQL the append-only triggers are set aside for the backfill only.

The running balances (sum of the postings per year, host, region and role), maintained with the
postings, let the current attribution read a few rows instead of the year's postings; filled
here from the postings.

Revision ID: 5c1e0a7b9d24
Revises: 5d0c7e91a2b3
Create Date: 2026-11-27 09:25:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '5c1e0a7b9d24'
down_revision = '5d0c7e91a2b3'
branch_labels = None
depends_on = None

TABLES = ("postings", "investment_reports")
YEAR_OF_PERIOD = "year = CAST(substr(period, 1, 4) AS INTEGER)"


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('year', sa.Integer(), nullable=True))
        if postgres:
            op.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        op.execute(f"UPDATE {table} SET year = CAST(substr(period, 1, 4) AS INTEGER)")
        if postgres:
            op.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('year', existing_type=sa.Integer(), nullable=False)
            batch_op.create_check_constraint(op.f(f'ck_{table}_year_of_period'), YEAR_OF_PERIOD)
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.create_index('ix_postings_year_host', ['year', 'host_code', 'role'], unique=False)
        batch_op.create_index('ix_postings_year_region', ['year', 'region_code', 'role'], unique=False)
        batch_op.create_index('ix_postings_project_year', ['project_id', 'year'], unique=False)
    with op.batch_alter_table('investment_reports', schema=None) as batch_op:
        batch_op.create_index('ix_investment_reports_year', ['year'], unique=False)
    op.create_table('balances',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('host_code', sa.String(length=16), nullable=False),
    sa.Column('region_code', sa.String(length=16), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['host_code'], ['regions.code'], name=op.f('fk_balances_host_code_regions')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_balances_region_code_regions')),
    sa.PrimaryKeyConstraint('year', 'host_code', 'region_code', 'role', name=op.f('pk_balances'))
    )
    op.execute("INSERT INTO balances (year, host_code, region_code, role, amount) "
               "SELECT year, host_code, region_code, role, SUM(amount) FROM postings "
               "GROUP BY year, host_code, region_code, role")


def downgrade() -> None:
    op.drop_table('balances')
    with op.batch_alter_table('investment_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_investment_reports_year')
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.drop_index('ix_postings_project_year')
        batch_op.drop_index('ix_postings_year_region')
        batch_op.drop_index('ix_postings_year_host')
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_year_of_period'), type_='check')
            batch_op.drop_column('year')
