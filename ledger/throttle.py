"""Throttling of logins, one rule for the API's POST /auth/token and the
web page's login form, counted together:

- per account: at most LOGIN_RATE_LIMIT failed attempts for one username (from any address), so
  a password cannot be guessed from many addresses;
- per address: at most LOGIN_ADDRESS_RATE_LIMIT failed attempts from one client address (for
  any username), so one client cannot try many accounts; larger, because many people may share
  an address.

Only attempts that did not log in count: a user whose colleague behind the same proxy mistyped
a password seven times still gets in. The client address is the connection's, or — behind
LEDGER_TRUSTED_PROXIES reverse proxies (werkzeug's ProxyFix, applied by create_app) — the one
they forwarded. Counters live in RATELIMIT_STORAGE_URI (Redis under gunicorn, so that every
worker shares them) under the deployment's key prefix RATELIMIT_KEY_PREFIX, so two deployments
sharing a Redis do not share counters.

Each app has its own counters (the `limits` library, on which Flask-Limiter is built, used
directly: Flask-Limiter's decorators bind one storage and one key prefix per process, whatever
app is serving). A check and its count are two steps: under concurrent attempts an account
may get a few more tries than its limit, never unlimited ones.

`address_limited` throttles a public page per client address (the verification page of printed
documents, VERIFY_RATE_LIMIT) with the same storage and prefix, and `failures_limited` the
failed attempts there (wrong verification codes, VERIFY_CODE_RATE_LIMIT); `count_download` the document
downloads of one user (DOCUMENT_RATE_LIMIT, API and web pages counted together: each may
register a document and journals the download)."""

from __future__ import annotations

import threading
import time
from functools import wraps
from typing import TYPE_CHECKING

from flask import Flask, current_app, make_response, request
from werkzeug.exceptions import TooManyRequests

from ledger.domain import limits as sizes
from ledger.domain.errors import TooMany

if TYPE_CHECKING:
    from limits import RateLimitItem
    from limits.storage import Storage
    from limits.strategies import FixedWindowRateLimiter

SCOPE = "login"  # one scope: the API and the web page count the same attempts
EXTENSION = "ledger.throttle"


class Throttle:
    """The counters of one app. The storage (and with it `limits` and the Redis client) is made
    at the first count, not at start: the app starts without loading them, and no Redis client
    exists before gunicorn forks its workers (--preload); each worker makes its own."""

    def __init__(self, uri: str, prefix: str):
        self.uri = uri
        self.prefix = prefix
        self._lock = threading.Lock()
        self._limiter: FixedWindowRateLimiter | None = None

    @property
    def limiter(self) -> FixedWindowRateLimiter:
        if self._limiter is None:
            with self._lock:  # one storage even when two threads count first at once
                if self._limiter is None:
                    from limits.storage import storage_from_string
                    from limits.strategies import FixedWindowRateLimiter
                    self._limiter = FixedWindowRateLimiter(storage_from_string(self.uri))
        return self._limiter

    @property
    def storage(self) -> Storage:
        return self.limiter.storage


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = Throttle(app.config["RATELIMIT_STORAGE_URI"],
                                         app.config["RATELIMIT_KEY_PREFIX"])


def parse(rule: str) -> RateLimitItem:
    """A rate limit setting ("20 per minute") as the `limits` library's item."""
    from limits import parse as parse_limit  # with the storage: not loaded at start
    return parse_limit(rule)


def reset(app: Flask) -> None:
    """Forget every count (tests; a new deployment starts with none anyway)."""
    app.extensions[EXTENSION].storage.reset()


def _username() -> str:
    """The username a login request names (JSON body or form), normalized as the lookup is."""
    name = None
    if request.is_json:
        body = request.get_json(silent=True)
        if isinstance(body, dict):
            name = body.get("username")
    else:
        name = request.form.get("username")
    if not isinstance(name, str):
        return ""
    # Capped first: a username is at most USERNAME_MAX characters (longer is refused anyway).
    return name[: sizes.USERNAME_MAX + sizes.SURROUNDING_SPACE].strip().casefold()


