"""The regions' version (issue 20): a one-row table whose random token triggers on `regions`
set anew at every change of the regions, whatever made it, so that a process may keep the
region tree between attributions and know when to read it again (ledger.models.region).

Revision ID: b7e3d91c4f28
Revises: e4a9c2b7d610
Create Date: 2026-12-07 12:45:00.000000
"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = 'b7e3d91c4f28'
down_revision = 'e4a9c2b7d610'
branch_labels = None
depends_on = None

CHANGES = ("INSERT", "UPDATE", "DELETE")


def upgrade() -> None:
    op.create_table('regions_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('token', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regions_version'))
    )
    # a token of its own for each database migrated, so no two hold the same before a change
    op.execute(f"INSERT INTO regions_version (id, token) VALUES (1, {secrets.randbits(62)})")
    if op.get_bind().dialect.name == "postgresql":
        # random() is a double in [0, 1) (53 random bits), scaled to a bigint
        op.execute("CREATE FUNCTION ledger_regions_changed() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$ BEGIN UPDATE regions_version SET token = "
                   "floor(random() * 4611686018427387904)::bigint; RETURN NULL; END $$")
        op.execute("CREATE TRIGGER regions_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                   "ON regions FOR EACH STATEMENT EXECUTE FUNCTION ledger_regions_changed()")
        # also in replica mode (session_replication_role), as a restore may write
        op.execute("ALTER TABLE regions ENABLE ALWAYS TRIGGER regions_changed")
    else:  # SQLite has row triggers only; random() is a 64-bit integer
        for change in CHANGES:
            op.execute(f"CREATE TRIGGER regions_changed_{change.lower()} AFTER {change} ON "
                       "regions BEGIN UPDATE regions_version SET token = random(); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER regions_changed ON regions")
        op.execute("DROP FUNCTION ledger_regions_changed()")
    else:
        for change in CHANGES:
            op.execute(f"DROP TRIGGER regions_changed_{change.lower()}")
    op.drop_table('regions_version')
