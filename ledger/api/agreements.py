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
optional_if_match = documented_headers(if_match_parameter(required=False))  # 412 when stale


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
    """Create an agreement as one of its parties; version 1 starts as a draft you have confirmed."""
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


@blp.route("/agreements/<int:agreement_id>/confirm", methods=["POST"])
@idempotent
@optional_if_match
@blp.response(200, AgreementSchema)
def confirm_agreement(agreement_id: int):
    """The counterparty confirms the draft: draft → signed. If-Match is honoured when sent."""
    return _out(agreements.confirm(ctx(), agreement_id, if_match(required=False)))


@blp.route("/agreements/<int:agreement_id>/submit", methods=["POST"])
@idempotent
@optional_if_match
@blp.response(200, AgreementSchema)
def submit_agreement(agreement_id: int):
    """Either party submits for filing: signed → submitted."""
    return _out(agreements.submit(ctx(), agreement_id, if_match(required=False)))


@blp.route("/agreements/<int:agreement_id>/acknowledge", methods=["POST"])
@idempotent
@optional_if_match
@blp.response(200, AgreementSchema)
def acknowledge_agreement(agreement_id: int):
    """The statistics bureau or the commerce department acknowledges; the second
    acknowledgement files the version (filing number, supersession, re-attribution)."""
    return _out(agreements.acknowledge(ctx(), agreement_id, if_match(required=False)))


@blp.route("/agreements/<int:agreement_id>/return", methods=["POST"])
@idempotent
@optional_if_match
@blp.arguments(ReasonRequest)
@blp.response(200, AgreementSchema)
def return_agreement(data, agreement_id: int):
    """A filing body returns the submitted version with a reason: submitted → returned."""
    return _out(agreements.return_(ctx(), agreement_id, data["reason"], if_match(required=False)))


@blp.route("/agreements/<int:agreement_id>/amend", methods=["POST"])
@idempotent
@optional_if_match
@blp.arguments(AgreementTerms)
@blp.response(201, AgreementSchema)
def amend_agreement(data, agreement_id: int):
    """A party proposes version n+1 (new share, years, or a termination with last_year) as a
    draft; refused (409) while the newest version is not filed."""
    return _out(agreements.amend(ctx(), agreement_id, data, if_match(required=False)), 201)
