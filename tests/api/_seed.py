"""A seeded database for the API tests, built once per backend and restored before each test.

The seed is tests.factories.World plus an administrator, one agreement in each workflow state,
monthly reports, a closed year and a bearer token for every actor. Building it costs seconds
(Argon2 hashes); restoring it costs milliseconds: SQLite copies the seeded file back, PostgreSQL
truncates and re-inserts the rows captured right after seeding.

Actors (the columns of the permission matrix):
    anon         no credentials
    admin        administrator
    statistics   统计局 (filing body, closes years)
    commerce     商务厅 (filing body)
    host         灵武市 640181: hosts every seeded project and is the receiving party
    recommender  兴庆区 640104: the recommending party of every seeded agreement
    bystander    平罗县 640221: a region that is neither host nor party of anything
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from ledger import create_app, get_session
from ledger.config import TestingConfig
from ledger.db import Base
from ledger.models import User
from ledger.services import agreements
from ledger.services.users import issue_token
from tests.factories import World

ACTORS = ("anon", "admin", "statistics", "commerce", "host", "recommender", "bystander")
REGION_OF = {"host": "640181", "recommender": "640104", "bystander": "640221"}
PASSWORD = "secret-pass"  # World's password for every user
TOKEN_TTL = 7 * 24 * 3600


@dataclass
class Seed:
    """What the seed holds: ids by name, tokens and usernames by actor."""

    ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    usernames: dict[str, str] = field(default_factory=dict)


def build(session) -> Seed:
    """Fill an empty, migrated database (inside an app context)."""
    w = World(session)
    admin = w.user("admin", "admin")
    seed = Seed()
    by_actor = {"admin": admin, "statistics": w.statistics, "commerce": w.commerce,
                "host": w.lingwu, "recommender": w.xingqing, "bystander": w.pingluo}

    p_filed = w.project()
    a_filed = w.agreement(p_filed)  # 兴庆区 recommends, 30 % from 2025, filed
    w.report(p_filed, "2025-01", "10.05")
    w.report(p_filed, "2025-02", "10.05")
    p_draft = w.project()
    a_draft = w.agreement(p_draft, file=False)  # proposed by the recommender
    p_signed = w.project()
    a_signed = w.agreement(p_signed, file=False)
    agreements.confirm(session, w.lingwu, a_signed.id)
    p_submitted = w.project()
    a_submitted = w.agreement(p_submitted, file=False)
    agreements.confirm(session, w.lingwu, a_submitted.id)
    agreements.submit(session, w.lingwu, a_submitted.id)
    p_free = w.project()  # hosted by 灵武市, no agreement: only the host (and officials) see it
    p_unlanded = w.project(stage="signed")
    w.close(2023)

    seed.ids.update(
        zone_lw=w.zone_lw.id, zone_xq=w.zone_xq.id,
        p_filed=p_filed.id, p_draft=p_draft.id, p_signed=p_signed.id,
        p_submitted=p_submitted.id, p_free=p_free.id, p_unlanded=p_unlanded.id,
        a_filed=a_filed.id, a_draft=a_draft.id, a_signed=a_signed.id, a_submitted=a_submitted.id,
    )
    for name, actor in by_actor.items():
        user = session.get(User, actor.id)
        seed.ids[f"u_{name}"] = user.id
        seed.usernames[name] = user.username
        seed.tokens[name], _ = issue_token(session, user, TOKEN_TTL)
    return seed


# ------------------------------------------------------------------ row counts

def row_counts(engine: sa.Engine) -> dict[str, int]:
    """Rows per table (the API tests' "nothing was written" check)."""
    with engine.connect() as conn:
        return {t.name: conn.scalar(sa.select(sa.func.count()).select_from(t))
                for t in Base.metadata.sorted_tables}


def db_state(engine: sa.Engine) -> dict[str, list[str]]:
    """Every row of every table (the seed is small): a refused request must leave it equal."""
    with engine.connect() as conn:
        return {t.name: sorted(repr(tuple(r)) for r in conn.execute(sa.select(t)))
                for t in Base.metadata.sorted_tables}


def postings_head(engine: sa.Engine) -> tuple[int | None, str | None]:
    from ledger.models import Posting
    with engine.connect() as conn:
        row = conn.execute(sa.select(Posting.seq, Posting.hash)
                           .order_by(Posting.seq.desc()).limit(1)).first()
    return (row.seq, row.hash) if row else (None, None)


# ------------------------------------------------------------------ backends

class SeededBackend:
    """One app on one database; `reset()` puts the seed back."""

    name: str
    app = None
    seed: Seed

    @property
    def engine(self) -> sa.Engine:
        return self.app.extensions["ledger.engine"]

    def reset(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.engine.dispose()


class SqliteBackend(SeededBackend):
    name = "sqlite"

    def __init__(self, template: str, workdir: Path):
        self.seeded = workdir / "seeded.sqlite3"
        self.live = workdir / "live.sqlite3"
        shutil.copy(template, self.seeded)
        builder = create_app(TestingConfig, DATABASE_URL=f"sqlite:///{self.seeded}")
        with builder.app_context():
            self.seed = build(get_session())
        builder.extensions["ledger.engine"].dispose()  # checkpoints the WAL into the file
        self.app = create_app(TestingConfig, DATABASE_URL=f"sqlite:///{self.live}")
        self.reset()

    def reset(self) -> None:
        self.engine.dispose()
        for suffix in ("-wal", "-shm"):
            Path(f"{self.live}{suffix}").unlink(missing_ok=True)
        shutil.copy(self.seeded, self.live)


class PostgresBackend(SeededBackend):
    name = "postgres"

    def __init__(self, url: str):
        from tests.conftest import truncate_postgres
        truncate_postgres(url)
        self.app = create_app(TestingConfig, DATABASE_URL=url)
        with self.app.app_context():
            self.seed = build(get_session())
        with self.engine.connect() as conn:
            self.rows = {t.name: [dict(r._mapping) for r in conn.execute(sa.select(t))]
                         for t in Base.metadata.sorted_tables}

    def reset(self) -> None:
        tables = Base.metadata.sorted_tables
        with self.engine.begin() as conn:
            for table in reversed(tables):  # DELETE is much faster than TRUNCATE on tiny tables
                conn.execute(table.delete())
            for table in tables:
                if self.rows[table.name]:
                    conn.execute(table.insert(), self.rows[table.name])
            for table in tables:
                pk = list(table.primary_key.columns)
                if len(pk) == 1 and isinstance(pk[0].type, sa.Integer) and pk[0].autoincrement is not False:
                    col = pk[0].name
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{col}'), "
                        f"COALESCE((SELECT max({col}) FROM {table.name}), 1), "
                        f"(SELECT max({col}) FROM {table.name}) IS NOT NULL)")


# ------------------------------------------------------------------ valid request bodies
# "{name}" strings are replaced by the seed's ids (see fill()).

VALID_CREDIT_CODE = "91640000710600058B"
PROJECT_BODY = {"name": "新材料项目", "investor_name": "宁夏某新材料有限公司",
                "investor_credit_code": VALID_CREDIT_CODE, "industry_code": "C2614",
                "planned_investment": "1200.50", "zone_id": "{zone_lw}", "signed_on": "2025-05-01"}
AGREEMENT_BODY = {"project_id": "{p_free}", "recommender_code": "640104", "recommender_share": "30",
                  "first_year": 2026, "last_year": None, "signed_on": "2026-01-10",
                  "signatories": {"recommender": "张三", "receiver": "李四"},
                  "reason": "兴庆区开发区不含化工产业定位"}
USER_BODY = {"username": "newuser", "password": "long-password-1", "role": "commerce"}
REGION_BODY = {"code": "640181-LWYR", "name": "灵武羊绒园区管委会", "level": "committee",
               "parent_code": "640181"}
ZONE_BODY = {"name": "平罗工业园区", "level": "provincial", "kind": "industrial",
             "region_code": "640221", "blocks": ["太沙区块"], "leading_industries": ["C30"],
             "restricted_industries": []}


def fill(value, ids: dict):
    """A copy of `value` with every "{name}" string replaced by ids[name]."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    return value
