"""journal, checkpoints and posting hosts

The audit log becomes the hash-chained journal every figure and filing can be replayed from: a
gap-free sequence (renumbered here), canonical JSON before/after, the actor's region, the postings
head at each entry, and the chain (hash_version 1, frozen below: the migration must produce the
same hashes whatever later versions of Ledger do). Postings get the project's host (new postings
chain it under hash_version 2; the host of older ones is filled in from their project). Signed
checkpoints get their table. On PostgreSQL, triggers refuse UPDATE, DELETE and TRUNCATE on the
append-only tables.

Revision ID: dab66c1dcf4a
Revises: 08e63a0a4bc9
Create Date: 2026-11-27 07:27:11.222246
"""
import hashlib
import json
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa
import ledger.db


revision = 'dab66c1dcf4a'
down_revision = '08e63a0a4bc9'
branch_labels = None
depends_on = None

APPEND_ONLY = ("audit_log", "postings", "investment_reports", "checkpoints")
GENESIS = "0" * 64


def _canonical(value):
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _utc(moment) -> str:
    if isinstance(moment, str):  # SQLite hands back text
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json(value):
    if value is None or isinstance(value, (dict, list)):
        return value
    return json.loads(value)


# What the journal records of each kind of row (ledger/postings/journal.py RECORDED, frozen).
_RECORDED = {
    "regions": ("code", "name", "level", "parent_code"),
    "zones": ("name", "level", "kind", "region_code", "blocks", "leading_industries",
              "restricted_industries"),
    "users": ("username", "role", "region_code", "active"),
    "projects": ("name", "investor_name", "investor_credit_code", "investor_foreign",
                 "industry_code", "project_code", "planned_investment", "zone_id", "host_code",
                 "stage", "signed_on", "started_on", "operating_on", "cancelled_on"),
    "versions": ("version", "status", "recommender_share", "first_year", "last_year",
                 "signed_on", "recommender_signatory", "receiver_signatory", "reason",
                 "proposed_by", "confirmed_at", "submitted_at", "statistics_ack_at",
                 "commerce_ack_at", "return_reason", "filing_year", "filing_seq",
                 "filing_number", "filed_on", "superseded_from"),
}
_DATES = {"signed_on", "started_on", "operating_on", "cancelled_on", "filed_on"}
_TIMES = {"confirmed_at", "submitted_at", "statistics_ack_at", "commerce_ack_at"}
_LISTS = {"blocks", "leading_industries", "restricted_industries"}


def _typed(name: str):
    if name in _DATES:
        return sa.column(name, sa.Date)
    if name in _TIMES:
        return sa.column(name, ledger.db.UTCDateTime)
    return sa.column(name, sa.JSON if name in _LISTS else None)


def _plain(value):
    if isinstance(value, datetime):
        return _utc(value)
    return value.isoformat() if hasattr(value, "isoformat") else value


def _rows(conn, table: str, columns: tuple[str, ...]):
    t = sa.table(table, *(_typed(c) for c in columns))
    return [{c: _plain(v) for c, v in row._mapping.items()} for row in conn.execute(sa.select(t))]


