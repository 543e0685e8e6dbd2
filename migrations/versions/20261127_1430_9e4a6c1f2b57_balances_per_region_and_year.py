"""running balances: one row per region and year with its three figures

The balances were kept per year, host, region and role: about 10,000 rows for a national year,
which the current attribution summed per region on every read (50–56 ms at national scale
against a target of 20 ms). They are now kept as the figures themselves — in_place, ceded,
credited — one row per region and year (at most one per region), moved with the postings and
read without summing. Refilled here from the postings (the rule: ledger/postings/balances.py).

Revision ID: 9e4a6c1f2b57
Revises: 7b3f9c2d1e48
Create Date: 2026-11-27 14:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '9e4a6c1f2b57'
down_revision = '7b3f9c2d1e48'
branch_labels = None
depends_on = None

PER_REGION = (
    "INSERT INTO balances (year, region_code, in_place, ceded, credited) "
    "SELECT year, code, SUM(in_place), SUM(ceded), SUM(credited) FROM ("
    " SELECT year, host_code AS code, amount AS in_place,"
    "  CASE WHEN role = 'recommender' THEN amount ELSE 0 END AS ceded, 0 AS credited FROM postings"
    " UNION ALL"
    " SELECT year, region_code, 0, 0, amount FROM postings WHERE role = 'recommender'"
    ") AS moves GROUP BY year, code")
PER_ROLE = ("INSERT INTO balances (year, host_code, region_code, role, amount) "
            "SELECT year, host_code, region_code, role, SUM(amount) FROM postings "
            "GROUP BY year, host_code, region_code, role")


def upgrade() -> None:
    op.drop_table('balances')
    op.create_table('balances',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('region_code', sa.String(length=16), nullable=False),
    sa.Column('in_place', sa.BigInteger(), nullable=False),
    sa.Column('ceded', sa.BigInteger(), nullable=False),
    sa.Column('credited', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_balances_region_code_regions')),
    sa.PrimaryKeyConstraint('year', 'region_code', name=op.f('pk_balances'))
    )
    op.execute(PER_REGION)


def downgrade() -> None:
    op.drop_table('balances')
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
    op.execute(PER_ROLE)
