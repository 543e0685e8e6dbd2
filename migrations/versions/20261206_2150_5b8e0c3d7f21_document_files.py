"""document_files: the PDF of each issued document as first handed out, kept by document id and
digest, so that a repeat download serves it without rendering again (issue 20).

Revision ID: 5b8e0c3d7f21
Revises: 5d8e0c7b93a1
Create Date: 2026-12-06 21:50:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '5b8e0c3d7f21'
down_revision = '5d8e0c7b93a1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'document_files',
        sa.Column('document_id', sa.String(length=26), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('public_url', sa.String(length=2048), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['document_register.document_id'],
                                name=op.f('fk_document_files_document_id_document_register')),
        sa.PrimaryKeyConstraint('document_id', 'digest', name=op.f('pk_document_files')),
    )


def downgrade() -> None:
    op.drop_table('document_files')