def _baseline(conn) -> dict | None:
    """Every fact the journal replays, as the tables hold them now (None for an empty
    database): the entries written before this revision did not record all of them."""
    if conn.scalar(sa.text("SELECT count(*) FROM regions")) == 0:
        return None
    facts = {kind: {} for kind in ("regions", "zones", "users", "projects", "chains")}
    for kind, key in (("regions", "code"), ("zones", "id"), ("users", "id"), ("projects", "id")):
        for row in _rows(conn, kind, (key,) + _RECORDED[kind]):
            facts[kind][str(row[key])] = {c: row[c] for c in _RECORDED[kind]}
    numbers = {}
    for row in _rows(conn, "agreements", ("id", "number", "project_id", "recommender_code",
                                          "receiver_code", "ended_as")):
        numbers[row["id"]] = row["number"]
        facts["chains"][row["number"]] = {k: row[k] for k in (
            "project_id", "recommender_code", "receiver_code", "ended_as")}
    facts["versions"] = [[numbers[row["agreement_id"]], row["version"],
                          {c: row[c] for c in _RECORDED["versions"]}]
                         for row in _rows(conn, "agreement_versions",
                                          ("agreement_id",) + _RECORDED["versions"])]
    facts["reports"] = [[r.project_id, r.period, r.revision, r.amount, r.note] for r in conn.execute(
        sa.text("SELECT project_id, period, revision, amount, note FROM investment_reports"))]
    facts["events"] = {}
    for r in conn.execute(sa.text("SELECT agreement_id, version, action, from_status, to_status, "
                                  "actor_role, actor_region, reason FROM agreement_events ORDER BY id")):
        facts["events"].setdefault(numbers[r.agreement_id], []).append({
            "version": r.version, "action": r.action, "from_status": r.from_status,
            "to_status": r.to_status, "actor_role": r.actor_role,
            "actor_region": r.actor_region, "reason": r.reason})
    facts["years"] = {str(y): s for y, s in conn.execute(
        sa.text("SELECT year, status FROM assessment_years"))}
    facts["year_events"] = [list(r) for r in conn.execute(
        sa.text("SELECT year, action, reason FROM year_events ORDER BY id"))]
    return facts


def _chain_the_existing_audit_log(conn) -> None:
    """Renumber the entries 1..n in their order and chain them under hash_version 1, then add
    the baseline from which `ledger verify` replays the journal."""
    rows = conn.execute(sa.text(
        "SELECT id, at, actor_id, actor_username, actor_role, action, entity, entity_id, "
        "before, after FROM audit_log ORDER BY id")).mappings().all()
    postings = conn.execute(sa.text("SELECT seq, hash, recorded_at FROM postings ORDER BY seq")).all()
    conn.execute(sa.text("UPDATE audit_log SET id = -id"))
    prev, p = GENESIS, 0
    for seq, row in enumerate(rows, start=1):
        at = _utc(row["at"])
        while p < len(postings) and _utc(postings[p].recorded_at) <= at:
            p += 1
        p_seq, p_hash = (postings[p - 1].seq, postings[p - 1].hash) if p else (0, GENESIS)
        before, after = _json(row["before"]), _json(row["after"])
        encoding = _canonical([1, seq, at, row["actor_id"], row["actor_username"],
                               row["actor_role"], None, row["action"], row["entity"],
                               row["entity_id"], before, after, p_seq, p_hash]).encode("utf-8")
        digest = hashlib.sha256(prev.encode("ascii") + encoding).hexdigest()
        conn.execute(sa.text(
            "UPDATE audit_log SET id = :seq, before = :before, after = :after, "
            "postings_seq = :p_seq, postings_hash = :p_hash, hash_version = 1, "
            "prev_hash = :prev, hash = :hash WHERE id = :old"),
            {"seq": seq, "old": -row["id"], "p_seq": p_seq, "p_hash": p_hash, "prev": prev,
             "hash": digest, "before": None if before is None else _canonical(before),
             "after": None if after is None else _canonical(after)})
        prev = digest
    facts = _baseline(conn)
    if facts is None:
        return
    seq = len(rows) + 1
    at = _utc(datetime.now(UTC))
    p_seq, p_hash = (postings[-1].seq, postings[-1].hash) if postings else (0, GENESIS)
    encoding = _canonical([1, seq, at, None, "migration", "admin", None, "journal.baseline",
                           "journal", revision, None, facts, p_seq, p_hash]).encode("utf-8")
    conn.execute(sa.text(
        "INSERT INTO audit_log (id, at, actor_id, actor_username, actor_role, actor_region, "
        "action, entity, entity_id, before, after, postings_seq, postings_hash, hash_version, "
        "prev_hash, hash) VALUES (:seq, :at, NULL, 'migration', 'admin', NULL, "
        "'journal.baseline', 'journal', :rev, NULL, :after, :p_seq, :p_hash, 1, :prev, :hash)"),
        {"seq": seq, "at": datetime.strptime(at, "%Y-%m-%dT%H:%M:%S.%fZ"), "rev": revision,
         "after": _canonical(facts), "p_seq": p_seq, "p_hash": p_hash, "prev": prev,
         "hash": hashlib.sha256(prev.encode("ascii") + encoding).hexdigest()})


