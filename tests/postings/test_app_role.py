"""The least-privilege PostgreSQL role the README gives the application: it runs the
application, and it cannot change the append-only tables even with the triggers off."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from ledger import create_app, current
from ledger.config import TestingConfig
from ledger.commands.funds import record_funds
from ledger.commands.inputs import FundsRow
from tests import drive
from tests.factories import ADMIN, World

README = Path(__file__).resolve().parents[2] / "README.md"


def role_sql(role: str, database: str) -> str:
    """The README's `ledger-app-role` block, for this role and database."""
    block = re.search(r"```sql ledger-app-role\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert block, "README.md has no ledger-app-role block"
    return block[1].replace("ledger_app", role).replace("DATABASE ledger", f'DATABASE "{database}"')


@pytest.fixture
def app_role(postgres_backend, signing_key_file):
    """The README's role on this worker's database, and an app connected as it."""
    owner = postgres_backend.engine
    role = f"ledger_app_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    url = owner.url.set(username=role, password=None)
    ids = postgres_backend.restore("world")
    with owner.begin() as conn:
        if conn.scalar(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}):
            conn.exec_driver_sql(f"DROP OWNED BY {role}")
            conn.exec_driver_sql(f"DROP ROLE {role}")
        sql = "\n".join(line for line in role_sql(role, owner.url.database).splitlines()
                        if not line.startswith("--"))
        for statement in sql.split(";"):
            if statement.strip():
                conn.exec_driver_sql(statement)
    app = create_app(TestingConfig, DATABASE_URL=url.render_as_string(hide_password=False),
                     SIGNING_KEY_FILE=str(signing_key_file))
    yield app, ids
    app.extensions["ledger.engine"].dispose()
    with owner.begin() as conn:
        conn.exec_driver_sql(f"DROP OWNED BY {role}")
        conn.exec_driver_sql(f"DROP ROLE {role}")


def test_the_application_runs_as_the_least_privileged_role(app_role):
    app, ids = app_role
    with app.app_context():
        world = World(current.session(), ids)
        drive.create_region(world.ctx(ADMIN), {"code": "640199", "name": "新设区",
                                               "level": "county", "parent_code": "640100"})
        project = world.project()
        world.report(project, "2025-01", "10.05")
        world.agreement(project, share="30", first_year=2025)
        record_funds(world.ctx(world.lingwu), FundsRow(
            row=1, received_on=date(2025, 3, 1), amount=1005, source="domestic",
            payer="宁夏某某有限公司", project_id=project.id))
        world.close(2025)
    with app.app_context():
        from tests.helpers import verify
        assert verify(current.session()).ok
    engine = app.extensions["ledger.engine"]
    for statement in ("UPDATE postings SET amount = amount + 1", "DELETE FROM audit_log",
                      "UPDATE investment_reports SET amount = 0", "DELETE FROM checkpoints",
                      "TRUNCATE postings", "DELETE FROM projects"):
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            with engine.begin() as conn:
                # Even a role that could switch the triggers off has no right to these.
                conn.exec_driver_sql(statement)
