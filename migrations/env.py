"""Alembic environment: the engine comes from ledger.migrate (config.attributes["engine"])."""

from alembic import context

import ledger.models  # noqa: F401  (registers every table on Base.metadata)
from ledger.db import Base

config = context.config


def _skip_empty_revision(_context, _revision, directives) -> None:
    # `ledger db revision` with nothing to migrate writes no file.
    if config.attributes.get("skip_empty_autogenerate") and directives[0].upgrade_ops.is_empty():
        directives[:] = []


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        raise SystemExit("run migrations through `ledger db …` (ledger.migrate), "
                         "which passes the engine")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,
            compare_type=True,
            process_revision_directives=_skip_empty_revision,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; use `ledger db upgrade`")
run_migrations_online()
