"""agreement withdraw and decline

The host opens an agreement and may withdraw it; the recommender may decline it. An ended chain
(`ended_as`) frees the project: one live chain per project instead of one chain ever.

Revision ID: 08e63a0a4bc9
Revises: 0926304e51db
Create Date: 2026-11-27 06:54:04.955703
"""
from alembic import op
import sqlalchemy as sa


revision = '08e63a0a4bc9'
down_revision = '0926304e51db'
branch_labels = None
depends_on = None

OLD_STATUSES = "'draft', 'signed', 'submitted', 'returned', 'filed', 'superseded'"
NEW_STATUSES = OLD_STATUSES + ", 'withdrawn', 'declined'"


def upgrade() -> None:
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ended_as', sa.String(length=12), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_agreements_ended_as'), "ended_as IN ('withdrawn', 'declined')")
        batch_op.drop_constraint(batch_op.f('uq_agreements_project_id'), type_='unique')
        batch_op.create_index(batch_op.f('ix_agreements_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_agreements_live_project', ['project_id'], unique=True,
                              sqlite_where=sa.text('ended_as IS NULL'),
                              postgresql_where=sa.text('ended_as IS NULL'))
    with op.batch_alter_table('agreement_versions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_agreement_versions_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_agreement_versions_status'),
                                         f"status IN ({NEW_STATUSES})")


def downgrade() -> None:
    # Fails (and changes nothing) while a withdrawn or declined chain exists: the old schema
    # had no place for it.
    with op.batch_alter_table('agreement_versions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_agreement_versions_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_agreement_versions_status'),
                                         f"status IN ({OLD_STATUSES})")
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_index('ix_agreements_live_project', sqlite_where=sa.text('ended_as IS NULL'),
                            postgresql_where=sa.text('ended_as IS NULL'))
        batch_op.drop_index(batch_op.f('ix_agreements_project_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_agreements_project_id'), ['project_id'])
        batch_op.drop_constraint(op.f('ck_agreements_ended_as'), type_='check')
        batch_op.drop_column('ended_as')
