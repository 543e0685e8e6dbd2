"""Investment transfer agreements and their filing workflow. Actions apply to the newest version."""

from __future__ import annotations

from ledger.api.support import (
    api_blueprint, ctx, documented_headers, idempotent, if_match, if_match_parameter, page_args,
    paginated, with_etag,
)
from ledger.commands import agreements
from ledger.queries import agreements as agreement_queries
from ledger.schemas.requests import AgreementCreate, AgreementTerms, ReasonRequest
from ledger.schemas.resources import AgreementSchema

blp = api_blueprint("agreements", "Investment transfer agreements (投资转移协议) and filing (备案)")
# Every workflow action names the version it acts on: 428 without If-Match, 412 when stale.
required_if_match = documented_headers(if_match_parameter(required=True))


def _out(agreement, status: int = 200):
    return with_etag(AgreementSchema().dump(agreement), agreement.row_version, status)


@blp.route("/agreements")
@blp.response(200, AgreementSchema(many=True))
@blp.paginate()
def list_agreements(pagination_parameters):
    """Agreements you are a party to (every agreement for the filing bodies and administrators)."""
    return paginated(agreement_queries.agreements(ctx(), **page_args(pagination_parameters)),
                     pagination_parameters)


@blp.route("/agreements", methods=["POST"])
@idempotent
@blp.arguments(AgreementCreate)
@blp.response(201, AgreementSchema)
def post_agreement(data):
    """The host region opens an agreement for its project naming the recommender; version 1
    is a draft waiting for the recommender to confirm or decline."""
    return _out(agreements.create_agreement(ctx(), data), 201)


@blp.route("/agreements/<int:agreement_id>")
@blp.response(200, AgreementSchema)
def get_agreement(agreement_id: int):
    """The agreement with every version and its event history."""
    return _out(agreement_queries.agreement(ctx(), agreement_id))


@blp.route("/agreements/<int:agreement_id>", methods=["PATCH"])
@blp.arguments(AgreementTerms)
@blp.response(200, AgreementSchema)
def patch_agreement(data, agreement_id: int):
    """Edit a draft or returned version (back to draft; the other party confirms again)."""
    agreement_queries.agreement(ctx(), agreement_id)  # 404 before 428 for what you cannot see
    return _out(agreements.edit_agreement(ctx(), agreement_id, data, if_match(required=True)))


def _act(agreement_id: int, action, *args, status: int = 200):
    """A workflow action on the terms the caller saw: the command answers 404, 403, then 428
    without If-Match and 412 when it is stale."""
    return _out(action(ctx(), agreement_id, *args, if_match(required=False)), status)


@blp.route("/agreements/<int:agreement_id>/confirm", methods=["POST"])
@idempotent
@required_if_match
@blp.response(200, AgreementSchema)
def confirm_agreement(agreement_id: int):
    """The recommender confirms the draft the host opened (or either party the other's
    edit or amendment): draft → signed."""
    return _act(agreement_id, agreements.confirm)


@blp.route("/agreements/<int:agreement_id>/decline", methods=["POST"])
@idempotent
@required_if_match
@blp.arguments(ReasonRequest)
@blp.response(200, AgreementSchema)
def decline_agreement(data, agreement_id: int):
    """The recommender declines the draft naming it, with a reason: draft → declined. The
    project is free for a new agreement and the recommender no longer sees it."""
    return _act(agreement_id, agreements.decline, data["reason"])


@blp.route("/agreements/<int:agreement_id>/withdraw", methods=["POST"])
@idempotent
@required_if_match
@blp.response(200, AgreementSchema)
def withdraw_agreement(agreement_id: int):
    """The host withdraws a chain that was never filed (draft or returned): → withdrawn. The
    project is free for a new agreement and the recommender no longer sees it."""
    return _act(agreement_id, agreements.withdraw)


@blp.route("/agreements/<int:agreement_id>/submit", methods=["POST"])
@idempotent
@required_if_match
@blp.response(200, AgreementSchema)
def submit_agreement(agreement_id: int):
    """Either party submits for filing: signed → submitted."""
    return _act(agreement_id, agreements.submit)


@blp.route("/agreements/<int:agreement_id>/acknowledge", methods=["POST"])
@idempotent
@required_if_match
@blp.response(200, AgreementSchema)
def acknowledge_agreement(agreement_id: int):
    """The statistics bureau or the commerce department acknowledges; the second
    acknowledgement files the version (filing number, supersession, re-attribution)."""
    return _act(agreement_id, agreements.acknowledge)


@blp.route("/agreements/<int:agreement_id>/return", methods=["POST"])
@idempotent
@required_if_match
@blp.arguments(ReasonRequest)
@blp.response(200, AgreementSchema)
def return_agreement(data, agreement_id: int):
    """A filing body returns the submitted version with a reason: submitted → returned."""
    return _act(agreement_id, agreements.return_, data["reason"])


@blp.route("/agreements/<int:agreement_id>/amend", methods=["POST"])
@idempotent
@required_if_match
@blp.arguments(AgreementTerms)
@blp.response(201, AgreementSchema)
def amend_agreement(data, agreement_id: int):
    """A party proposes version n+1 (new share, years, or a termination with last_year) as a
    draft; refused (409) while the newest version is not filed."""
    return _act(agreement_id, agreements.amend, data, status=201)
