"""Hashes as bytes (issue 20): the chain hashes of postings, the journal and the checkpoints
stored as their 32 bytes instead of 64 hex digits; the predecessor's hash no longer stored
(it is the previous row's); the indexes no query uses dropped — the hashes' unique indexes
(nothing looks a row up by its hash), postings by host and by project and period (no query
filters by host; ix_postings_project_year serves a project), the journal by actor id (its
filter is by name) and the reports by project (their unique constraint leads with it).

The chains' encoding is unchanged (the hex text is hashed, as before): every hash verifies as
it did, and the journal's entries are kept as they are, under their hash_version.

Revision ID: e4a9c2b7d610
Revises: a8624443c510
Create Date: 2026-12-07 01:36:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'e4a9c2b7d610'
down_revision = 'a8624443c510'
branch_labels = None
depends_on = None

# (table, its hash columns)
HASHES = (('postings', ('hash',)), ('audit_log', ('hash', 'postings_hash')),
          ('checkpoints', ('journal_hash', 'postings_hash')))
DROPPED_INDEXES = (('postings', 'ix_postings_project_period', ['project_id', 'period']),
                   ('postings', 'ix_postings_host_period', ['host_code', 'period']),
                   ('postings', 'ix_postings_year_host', ['year', 'host_code', 'role']),
                   ('audit_log', 'ix_audit_log_actor_id', ['actor_id']),
                   ('investment_reports', 'ix_investment_reports_project_id', ['project_id']))
CHAINS = (('postings', 'seq'), ('audit_log', 'id'))  # the tables that stored prev_hash


def _sqlite_functions(bind) -> None:
    """hex ↔ bytes on SQLite (its unhex() came in 3.41)."""
    raw = bind.connection.driver_connection
    raw.create_function("ledger_unhex", 1, lambda v: None if v is None else bytes.fromhex(
        v.decode("ascii") if isinstance(v, bytes) else v), deterministic=True)
    raw.create_function("ledger_hex", 1, lambda v: None if v is None else bytes(v).hex(),
                        deterministic=True)


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == 'sqlite'
    for table, name, _ in DROPPED_INDEXES:
        op.drop_index(name, table_name=table)
    for table, _ in CHAINS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(f'uq_{table}_hash', type_='unique')
            batch_op.drop_column('prev_hash')
    for table, columns in HASHES:
        if sqlite:  # the column keeps its values; declared a blob, then each one converted
            with op.batch_alter_table(table) as batch_op:
                for c in columns:
                    batch_op.alter_column(c, type_=sa.LargeBinary(32),
                                          existing_type=sa.String(64), existing_nullable=False)
            _sqlite_functions(bind)
            op.execute(f"UPDATE {table} SET " + ", ".join(f"{c} = ledger_unhex({c})" for c in columns))
        else:
            for c in columns:
                op.alter_column(table, c, type_=sa.LargeBinary(32), existing_type=sa.String(64),
                                existing_nullable=False, postgresql_using=f"decode({c}, 'hex')")


def downgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == 'sqlite'
    for table, columns in HASHES:
        if sqlite:
            _sqlite_functions(bind)
            op.execute(f"UPDATE {table} SET " + ", ".join(f"{c} = ledger_hex({c})" for c in columns))
            with op.batch_alter_table(table) as batch_op:
                for c in columns:
                    batch_op.alter_column(c, type_=sa.String(64),
                                          existing_type=sa.LargeBinary(32), existing_nullable=False)
        else:
            for c in columns:
                op.alter_column(table, c, type_=sa.String(64), existing_type=sa.LargeBinary(32),
                                existing_nullable=False, postgresql_using=f"encode({c}, 'hex')")
    for table, key in CHAINS:
        op.add_column(table, sa.Column('prev_hash', sa.String(length=64), nullable=True))
        if not sqlite:  # the chains are append-only on PostgreSQL
            op.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        op.execute(f"UPDATE {table} SET prev_hash = COALESCE((SELECT p.hash FROM {table} p "
                   f"WHERE p.{key} = {table}.{key} - 1), '{'0' * 64}')")
        if not sqlite:
            op.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column('prev_hash', existing_type=sa.String(64), nullable=False)
            batch_op.create_unique_constraint(f'uq_{table}_hash', ['hash'])
    for table, name, columns in DROPPED_INDEXES:
        op.create_index(name, table, columns, unique=False)
