"""the second accounting line: funds in place (招商引资实际到位资金), receipts and their evidence

Receipts (funds_receipts, as each stands now), every revision of them (funds_revisions) and
their evidence files (funds_evidence, the bytes with their SHA-256). Postings and the running
balances gain the line (`indicator`): every posting written so far is completed investment, and
so is every balance row. Each agreement version gains its share of funds in place
(`funds_share`): an existing version agreed one share, which applies to both lines, so it is
copied here. On PostgreSQL the revisions and the evidence are append-only like the journal.

Revision ID: c3f5a8d21e47
Revises: 4f1d8b6e2a90
Create Date: 2026-12-06 18:15:00.000000
"""
from alembic import op
import sqlalchemy as sa
import ledger.db


revision = 'c3f5a8d21e47'
down_revision = '4f1d8b6e2a90'
branch_labels = None
depends_on = None

APPEND_ONLY = ("funds_revisions", "funds_evidence")
COMPLETED = "completed_investment"
INDICATORS = "indicator IN ('completed_investment', 'funds_in_place')"
SOURCES = "source IN ('domestic', 'foreign')"


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table('agreement_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('funds_share', sa.Integer(), nullable=True))
    op.execute("UPDATE agreement_versions SET funds_share = recommender_share")
    with op.batch_alter_table('agreement_versions', schema=None) as batch_op:
        batch_op.alter_column('funds_share', existing_type=sa.Integer(), nullable=False)
        batch_op.create_check_constraint(op.f('ck_agreement_versions_funds_share_range'),
                                         "funds_share > 0 AND funds_share <= 10000")

    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('indicator', sa.String(length=24), nullable=True))
    if postgres:
        op.execute("ALTER TABLE postings DISABLE TRIGGER postings_append_only")
    op.execute(f"UPDATE postings SET indicator = '{COMPLETED}'")
    if postgres:
        op.execute("ALTER TABLE postings ENABLE TRIGGER postings_append_only")
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.alter_column('indicator', existing_type=sa.String(length=24), nullable=False)
        batch_op.create_check_constraint(op.f('ck_postings_indicator'), INDICATORS)

    op.drop_table('balances')
    op.create_table('balances',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('indicator', sa.String(length=24), nullable=False),
    sa.Column('region_code', sa.String(length=16), nullable=False),
    sa.Column('in_place', sa.BigInteger(), nullable=False),
    sa.Column('ceded', sa.BigInteger(), nullable=False),
    sa.Column('credited', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_balances_region_code_regions')),
    sa.PrimaryKeyConstraint('year', 'indicator', 'region_code', name=op.f('pk_balances'))
    )
    op.execute(
        "INSERT INTO balances (year, indicator, region_code, in_place, ceded, credited) "
        "SELECT year, indicator, code, SUM(in_place), SUM(ceded), SUM(credited) FROM ("
        " SELECT year, indicator, host_code AS code, amount AS in_place,"
        "  CASE WHEN role = 'recommender' THEN amount ELSE 0 END AS ceded, 0 AS credited FROM postings"
        " UNION ALL"
        " SELECT year, indicator, region_code, 0, 0, amount FROM postings WHERE role = 'recommender'"
        ") AS moves GROUP BY year, indicator, code")

    op.create_table('funds_receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('amount', ledger.db.Money(), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('payer', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('voided', sa.Boolean(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('recorded_at', ledger.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_funds_receipts_amount_positive')),
    sa.CheckConstraint('year = CAST(substr(period, 1, 4) AS INTEGER)', name=op.f('ck_funds_receipts_year_of_period')),
    sa.CheckConstraint(SOURCES, name=op.f('ck_funds_receipts_source')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_funds_receipts_project_id_projects')),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_funds_receipts_recorded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funds_receipts'))
    )
    with op.batch_alter_table('funds_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funds_receipts_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_funds_receipts_year_project', ['year', 'project_id'], unique=False)

    op.create_table('funds_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('receipt_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('amount', ledger.db.Money(), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('payer', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('voided', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('recorded_at', ledger.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_funds_revisions_amount_positive')),
    sa.CheckConstraint(SOURCES, name=op.f('ck_funds_revisions_source')),
    sa.ForeignKeyConstraint(['receipt_id'], ['funds_receipts.id'], name=op.f('fk_funds_revisions_receipt_id_funds_receipts')),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_funds_revisions_recorded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funds_revisions')),
    sa.UniqueConstraint('receipt_id', 'revision', name='uq_funds_revisions_revision')
    )
    with op.batch_alter_table('funds_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funds_revisions_receipt_id'), ['receipt_id'], unique=False)

    op.create_table('funds_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('receipt_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('media_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', ledger.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('bank_slip', 'capital_verification', 'equipment_invoice', 'other')", name=op.f('ck_funds_evidence_kind')),
    sa.ForeignKeyConstraint(['receipt_id'], ['funds_receipts.id'], name=op.f('fk_funds_evidence_receipt_id_funds_receipts')),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], name=op.f('fk_funds_evidence_uploaded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funds_evidence'))
    )
    with op.batch_alter_table('funds_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funds_evidence_receipt_id'), ['receipt_id'], unique=False)

    if postgres:
        for table in APPEND_ONLY:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()")
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()")


def downgrade() -> None:
    """Refused while funds were recorded: their postings and evidence have no place to go."""
    conn = op.get_bind()
    if conn.execute(sa.text("SELECT count(*) FROM funds_receipts")).scalar() or conn.execute(
            sa.text("SELECT count(*) FROM postings WHERE indicator <> :c"), {"c": COMPLETED}).scalar():
        raise RuntimeError("funds in place are recorded: downgrading would lose them")
    if conn.dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    op.drop_table('funds_evidence')
    op.drop_table('funds_revisions')
    op.drop_table('funds_receipts')
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
    op.execute(
        "INSERT INTO balances (year, region_code, in_place, ceded, credited) "
        "SELECT year, code, SUM(in_place), SUM(ceded), SUM(credited) FROM ("
        " SELECT year, host_code AS code, amount AS in_place,"
        "  CASE WHEN role = 'recommender' THEN amount ELSE 0 END AS ceded, 0 AS credited FROM postings"
        " UNION ALL"
        " SELECT year, region_code, 0, 0, amount FROM postings WHERE role = 'recommender'"
        ") AS moves GROUP BY year, code")
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_postings_indicator'), type_='check')
        batch_op.drop_column('indicator')
    with op.batch_alter_table('agreement_versions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_agreement_versions_funds_share_range'), type_='check')
        batch_op.drop_column('funds_share')
