"""POST /auth/token (log in), DELETE /auth/token (log out: revoke this token) and GET /me."""

from __future__ import annotations

from flask import request
from flask_smorest import abort

from ledger import current
from ledger.api.support import BEARER_RE, actor, api_blueprint, authenticate, ctx
from ledger.domain.errors import Forbidden
from ledger.commands.users import actor_of, issue_token, revoke_token
from ledger.queries.users import check_password, me as user_of
from ledger.schemas.requests import TokenRequest
from ledger.schemas.resources import TokenSchema, UserSchema
from ledger.throttle import login_throttled

blp = api_blueprint("auth", "Bearer tokens and the current user", public=True)


@blp.route("/auth/token", methods=["POST"])
@login_throttled
@blp.doc(security=[])
@blp.arguments(TokenRequest)
@blp.response(200, TokenSchema)
def token(data):
    """Exchange a username and password for a bearer token (rate limited)."""
    user = check_password(current.session(), data["username"], data["password"])
    if user is None:
        abort(401, message="wrong username or password, or the account is inactive")
    if user.must_change_password:  # an administrator's one-time password opens only the web page
        raise Forbidden("password.must_change", field="password")  # that replaces it
    context = current.context(actor_of(user))
    raw, _ = issue_token(context)
    # A token is a credential: no cache may keep the answer (RFC 6749 §5.1).
    return ({"access_token": raw, "token_type": "bearer",
             "expires_in": context.settings.token_ttl},
            {"Cache-Control": "no-store", "Pragma": "no-cache"})


@blp.route("/auth/token", methods=["DELETE"], endpoint="revoke_token")
@blp.response(204, description="the token is revoked: it answers 401 from now on")
def revoke():
    """Log out: revoke the bearer token this request carries (the user's other tokens stay)."""
    authenticate()
    revoke_token(ctx(), BEARER_RE.fullmatch(request.headers["Authorization"])[1])


@blp.route("/me")
@blp.response(200, UserSchema)
def me():
    """The authenticated user and role."""
    authenticate()
    return user_of(current.session(), actor())
