"""The application factory: /healthz and configuration from LEDGER_* variables."""

from __future__ import annotations

import os

import pytest

from ledger import create_app, migrate
from ledger.config import INSTANCE_DIR, ProductionConfig, TestingConfig

# --- /healthz ------------------------------------------------------------------------------------


def test_healthz_on_a_migrated_database(app, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    head = migrate.head_revision()
    assert head is not None
    assert response.get_json() == {
        "status": "ok", "database": "postgresql" if app.config["DATABASE_URL"].startswith("postgresql") else "sqlite",
        "revision": head, "head": head}


def test_healthz_on_an_empty_sqlite_database(tmp_path):
    app = create_app(TestingConfig, DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    try:
        response = app.test_client().get("/healthz")
    finally:
        app.extensions["ledger.engine"].dispose()
    assert response.status_code == 503
    assert response.get_json() == {"status": "degraded", "database": "sqlite", "revision": None,
                                   "head": migrate.head_revision()}


def test_healthz_after_a_downgrade_is_degraded(app, client):
    engine = app.extensions["ledger.engine"]
    migrate.downgrade(engine, "base")
    try:
        response = client.get("/healthz")
    finally:
        migrate.upgrade(engine)
    assert response.status_code == 503
    assert response.get_json()["status"] == "degraded"
    assert response.get_json()["revision"] is None
    assert client.get("/healthz").status_code == 200


# --- configuration -------------------------------------------------------------------------------

KEYS = ["DATABASE_URL", "SECRET_KEY", "FILING_PREFIX", "PUBLIC_URL", "TOKEN_TTL", "TESTING"]


def config_of(monkeypatch, env_vars: dict[str, str], config_class=None) -> dict:
    """The settings of an app made under exactly these LEDGER_* variables (a configuration
    reads the environment when it is made, not when it is imported)."""
    for name in [k for k in os.environ if k.startswith(("LEDGER_", "FLASK_"))]:
        monkeypatch.delenv(name)
    for name, value in env_vars.items():
        monkeypatch.setenv(name, value)
    app = create_app(config_class() if config_class else None)
    try:
        return {k: app.config[k] for k in KEYS}
    finally:
        app.extensions["ledger.engine"].dispose()


def test_create_app_reads_ledger_variables(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'from-env.sqlite3'}"
    assert config_of(monkeypatch, {
        "LEDGER_DATABASE_URL": url, "LEDGER_SECRET_KEY": "s3cret-from-env",
        "LEDGER_FILING_PREFIX": "宁统备", "LEDGER_PUBLIC_URL": "https://ledger.example.cn",
        "LEDGER_TOKEN_TTL": "600"}) == {
        "DATABASE_URL": url, "SECRET_KEY": "s3cret-from-env", "FILING_PREFIX": "宁统备",
        "PUBLIC_URL": "https://ledger.example.cn", "TOKEN_TTL": 600, "TESTING": False}


def test_create_app_defaults_without_ledger_variables(monkeypatch):
    config = config_of(monkeypatch, {})
    assert config["DATABASE_URL"] == f"sqlite:///{INSTANCE_DIR / 'ledger.sqlite3'}"
    assert config["FILING_PREFIX"] == "统备"
    assert config["TOKEN_TTL"] == 28800
    assert config["PUBLIC_URL"] == "http://127.0.0.1:5000"


def test_a_context_without_settings_has_the_configurations_defaults():
    """A command run without an app (a test, a worker) reads the same defaults as the app."""
    from ledger.config import Config
    from ledger.context import Settings

    app, bare = Settings.from_config(vars(Config({}))), Settings()
    assert (bare.filing_prefix, bare.token_ttl, bare.public_url) == (
        app.filing_prefix, app.token_ttl, app.public_url) == ("统备", 28800, "http://127.0.0.1:5000")


def test_production_refuses_the_default_secret_key(monkeypatch, tmp_path):
    with pytest.raises(RuntimeError, match="LEDGER_SECRET_KEY must be set in production"):
        config_of(monkeypatch, {}, ProductionConfig)
    ok = config_of(monkeypatch, {"LEDGER_SECRET_KEY": "a-real-secret",
                                 "LEDGER_SIGNING_KEY_FILE": "/etc/ledger/key.pem",
                                 "LEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}"},
                   ProductionConfig)
    assert ok["SECRET_KEY"] == "a-real-secret"


def test_keyword_overrides_win_over_the_config_class(tmp_path):
    url = f"sqlite:///{tmp_path / 'override.sqlite3'}"
    app = create_app(TestingConfig, DATABASE_URL=url, FILING_PREFIX="测试备")
    try:
        assert app.config["DATABASE_URL"] == url
        assert app.config["FILING_PREFIX"] == "测试备"
        assert app.config["TESTING"] is True
        assert str(app.extensions["ledger.engine"].url) == url
    finally:
        app.extensions["ledger.engine"].dispose()


def test_index_page_is_public_and_chinese(client):
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'lang="zh-CN"' in page
    assert "仅用于年度绩效考核" in page and "/api/v1/docs" in page


def test_the_wsgi_app_starts_without_alembic_redis_or_the_renderers(tmp_path):
    """`from wsgi import app` (gunicorn's start) loads none of what only some requests need:
    Alembic (/healthz), Redis and `limits` (the first counted login or download), the PDF and
    spreadsheet libraries (the first document or sheet), nor makes the login's dummy hash; and
    it opens no database connection and no Redis client, which `gunicorn --preload` would
    otherwise hand to every worker."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    later = ["alembic", "redis", "limits", "weasyprint", "openpyxl", "fontTools", "pydyf"]
    code = ("import json, sys; from wsgi import app; import ledger.passwords as p; "
            f"print(json.dumps([[m for m in {later!r} if m in sys.modules], "
            "p._dummy_hash.cache_info().currsize, "
            "app.extensions['ledger.engine'].pool.checkedin(), "
            "app.extensions['ledger.throttle']._limiter is None]))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(LEDGER_SECRET_KEY="start-test", LEDGER_SIGNING_KEY_FILE=str(tmp_path / "key.pem"),
               LEDGER_DATABASE_URL=f"sqlite:///{tmp_path / 'start.sqlite3'}",
               PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parent.parent, check=True).stdout
    assert json.loads(out.splitlines()[-1]) == [[], 0, 0, True]


def test_gunicorns_arbiter_reads_the_fonts_coverage_once_for_its_workers():
    """gunicorn.conf.py's when_ready (in the arbiter, before the workers fork) reads what text
    input is held to, so that no worker reads it again at its first request with text; then
    freezes it out of the collector's passes, as wsgi.py does the app."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    code = ("import gc, runpy; from ledger import fonts; "
            "conf = runpy.run_path('gunicorn.conf.py'); "
            "before = fonts.coverage.cache_info().currsize; conf['when_ready'](None); "
            "print(before, fonts.coverage.cache_info().currsize, gc.get_freeze_count() > 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root,
                         env=dict(os.environ, PYTHONPATH=str(root)), check=True).stdout
    assert out.split() == ["0", "1", "True"]
