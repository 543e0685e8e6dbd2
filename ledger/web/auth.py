"""Logging in to the web pages: the session cookie holds a bearer token issued by the same
command as the API's (`issue_token`), so logging out revokes it, and a password change, a new
role or a deactivation (which revoke every token) end the web session too."""

from __future__ import annotations

import unicodedata
from functools import wraps
from urllib.parse import unquote, urlsplit

from flask import g, redirect, request, session, url_for

from ledger import current
from ledger.commands.users import actor_of, issue_token, revoke_token
from ledger.context import Context
from ledger.db import utcnow
from ledger.policy import Actor
from ledger.queries.users import check_password, user_for_token

TOKEN_KEY = "token"


def load_actor() -> None:
    """before_request: the logged-in user of this request (g.actor), or None."""
    raw = session.get(TOKEN_KEY)
    user = user_for_token(current.session(), raw, utcnow()) if raw else None
    if raw and user is None:
        session.pop(TOKEN_KEY, None)  # expired or revoked
    g.actor = actor_of(user) if user is not None else None
    g.must_change = user is not None and user.must_change_password


def actor() -> Actor | None:
    return g.get("actor")


def ctx() -> Context:
    return current.context(g.actor)


def log_in(username: object, password: object) -> bool:
    user = check_password(current.session(), username, password)
    if user is None:
        return False
    raw, _ = issue_token(current.context(actor_of(user)))
    session.clear()  # a new session for the new user (no fixation)
    session[TOKEN_KEY] = raw
    g.actor = actor_of(user)
    g.must_change = user.must_change_password
    return True


def session_token() -> str | None:
    """The bearer token of this web session (kept when the user changes their password)."""
    return session.get(TOKEN_KEY)


# The page a user whose password was reset is sent to, and the only one they may open.
PASSWORD_PAGE = "web.account_password"


def log_out() -> None:
    raw = session.get(TOKEN_KEY)
    if raw and g.get("actor") is not None:
        revoke_token(ctx(), raw)
    session.clear()


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.get("actor") is None:
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        if g.get("must_change") and request.endpoint != PASSWORD_PAGE:
            return redirect(url_for(PASSWORD_PAGE))
        return view(*args, **kwargs)
    return wrapper


def safe_next(target: object) -> str:
    """Where a `next` sends the browser (after logging in, after switching the language): a
    path of this site, else the dashboard. No open redirect, no 500 from a header with a line
    break."""
    if isinstance(target, str) and _local_path(target):
        return target
    return url_for("web.dashboard")


# Decoded at most this often (a path encoded twice or more is encoded on purpose).
_DECODINGS = 3


def _local_path(target: str) -> bool:
    """A path of this site: "/" then not "/" or "\\" (//host and /\\host are other sites to a
    browser), no backslash, no scheme or host, and no control, format or space character
    anywhere (a browser drops tabs and line breaks: "/\t/evil.example" is //evil.example) —
    as sent and after each percent-decoding, for whoever decodes it on the way."""
    for _ in range(_DECODINGS + 1):
        if not target.startswith("/") or target.startswith("//") or "\\" in target:
            return False
        if any(unicodedata.category(char)[0] in "CZ" for char in target):
            return False
        parts = urlsplit(target)
        if parts.scheme or parts.netloc:
            return False
        decoded = unquote(target)
        if decoded == target:
            return True
        target = decoded
    return False
