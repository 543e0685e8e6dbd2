"""The application factory: /healthz and configuration from LEDGER_* variables."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from ledger import create_app, migrate
from ledger.config import INSTANCE_DIR, TestingConfig

# --- /healthz ------------------------------------------------------------------------------------


def test_healthz_on_a_migrated_database(app, client, db_url):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    head = migrate.head_revision()
    assert head is not None
    assert response.get_json() == {
        "status": "ok", "database": "postgresql" if db_url.startswith("postgresql") else "sqlite",
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

PRINT_CONFIG = """
import json, sys
from ledger import create_app
from ledger.config import ProductionConfig
cls = ProductionConfig if sys.argv[1:] == ["production"] else None
app = create_app(cls() if cls else None)
keys = ["DATABASE_URL", "SECRET_KEY", "FILING_PREFIX", "PUBLIC_URL", "TOKEN_TTL", "TESTING"]
print(json.dumps({k: app.config[k] for k in keys}, ensure_ascii=False))
"""


def app_config_in_subprocess(env_vars: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Config classes read the environment when imported, so each case needs its own process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGER_", "FLASK_"))}
    env.update(env_vars)
    return subprocess.run([sys.executable, "-c", PRINT_CONFIG, *args], env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_create_app_reads_ledger_variables(tmp_path):
    url = f"sqlite:///{tmp_path / 'from-env.sqlite3'}"
    result = app_config_in_subprocess({
        "LEDGER_DATABASE_URL": url, "LEDGER_SECRET_KEY": "s3cret-from-env",
        "LEDGER_FILING_PREFIX": "宁统备", "LEDGER_PUBLIC_URL": "https://ledger.example.cn",
        "LEDGER_TOKEN_TTL": "600"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "DATABASE_URL": url, "SECRET_KEY": "s3cret-from-env", "FILING_PREFIX": "宁统备",
        "PUBLIC_URL": "https://ledger.example.cn", "TOKEN_TTL": 600, "TESTING": False}


def test_create_app_defaults_without_ledger_variables():
    result = app_config_in_subprocess({})
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert config["DATABASE_URL"] == f"sqlite:///{INSTANCE_DIR / 'ledger.sqlite3'}"
    assert config["FILING_PREFIX"] == "统备"
    assert config["TOKEN_TTL"] == 28800


def test_production_refuses_the_default_secret_key():
    result = app_config_in_subprocess({}, "production")
    assert result.returncode != 0
    assert "LEDGER_SECRET_KEY must be set in production" in result.stderr
    ok = app_config_in_subprocess({"LEDGER_SECRET_KEY": "a-real-secret"}, "production")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["SECRET_KEY"] == "a-real-secret"


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
