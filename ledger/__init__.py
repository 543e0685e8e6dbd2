"""Ledger — cross-zone investment attribution ledger (跨开发区招商引资分配台账)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import Flask, g, jsonify, render_template
from sqlalchemy.orm import Session

from ledger.config import Config
from ledger.db import make_engine, make_sessionmaker


def create_app(config: type[Config] | Config | None = None, **overrides) -> Flask:
    """The application: `config` is a Config class or object, `overrides` single settings."""
    app = Flask(__name__, template_folder="../templates", static_folder="static")
    app.config.from_object(config or Config)
    app.config.update(overrides)

    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    app.extensions["ledger.engine"] = engine
    app.extensions["ledger.sessionmaker"] = make_sessionmaker(engine)

    @app.teardown_appcontext
    def _close_session(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.close()

    @app.get("/healthz")
    def healthz():
        from ledger.migrate import current_revision, head_revision
        head = head_revision()
        try:
            current = current_revision(engine)
        except sa.exc.OperationalError:
            return jsonify(status="degraded", database=engine.dialect.name, revision=None,
                           head=head, error="database unreachable"), 503
        ok = current is not None and current == head
        return jsonify(status="ok" if ok else "degraded", database=engine.dialect.name,
                       revision=current, head=head), (200 if ok else 503)

    @app.get("/")
    def index():
        # Public: anonymous users learn what this is and where to log in, nothing more (SPEC §4).
        return render_template("index.html")

    app.json.ensure_ascii = False  # Chinese stays readable in JSON
    from ledger.api import init_api
    from ledger.api.auth import limiter
    limiter.init_app(app)
    init_api(app)

    from ledger.cli import register
    register(app)
    return app


def get_session() -> Session:
    """The session of the current request or command (closed at teardown)."""
    from flask import current_app
    if "db_session" not in g:
        g.db_session = current_app.extensions["ledger.sessionmaker"]()
    return g.db_session
