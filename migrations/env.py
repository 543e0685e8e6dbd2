"""Alembic environment: the engine comes from ledger.migrate (config.attributes["engine"])."""

from alembic import context

import ledger.models  # noqa: F401  (registers every table on Base.metadata)
from ledger.db import Base

config = context.config


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; use `ledger db upgrade`")
run_migrations_online()
