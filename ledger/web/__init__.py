"""The HTML side of the app: the public index page, the health check and the pages' languages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Flask, current_app, jsonify, render_template

from ledger import migrate
from ledger.web.i18n import init_i18n

bp = Blueprint("web", __name__)


@bp.get("/")
def index():
    # Public: anonymous users learn what this is and where to log in, nothing more (SPEC §4).
    return render_template("index.html")


@bp.get("/healthz")
def healthz():
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


def init_web(app: Flask) -> None:
    init_i18n(app)
    app.register_blueprint(bp)
