"""Settings read from the environment (LEDGER_*), one class per mode."""

from __future__ import annotations

import os
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"LEDGER_{name}", default)


class Config:
    TESTING = False
    DATABASE_URL = _env("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'ledger.sqlite3'}"
    SECRET_KEY = _env("SECRET_KEY") or "dev-only-change-me"
    FILING_PREFIX = _env("FILING_PREFIX", "统备")
    PUBLIC_URL = _env("PUBLIC_URL", "http://127.0.0.1:5000")
    TOKEN_TTL = int(_env("TOKEN_TTL", "28800"))
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URL", "memory://")
    LOGIN_RATE_LIMIT = _env("LOGIN_RATE_LIMIT", "10 per minute")


class ProductionConfig(Config):
    """gunicorn (wsgi.py): several worker processes share the login rate limits through Redis."""

    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URL", "redis://127.0.0.1:6379/0")

    def __init__(self) -> None:
        if self.SECRET_KEY == "dev-only-change-me":
            raise RuntimeError("LEDGER_SECRET_KEY must be set in production")


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "test"
    LOGIN_RATE_LIMIT = "1000 per minute"
