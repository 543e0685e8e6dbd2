"""Ledger — cross-zone investment attribution ledger (跨开发区招商引资分配台账)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from ledger.config import Config
from ledger.db import make_engine, make_sessionmaker


def create_app(config: type[Config] | Config | None = None, **overrides) -> Flask:
    """The application: `config` is a Config class or object (default: Config from the
    environment), `overrides` single settings."""
    if config is None or isinstance(config, type):
        config = (config or Config)()
    app = Flask(__name__, template_folder="../templates", static_folder="static")
    app.config.from_object(config)
    from ledger.domain.limits import REQUEST_BODY_MAX
    app.config["MAX_CONTENT_LENGTH"] = REQUEST_BODY_MAX  # an import view raises its own
    app.config.update(overrides)
    from ledger.api.json_body import JSONProvider
    app.json = JSONProvider(app)  # bounded reading of request bodies; Chinese stays readable

    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    app.extensions["ledger.engine"] = engine
    app.extensions["ledger.sessionmaker"] = factory = make_sessionmaker(engine)

    from ledger import mail
    from ledger.commands import notify
    if app.config.get("SMTP_URL"):
        mail.Server.parse(app.config["SMTP_URL"])  # a wrong URL stops the start, not a mail

    def outgoing() -> notify.Outgoing | None:  # read at each commit: the config as it is then
        url = app.config.get("SMTP_URL")
        return notify.Outgoing(url, app.config["SMTP_FROM"], app.config["PUBLIC_URL"]) if url else None

    notify.install(factory, outgoing)  # the messages of each write, mailed after its commit

    from ledger import current
    app.teardown_appcontext(current.close_session)
    app.before_request(current.raise_upload_limit)  # before every blueprint's own hooks

    trusted = app.config.get("TRUSTED_PROXIES", 0)
    if trusted:  # the client address (login throttling, logs) is the one the proxies forwarded
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=trusted)

    from ledger import throttle
    from ledger.api import init_api
    from ledger.web import init_web
    throttle.init_app(app)
    init_api(app)
    init_web(app)
    from ledger.web.security import add_security_headers
    app.after_request(add_security_headers)  # every response, the API's included

    from ledger.cli import register
    register(app)
    return app


def main() -> None:
    """The `ledger` command: the commands of ledger.cli on an app made from the environment."""
    from flask.cli import FlaskGroup
    FlaskGroup(create_app=create_app, add_version_option=False,
               help="Ledger — 跨开发区招商引资分配台账").main(prog_name="ledger")
