"""GET/POST /users, GET/PATCH /users/{id} (administrators)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_smorest import abort

from ledger import get_session
from ledger.api.support import actor, api_blueprint, idempotent, if_match, paginate, with_etag
from ledger.models import User
from ledger.policy import require_admin
from ledger.schemas.requests import UserCreate, UserPatch
from ledger.schemas.resources import UserSchema
from ledger.services.users import create_user, update_user

blp = api_blueprint("users", "Accounts (administrators only)")


@blp.route("/users")
@blp.response(200, UserSchema(many=True))
@blp.paginate()
def list_users(pagination_parameters):
    """Every account, by username."""
    require_admin(actor(), "list users")
    return paginate(sa.select(User).order_by(User.username), pagination_parameters)


@blp.route("/users", methods=["POST"])
@idempotent
@blp.arguments(UserCreate)
@blp.response(201, UserSchema)
def post_user(data):
    """Create an account."""
    user = create_user(get_session(), actor(), data)
    return with_etag(UserSchema().dump(user), user.row_version, 201)


@blp.route("/users/<int:user_id>")
@blp.response(200, UserSchema)
def get_user(user_id: int):
    require_admin(actor(), "read users")
    user = get_session().get(User, user_id)
    if user is None:
        abort(404, message=f"user {user_id} not found")
    return with_etag(UserSchema().dump(user), user.row_version)


@blp.route("/users/<int:user_id>", methods=["PATCH"])
@blp.arguments(UserPatch)
@blp.response(200, UserSchema)
def patch_user(data, user_id: int):
    """Change role, region, password or active (needs If-Match)."""
    require_admin(actor(), "manage users")
    user = update_user(get_session(), actor(), user_id, data, row_version=if_match(required=True))
    return with_etag(UserSchema().dump(user), user.row_version)

