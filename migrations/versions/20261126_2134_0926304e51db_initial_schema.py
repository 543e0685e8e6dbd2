"""initial schema

Revision ID: 0926304e51db
Revises: 
Create Date: 2026-11-26 21:34:29.944027
"""
from alembic import op
import sqlalchemy as sa
import ledger.db


revision = '0926304e51db'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assessment_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('changed_at', ledger.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_assessment_years_status')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_assessment_years'))
    )
    op.create_table('regions',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=12), nullable=False),
    sa.Column('parent_code', sa.String(length=16), nullable=True),
    sa.Column('created_at', ledger.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("level IN ('province', 'prefecture', 'county', 'committee')", name=op.f('ck_regions_level')),
    sa.ForeignKeyConstraint(['parent_code'], ['regions.code'], name=op.f('fk_regions_parent_code_regions')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_regions'))
    )
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_regions_parent_code'), ['parent_code'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=50), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('region_code', sa.String(length=16), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', ledger.db.UTCDateTime(), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.CheckConstraint("(role = 'region') = (region_code IS NOT NULL)", name=op.f('ck_users_region_code_iff_region_role')),
    sa.CheckConstraint("role IN ('admin', 'statistics', 'commerce', 'region')", name=op.f('ck_users_role')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_users_region_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('zones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=12), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('region_code', sa.String(length=16), nullable=False),
    sa.Column('blocks', sa.JSON(), nullable=False),
    sa.Column('leading_industries', sa.JSON(), nullable=False),
    sa.Column('restricted_industries', sa.JSON(), nullable=False),
    sa.Column('created_at', ledger.db.UTCDateTime(), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('economic', 'hightech', 'bonded', 'industrial', 'other')", name=op.f('ck_zones_kind')),
    sa.CheckConstraint("level IN ('national', 'provincial')", name=op.f('ck_zones_level')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_zones_region_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_zones')),
    sa.UniqueConstraint('name', name=op.f('uq_zones_name'))
    )
    with op.batch_alter_table('zones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zones_region_code'), ['region_code'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', ledger.db.UTCDateTime(), nullable=False),
    sa.Column('expires_at', ledger.db.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', ledger.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', ledger.db.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_username', sa.String(length=50), nullable=False),
    sa.Column('actor_role', sa.String(length=12), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('entity', sa.String(length=30), nullable=False),
    sa.Column('entity_id', sa.String(length=40), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_log_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index('ix_audit_log_entity', ['entity', 'entity_id'], unique=False)

    op.create_table('idempotency_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('response_body', sa.Text(), nullable=False),
    sa.Column('response_headers', sa.JSON(), nullable=False),
    sa.Column('created_at', ledger.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_idempotency_records_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_records')),
    sa.UniqueConstraint('user_id', 'key', name='uq_idempotency_records_user_key')
    )
    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('investor_name', sa.String(length=200), nullable=False),
    sa.Column('investor_credit_code', sa.String(length=18), nullable=True),
    sa.Column('investor_foreign', sa.Boolean(), nullable=False),
    sa.Column('industry_code', sa.String(length=5), nullable=False),
    sa.Column('project_code', sa.String(length=24), nullable=True),
    sa.Column('planned_investment', ledger.db.Money(), nullable=False),
    sa.Column('zone_id', sa.Integer(), nullable=False),
    sa.Column('host_code', sa.String(length=16), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('operating_on', sa.Date(), nullable=True),
    sa.Column('cancelled_on', sa.Date(), nullable=True),
    sa.Column('created_at', ledger.db.UTCDateTime(), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.CheckConstraint("stage IN ('signed', 'under_construction', 'in_operation', 'cancelled')", name=op.f('ck_projects_stage')),
    sa.CheckConstraint('investor_foreign OR investor_credit_code IS NOT NULL', name=op.f('ck_projects_credit_code_required')),
    sa.CheckConstraint('planned_investment >= 0', name=op.f('ck_projects_planned_investment_nonnegative')),
    sa.ForeignKeyConstraint(['host_code'], ['regions.code'], name=op.f('fk_projects_host_code_regions')),
    sa.ForeignKeyConstraint(['zone_id'], ['zones.id'], name=op.f('fk_projects_zone_id_zones')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects')),
    sa.UniqueConstraint('project_code', name=op.f('uq_projects_project_code'))
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projects_host_code'), ['host_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_zone_id'), ['zone_id'], unique=False)

    op.create_table('year_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', ledger.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("action IN ('close', 'reopen')", name=op.f('ck_year_events_action')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_year_events_actor_id_users')),
    sa.ForeignKeyConstraint(['year'], ['assessment_years.year'], name=op.f('fk_year_events_year_assessment_years')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_year_events'))
    )
    with op.batch_alter_table('year_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_year_events_year'), ['year'], unique=False)

    op.create_table('agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('recommender_code', sa.String(length=16), nullable=False),
    sa.Column('receiver_code', sa.String(length=16), nullable=False),
    sa.Column('created_at', ledger.db.UTCDateTime(), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.CheckConstraint('recommender_code <> receiver_code', name=op.f('ck_agreements_distinct_parties')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_agreements_project_id_projects')),
    sa.ForeignKeyConstraint(['receiver_code'], ['regions.code'], name=op.f('fk_agreements_receiver_code_regions')),
    sa.ForeignKeyConstraint(['recommender_code'], ['regions.code'], name=op.f('fk_agreements_recommender_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreements')),
    sa.UniqueConstraint('number', name=op.f('uq_agreements_number')),
    sa.UniqueConstraint('project_id', name=op.f('uq_agreements_project_id'))
    )
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreements_receiver_code'), ['receiver_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreements_recommender_code'), ['recommender_code'], unique=False)

    op.create_table('investment_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('amount', ledger.db.Money(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('reported_by', sa.Integer(), nullable=True),
    sa.Column('reported_at', ledger.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_investment_reports_amount_nonnegative')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_investment_reports_project_id_projects')),
    sa.ForeignKeyConstraint(['reported_by'], ['users.id'], name=op.f('fk_investment_reports_reported_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_investment_reports')),
    sa.UniqueConstraint('project_id', 'period', 'revision', name='uq_investment_reports_revision')
    )
    with op.batch_alter_table('investment_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_investment_reports_project_id'), ['project_id'], unique=False)

    op.create_table('agreement_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.String(length=12), nullable=True),
    sa.Column('to_status', sa.String(length=12), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sa.String(length=12), nullable=False),
    sa.Column('actor_region', sa.String(length=16), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('at', ledger.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_agreement_events_actor_id_users')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_agreement_events_agreement_id_agreements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_events'))
    )
    with op.batch_alter_table('agreement_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_events_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('agreement_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('recommender_share', sa.Integer(), nullable=False),
    sa.Column('first_year', sa.Integer(), nullable=False),
    sa.Column('last_year', sa.Integer(), nullable=True),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('recommender_signatory', sa.String(length=50), nullable=False),
    sa.Column('receiver_signatory', sa.String(length=50), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('proposed_by', sa.String(length=12), nullable=False),
    sa.Column('confirmed_at', ledger.db.UTCDateTime(), nullable=True),
    sa.Column('submitted_at', ledger.db.UTCDateTime(), nullable=True),
    sa.Column('statistics_ack_at', ledger.db.UTCDateTime(), nullable=True),
    sa.Column('commerce_ack_at', ledger.db.UTCDateTime(), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=True),
    sa.Column('filing_year', sa.Integer(), nullable=True),
    sa.Column('filing_seq', sa.Integer(), nullable=True),
    sa.Column('filing_number', sa.String(length=40), nullable=True),
    sa.Column('filed_on', sa.Date(), nullable=True),
    sa.Column('superseded_from', sa.Integer(), nullable=True),
    sa.Column('created_at', ledger.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("proposed_by IN ('recommender', 'receiver')", name=op.f('ck_agreement_versions_proposed_by')),
    sa.CheckConstraint("status IN ('draft', 'signed', 'submitted', 'returned', 'filed', 'superseded')", name=op.f('ck_agreement_versions_status')),
    sa.CheckConstraint('last_year IS NULL OR last_year >= first_year', name=op.f('ck_agreement_versions_year_order')),
    sa.CheckConstraint('recommender_share > 0 AND recommender_share <= 10000', name=op.f('ck_agreement_versions_share_range')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_agreement_versions_agreement_id_agreements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_versions')),
    sa.UniqueConstraint('agreement_id', 'version', name='uq_agreement_versions_agreement_version'),
    sa.UniqueConstraint('filing_number', name=op.f('uq_agreement_versions_filing_number')),
    sa.UniqueConstraint('filing_year', 'filing_seq', name='uq_agreement_versions_filing')
    )
    with op.batch_alter_table('agreement_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_versions_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('postings',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=True),
    sa.Column('region_code', sa.String(length=16), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('amount', ledger.db.Money(), nullable=False),
    sa.Column('cause', sa.String(length=120), nullable=False),
    sa.Column('recorded_at', ledger.db.UTCDateTime(), nullable=False),
    sa.Column('hash_version', sa.Integer(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint("role IN ('host', 'recommender', 'receiver')", name=op.f('ck_postings_role')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_postings_agreement_id_agreements')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_postings_project_id_projects')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_postings_region_code_regions')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_postings')),
    sa.UniqueConstraint('hash', name=op.f('uq_postings_hash'))
    )
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.create_index('ix_postings_project_period', ['project_id', 'period'], unique=False)
        batch_op.create_index(batch_op.f('ix_postings_recorded_at'), ['recorded_at'], unique=False)
        batch_op.create_index('ix_postings_region_period', ['region_code', 'period'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.drop_index('ix_postings_region_period')
        batch_op.drop_index(batch_op.f('ix_postings_recorded_at'))
        batch_op.drop_index('ix_postings_project_period')

    op.drop_table('postings')
    with op.batch_alter_table('agreement_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_versions_agreement_id'))

    op.drop_table('agreement_versions')
    with op.batch_alter_table('agreement_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_events_agreement_id'))

    op.drop_table('agreement_events')
    with op.batch_alter_table('investment_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_investment_reports_project_id'))

    op.drop_table('investment_reports')
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreements_recommender_code'))
        batch_op.drop_index(batch_op.f('ix_agreements_receiver_code'))

    op.drop_table('agreements')
    with op.batch_alter_table('year_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_year_events_year'))

    op.drop_table('year_events')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projects_zone_id'))
        batch_op.drop_index(batch_op.f('ix_projects_host_code'))

    op.drop_table('projects')
    op.drop_table('idempotency_records')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_entity')
        batch_op.drop_index(batch_op.f('ix_audit_log_actor_id'))

    op.drop_table('audit_log')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('zones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zones_region_code'))

    op.drop_table('zones')
    op.drop_table('users')
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_regions_parent_code'))

    op.drop_table('regions')
    op.drop_table('assessment_years')
