"""The split of funds in place by source kept in the balance row (issue 20): the current
attribution read the split from funds_source_balances, a row per year, host and source, joined
twice to the balances (on PostgreSQL two hash joins over its scans, more than the balances' own
read). Now each balance row carries its in_place by source (zero on the other lines), moved with
the source moves; funds_source_balances is dropped, its sums moved into the funds line's
balance rows (a row made, at zero, for a host with sums and no balance).

Revision ID: 9c12bfcd9169
Revises: b7e3d91c4f28
Create Date: 2026-12-07 15:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
import ledger.db


revision = '9c12bfcd9169'
down_revision = 'b7e3d91c4f28'
branch_labels = None
depends_on = None

FUNDS = "funds_in_place"
COLUMNS = {"domestic": "in_place_domestic", "foreign": "in_place_foreign"}  # source → column


def upgrade() -> None:
    with op.batch_alter_table('balances', schema=None) as batch_op:
        for column in COLUMNS.values():
            batch_op.add_column(sa.Column(column, ledger.db.Money(), server_default='0',
                                          nullable=False))
    op.execute("INSERT INTO balances (year, indicator, region_code, in_place, ceded, credited) "
               f"SELECT DISTINCT s.year, '{FUNDS}', s.host_code, 0, 0, 0 "
               "FROM funds_source_balances s WHERE s.amount <> 0 AND NOT EXISTS (SELECT 1 "
               f"FROM balances b WHERE b.year = s.year AND b.indicator = '{FUNDS}' "
               "AND b.region_code = s.host_code)")
    for source, column in COLUMNS.items():
        found = ("FROM funds_source_balances s WHERE s.year = balances.year "
                 f"AND s.host_code = balances.region_code AND s.source = '{source}'")
        op.execute(f"UPDATE balances SET {column} = (SELECT s.amount {found}) "
                   f"WHERE indicator = '{FUNDS}' AND EXISTS (SELECT 1 {found})")
    op.drop_table('funds_source_balances')


def downgrade() -> None:
    op.create_table('funds_source_balances',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('host_code', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('amount', ledger.db.Money(), nullable=False),
    sa.CheckConstraint("source IN ('domestic', 'foreign')",
                       name=op.f('ck_funds_source_balances_source')),
    sa.ForeignKeyConstraint(['host_code'], ['regions.code'],
                            name=op.f('fk_funds_source_balances_host_code_regions')),
    sa.PrimaryKeyConstraint('year', 'host_code', 'source', name=op.f('pk_funds_source_balances'))
    )
    for source, column in COLUMNS.items():
        op.execute("INSERT INTO funds_source_balances (year, host_code, source, amount) "
                   f"SELECT year, region_code, '{source}', {column} FROM balances "
                   f"WHERE indicator = '{FUNDS}' AND {column} <> 0")
    with op.batch_alter_table('balances', schema=None) as batch_op:
        for column in COLUMNS.values():
            batch_op.drop_column(column)
