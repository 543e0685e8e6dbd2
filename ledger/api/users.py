"""GET/POST /users, GET/PATCH /users/{id} (administrators)."""

from __future__ import annotations

from ledger import current
from ledger.api.support import (
    api_blueprint, ctx, idempotent, if_match, page_args, paginated, with_etag,
)
from ledger.commands.users import create_user, update_user
from ledger.policy import require_user_admin
from ledger.queries import users as user_queries
from ledger.queries.pagination import page_of
from ledger.schemas.requests import UserCreate, UserPatch
from ledger.schemas.resources import UserSchema

blp = api_blueprint("users", "Accounts (administrators only)")


@blp.route("/users")
@blp.response(200, UserSchema(many=True))
@blp.paginate()
def list_users(pagination_parameters):
    """Every account, by username."""
    page = page_of(current.session(), user_queries.users(ctx().actor),
                   **page_args(pagination_parameters))
    return paginated(page, pagination_parameters)


@blp.route("/users", methods=["POST"])
@idempotent
@blp.arguments(UserCreate)
@blp.response(201, UserSchema)
def post_user(data):
    """Create an account."""
    user = create_user(ctx(), data)
    return with_etag(UserSchema().dump(user), user.row_version, 201)


@blp.route("/users/<int:user_id>")
@blp.response(200, UserSchema)
def get_user(user_id: int):
    user = user_queries.user(current.session(), ctx().actor, user_id)
    return with_etag(UserSchema().dump(user), user.row_version)


@blp.route("/users/<int:user_id>", methods=["PATCH"])
@blp.arguments(UserPatch)
@blp.response(200, UserSchema)
def patch_user(data, user_id: int):
    """Change role, region, password or active (needs If-Match)."""
    require_user_admin(ctx().actor)  # 403 before 428
    user = update_user(ctx(), user_id, data, row_version=if_match(required=True))
    return with_etag(UserSchema().dump(user), user.row_version)