def upgrade() -> None:
    op.create_table('checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', ledger.db.UTCDateTime(), nullable=False),
    sa.Column('journal_seq', sa.BigInteger(), nullable=False),
    sa.Column('journal_hash', sa.String(length=64), nullable=False),
    sa.Column('postings_seq', sa.BigInteger(), nullable=False),
    sa.Column('postings_hash', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=60), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('signature', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkpoints')),
    sa.UniqueConstraint('at', name=op.f('uq_checkpoints_at'))
    )
    conn = op.get_bind()
    postgres = conn.dialect.name == "postgresql"
    if postgres:  # the journal numbers its entries itself, gap-free, under the write lock
        op.execute("ALTER TABLE audit_log ALTER COLUMN id DROP DEFAULT")
        op.execute("DROP SEQUENCE IF EXISTS audit_log_id_seq")
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_region', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('postings_seq', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('postings_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
        batch_op.alter_column('id', existing_type=sa.INTEGER(), type_=sa.BigInteger(),
                              existing_nullable=False)
        batch_op.alter_column('before', existing_type=sa.JSON(), type_=sa.Text(),
                              existing_nullable=True, postgresql_using="before::text")
        batch_op.alter_column('after', existing_type=sa.JSON(), type_=sa.Text(),
                              existing_nullable=True, postgresql_using="after::text")
    _chain_the_existing_audit_log(conn)
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        for column in ('postings_seq', 'postings_hash', 'hash_version', 'prev_hash', 'hash'):
            batch_op.alter_column(column, nullable=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_log_hash'), ['hash'])

    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('host_code', sa.String(length=16), nullable=True))
    op.execute("UPDATE postings SET host_code = "
               "(SELECT host_code FROM projects WHERE projects.id = postings.project_id)")
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.alter_column('host_code', nullable=False)
        batch_op.create_index('ix_postings_host_period', ['host_code', 'period'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_postings_host_code_regions'), 'regions', ['host_code'], ['code'])

    if postgres:
        op.execute("""
            CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'ledger: % on % is refused: the table is append-only',
                    TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
            END $$""")
        for table in APPEND_ONLY:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()")
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS ledger_append_only()")
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_postings_host_code_regions'), type_='foreignkey')
        batch_op.drop_index('ix_postings_host_period')
        batch_op.drop_column('host_code')

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_log_hash'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.alter_column('after', existing_type=sa.Text(), type_=sa.JSON(),
                              existing_nullable=True, postgresql_using="after::json")
        batch_op.alter_column('before', existing_type=sa.Text(), type_=sa.JSON(),
                              existing_nullable=True, postgresql_using="before::json")
        batch_op.alter_column('id', existing_type=sa.BigInteger(), type_=sa.INTEGER(),
                              existing_nullable=False)
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('hash_version')
        batch_op.drop_column('postings_hash')
        batch_op.drop_column('postings_seq')
        batch_op.drop_column('actor_region')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE audit_log_id_seq OWNED BY audit_log.id")
        op.execute("SELECT setval('audit_log_id_seq', COALESCE((SELECT max(id) FROM audit_log), 0) + 1, false)")
        op.execute("ALTER TABLE audit_log ALTER COLUMN id SET DEFAULT nextval('audit_log_id_seq')")
    op.drop_table('checkpoints')
