"""/healthz: is the database reachable and migrated to the code's head revision (200), or not
(503, `degraded`)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, jsonify

from ledger.web.blueprint import bp


@bp.get("/healthz")
def healthz():
    from ledger import migrate  # here, not at the top: Alembic is not loaded at start
    engine = current_app.extensions["ledger.engine"]
    head = migrate.head_revision()
    try:
        current = migrate.current_revision(engine)
    except sa.exc.OperationalError:
        return jsonify(status="degraded", database=engine.dialect.name, revision=None,
                       head=head, error="database unreachable"), 503
    ok = current is not None and current == head
    return jsonify(status="ok" if ok else "degraded", database=engine.dialect.name,
                   revision=current, head=head), (200 if ok else 503)
