"""Settings read from the environment (LEDGER_*) when a configuration is made — never at import,
so each app (and each test) gets exactly the environment it is created with."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"
DEV_SECRET_KEY = "dev-only-change-me"
# The defaults of the settings commands read (ledger.context.Settings has the same ones).
FILING_PREFIX = "统备"                     # 统备〔2026〕7号
TOKEN_TTL = 8 * 3600                      # seconds an API token lives
PUBLIC_URL = "http://127.0.0.1:5000"      # the verification links of printed documents


def embedded_database_url() -> str:
    """The default database: an SQLite file under instance/ (development and the demo)."""
    return f"sqlite:///{INSTANCE_DIR / 'ledger.sqlite3'}"


def development_key_file() -> Path:
    """The default signing key, beside the embedded database (`make key`)."""
    return INSTANCE_DIR / "signing-key.pem"


def _count(text: str, name: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) > 10:
        raise RuntimeError(f"{name} must be a whole number from 0 to 10, not {text!r}")
    return int(text)


class Config:
    """Development defaults (`ledger run`): SQLite under instance/, in-memory rate limits."""

    TESTING = False
    ratelimit_default = "memory://"
    public_url_from_request = True

    def __init__(self, environ: Mapping[str, str] | None = None):
        env = os.environ if environ is None else environ

        def get(name: str, default: str) -> str:
            return env.get(f"LEDGER_{name}", default)

        self.DATABASE_URL = get("DATABASE_URL", "") or embedded_database_url()
        self.SECRET_KEY = get("SECRET_KEY", "") or DEV_SECRET_KEY
        self.FILING_PREFIX = get("FILING_PREFIX", FILING_PREFIX)
        self.PUBLIC_URL = get("PUBLIC_URL", "") or PUBLIC_URL
        # Unset, a development server's documents link to the host they were asked from (the
        # port `ledger run --port` serves on), not to PUBLIC_URL's port 5000; in production
        # the request's Host header is no source for a printed link, and `ledger doctor` warns.
        self.PUBLIC_URL_SET = bool(get("PUBLIC_URL", ""))
        self.PUBLIC_URL_FROM_REQUEST = self.public_url_from_request and not self.PUBLIC_URL_SET
        self.TOKEN_TTL = int(get("TOKEN_TTL", str(TOKEN_TTL)))
        self.RATELIMIT_STORAGE_URI = get("RATELIMIT_STORAGE_URL", self.ratelimit_default)
        # Failed logins per account and per client address (ledger.throttle); the counters'
        # keys start with this deployment's prefix (several deployments may share a Redis).
        self.LOGIN_RATE_LIMIT = get("LOGIN_RATE_LIMIT", "10 per minute")
        # The public verification page of printed documents (/verify/<id>), per client address.
        self.VERIFY_RATE_LIMIT = get("VERIFY_RATE_LIMIT", "30 per minute")
        # ... and wrong verification codes there, per client address: past it every request
        # of the address carrying a code is refused (429) until the window ends.
        self.VERIFY_CODE_RATE_LIMIT = get("VERIFY_CODE_RATE_LIMIT", "10 per hour")
        self.LOGIN_ADDRESS_RATE_LIMIT = get("LOGIN_ADDRESS_RATE_LIMIT", "50 per minute")
        # Document downloads (API and web pages) per user: each may register a document and
        # journals a download (ledger.throttle.count_download).
        self.DOCUMENT_RATE_LIMIT = get("DOCUMENT_RATE_LIMIT", "20 per minute")
        self.RATELIMIT_KEY_PREFIX = get("RATELIMIT_KEY_PREFIX", "ledger")
        # Reverse proxies in front of the app whose X-Forwarded-For / -Proto are trusted
        # (werkzeug ProxyFix); 0: the connection's address is the client's.
        self.TRUSTED_PROXIES = _count(get("TRUSTED_PROXIES", "0"), "LEDGER_TRUSTED_PROXIES")
        # The Ed25519 key that signs checkpoints; `make run` creates a development key here.
        self.SIGNING_KEY_FILE = get("SIGNING_KEY_FILE", "") or str(development_key_file())
        # Where the import page keeps a refused upload for the next submit (ledger.web.imports;
        # empty: a folder of this user's under the system's temporary directory). Every worker
        # process of the site must see the same folder.
        self.IMPORT_KEPT_DIR = get("IMPORT_KEPT_DIR", "")
        # The web pages' session cookie: HttpOnly and SameSite=Lax always, Secure when the site
        # is served over HTTPS only (LEDGER_SECURE_COOKIES=1; then also HSTS).
        self.SESSION_COOKIE_SECURE = get("SECURE_COOKIES", "0").lower() in ("1", "true", "yes")
        self.SESSION_COOKIE_HTTPONLY = True
        # The messages are also mailed through this SMTP server (ledger.mail: smtp://host:port,
        # smtps://user:password@host:465), from SMTP_FROM; unset: nothing is sent.
        self.SMTP_URL = get("SMTP_URL", "")
        self.SMTP_FROM = get("SMTP_FROM", "ledger@localhost")
        self.SESSION_COOKIE_SAMESITE = "Lax"


class ProductionConfig(Config):
    """gunicorn (wsgi.py): several worker processes share the login rate limits through Redis."""

    ratelimit_default = "redis://127.0.0.1:6379/0"
    public_url_from_request = False

    def __init__(self, environ: Mapping[str, str] | None = None):
        super().__init__(environ)
        if self.SECRET_KEY == DEV_SECRET_KEY:
            raise RuntimeError("LEDGER_SECRET_KEY must be set in production")
        env = os.environ if environ is None else environ
        if not env.get("LEDGER_SIGNING_KEY_FILE"):
            raise RuntimeError("LEDGER_SIGNING_KEY_FILE must be set in production: the key that "
                               "signs checkpoints lives outside the database and its backups")


class TestingConfig(Config):
    TESTING = True
    __test__ = False  # a configuration, not a pytest test class

    def __init__(self, environ: Mapping[str, str] | None = None):
        super().__init__({} if environ is None else environ)
        self.SECRET_KEY = "test"
        self.LOGIN_RATE_LIMIT = self.LOGIN_ADDRESS_RATE_LIMIT = "1000 per minute"
        self.DOCUMENT_RATE_LIMIT = "1000 per minute"
