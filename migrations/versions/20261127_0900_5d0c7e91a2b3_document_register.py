"""document register

The register of issued documents (SPEC §7): one row per document id (fixed by kind, subject and
as-of time) with the digest and canonical data it was first issued with, and who issued it
first and when. Rows are never changed: on PostgreSQL the append-only trigger of the journal
(ledger_append_only, revision dab66c1dcf4a) refuses UPDATE, DELETE and TRUNCATE here too.

Revision ID: 5d0c7e91a2b3
Revises: dab66c1dcf4a
Create Date: 2026-11-27 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import ledger.db


revision = '5d0c7e91a2b3'
down_revision = 'dab66c1dcf4a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('document_register',
    sa.Column('document_id', sa.String(length=26), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('subject', sa.String(length=80), nullable=False),
    sa.Column('as_of', ledger.db.UTCDateTime(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('canonical', sa.Text(), nullable=False),
    sa.Column('first_issued_at', ledger.db.UTCDateTime(), nullable=False),
    sa.Column('first_issued_by_id', sa.Integer(), nullable=True),
    sa.Column('first_issued_by', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['first_issued_by_id'], ['users.id'],
                            name=op.f('fk_document_register_first_issued_by_id_users')),
    sa.PrimaryKeyConstraint('document_id', name=op.f('pk_document_register'))
    )
    with op.batch_alter_table('document_register', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_register_subject'), ['subject'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TRIGGER document_register_append_only BEFORE UPDATE OR DELETE ON "
                   "document_register FOR EACH ROW EXECUTE FUNCTION ledger_append_only()")
        op.execute("CREATE TRIGGER document_register_no_truncate BEFORE TRUNCATE ON "
                   "document_register FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS document_register_append_only ON document_register")
        op.execute("DROP TRIGGER IF EXISTS document_register_no_truncate ON document_register")
    with op.batch_alter_table('document_register', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_register_subject'))
    op.drop_table('document_register')