def _checks() -> list[tuple[RateLimitItem, str, str]]:
    config = current_app.config
    return [(parse(config["LOGIN_RATE_LIMIT"]), "account", _username()),
            (parse(config["LOGIN_ADDRESS_RATE_LIMIT"]), "address", request.remote_addr or "")]


def login_throttled(view):
    """Decorate a login view: a POST is refused with 429 (and Retry-After) while its account or
    its address has used up its failed attempts; a POST that does not log in counts on both."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if request.method != "POST":
            return view(*args, **kwargs)
        throttle: Throttle = current_app.extensions[EXTENSION]
        checks = _checks()
        for item, kind, who in checks:
            ids = (throttle.prefix, SCOPE, kind, who)
            if not throttle.limiter.test(item, *ids):
                _refuse(throttle, item, ids, "too many failed login attempts; try again later")
        def count() -> None:
            for item, kind, who in checks:
                throttle.limiter.hit(item, throttle.prefix, SCOPE, kind, who)

        try:
            response = make_response(view(*args, **kwargs))
        except Exception:  # refused (API: 401 or 422, raised as errors)
            count()
            raise
        if response.status_code >= 400:  # the web page shows its form again
            count()
        return response
    return wrapper


def address_limited(scope: str, setting: str):
    """Decorate a public view: every request counts, at most `config[setting]` per client
    address (the public verification page of printed documents)."""
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            throttle: Throttle = current_app.extensions[EXTENSION]
            item = parse(current_app.config[setting])
            ids = (throttle.prefix, scope, "address", request.remote_addr or "")
            if not throttle.limiter.hit(item, *ids):
                _refuse(throttle, item, ids, "too many requests; try again later")
            return view(*args, **kwargs)
        return wrapper
    return decorate


def failures_limited(scope: str, setting: str):
    """(refuse, count) for failed attempts per client address at a public page (a wrong
    verification code): `refuse()` answers 429 while the address has used up `config[setting]`,
    `count()` counts one failure."""
    def ids_and_item() -> tuple[Throttle, RateLimitItem, tuple[str, ...]]:
        throttle: Throttle = current_app.extensions[EXTENSION]
        return (throttle, parse(current_app.config[setting]),
                (throttle.prefix, scope, "failed", request.remote_addr or ""))

    def refuse() -> None:
        throttle, item, ids = ids_and_item()
        if not throttle.limiter.test(item, *ids):
            _refuse(throttle, item, ids, "too many wrong codes; try again later")

    def count() -> None:
        throttle, item, ids = ids_and_item()
        throttle.limiter.hit(item, *ids)
    return refuse, count


def count_download(username: str) -> None:
    """One document download by the user `username`: refused (429 document.too_many_downloads, with
    Retry-After) past DOCUMENT_RATE_LIMIT per user — before anything is written or rendered."""
    throttle: Throttle = current_app.extensions[EXTENSION]
    item = parse(current_app.config["DOCUMENT_RATE_LIMIT"])
    ids = (throttle.prefix, "documents", "user", username)
    if not throttle.limiter.hit(item, *ids):
        raise TooMany("document.too_many_downloads", count=item.amount,
                      window=item.get_expiry(), seconds=_retry_after(throttle, item, ids))


def _retry_after(throttle: Throttle, item: RateLimitItem, ids: tuple[str, ...]) -> int:
    reset_at = throttle.limiter.get_window_stats(item, *ids).reset_time
    return max(1, int(reset_at - time.time()) + 1)


def _refuse(throttle: Throttle, item: RateLimitItem, ids: tuple[str, ...], why: str):
    """429 with Retry-After; an HTTPException, so the API renders its JSON error body and the
    web its page."""
    raise TooManyRequests(why, retry_after=_retry_after(throttle, item, ids))
