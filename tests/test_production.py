"""Production settings: the secret key is required and login attempts are limited through Redis,
so that every gunicorn worker shares one count. Uses the real local Redis."""

from __future__ import annotations

import uuid

import pytest
import redis

from ledger import create_app
from ledger.config import ProductionConfig

REDIS_URL = "redis://127.0.0.1:6379/0"


def test_production_requires_a_secret_key():
    key = {"LEDGER_SIGNING_KEY_FILE": "/etc/ledger/signing-key.pem"}
    with pytest.raises(RuntimeError, match="LEDGER_SECRET_KEY"):
        ProductionConfig(environ=key)
    with pytest.raises(RuntimeError, match="LEDGER_SECRET_KEY"):
        ProductionConfig(environ=key | {"LEDGER_SECRET_KEY": ""})
    assert ProductionConfig(environ=key | {"LEDGER_SECRET_KEY": "x" * 40}).SECRET_KEY == "x" * 40


def test_production_requires_a_signing_key_outside_the_database():
    with pytest.raises(RuntimeError, match="LEDGER_SIGNING_KEY_FILE"):
        ProductionConfig(environ={"LEDGER_SECRET_KEY": "x" * 40})
    config = ProductionConfig(environ={"LEDGER_SECRET_KEY": "x" * 40,
                                       "LEDGER_SIGNING_KEY_FILE": "/etc/ledger/key.pem"})
    assert config.SIGNING_KEY_FILE == "/etc/ledger/key.pem"


def test_production_rate_limits_logins_through_redis(sqlite_template):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError as err:
        pytest.fail(f"Redis is not running on 127.0.0.1:6379 ({err}); .ci/run starts it")
    config = ProductionConfig(environ={"LEDGER_SECRET_KEY": "x" * 40,
                                       "LEDGER_SIGNING_KEY_FILE": "/etc/ledger/key.pem"})
    assert config.RATELIMIT_STORAGE_URI.startswith("redis://")
    prefix = f"ledger-test-{uuid.uuid4().hex}"
    app = create_app(config, DATABASE_URL=f"sqlite:///{sqlite_template}",
                     RATELIMIT_STORAGE_URI=REDIS_URL, LOGIN_RATE_LIMIT="3 per minute",
                     RATELIMIT_KEY_PREFIX=prefix)
    client = app.test_client()
    codes = [client.post("/api/v1/auth/token", json={"username": "nobody", "password": "wrong-pass"}).status_code
             for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    body = client.post("/api/v1/auth/token", json={"username": "nobody", "password": "x"}).json
    assert body["code"] == 429 and body["status"] == "Too Many Requests"
    stored = redis.Redis.from_url(REDIS_URL).keys(f"LIMITS:LIMITER/{prefix}/*")
    assert stored, "the limiter counted in Redis"
    app.extensions["ledger.engine"].dispose()
