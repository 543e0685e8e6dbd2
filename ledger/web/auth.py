"""Logging in to the web pages: the session cookie holds a bearer token issued by the same
command as the API's (`issue_token`), so logging out revokes it, and a password change, a new
role or a deactivation (which revoke every token) end the web session too."""

from __future__ import annotations

from functools import wraps

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
    return True


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
        return view(*args, **kwargs)
    return wrapper


def safe_next(target: str | None, default: str) -> str:
    """Only a path of this site (never //host or a scheme): no open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default
