"""What every API blueprint shares: authentication, ETag/If-Match, Idempotency-Key."""

from __future__ import annotations

import hashlib
import re
from copy import deepcopy
from functools import wraps

from flask import Response, current_app, g, jsonify, make_response, request
from flask_smorest import Blueprint, abort
from flask_smorest.utils import deepupdate

from ledger import current
from ledger.commands import idempotency
from ledger.context import Context
from ledger.db import SETTLE_LOCK, WRITE_LOCK, begin_writing, utcnow
from ledger.api.json_body import Parser
from ledger.domain import limits
from ledger.io.sheets import CSV_MIMETYPE, XLSX_MIMETYPE, Export
from ledger.policy import Actor
from ledger.queries.pagination import Page
from ledger.queries.users import actor_for_token

# The auth scheme is case-insensitive (RFC 7235 §2.1): token_type is "bearer" in our own answer.
BEARER_RE = re.compile(r"(?i:Bearer) +([A-Za-z0-9_\-]{20,200})")
ETAG_RE = re.compile(r'"(\d{1,12})"')  # our ETags are strong; If-Match compares strongly


def authenticate() -> None:
    """before_request of every protected blueprint: a valid bearer token or 401. For a view
    that `writes` the token is read in the write transaction."""
    match = BEARER_RE.fullmatch(request.headers.get("Authorization", ""))
    session = current.session()
    view = current_app.view_functions.get(request.endpoint or "")
    lock = (SETTLE_LOCK if getattr(view, "settles", False)
            else WRITE_LOCK if getattr(view, "writes", False) else None)
    if match and lock is not None:
        begin_writing(session)
    found = actor_for_token(session, match[1], utcnow(), lock) if match else None
    if found is None:
        abort(401, message="missing, expired or revoked bearer token",
              headers={"WWW-Authenticate": 'Bearer realm="ledger"'})
    g.actor = found


def writes(view):
    """Marks a view that writes whatever it is asked (a report's PUT), in one short write
    transaction: on SQLite the request begins with it (ledger.db.begin_writing), one
    transaction instead of the token's read rolled back and then BEGIN IMMEDIATE; on
    PostgreSQL the token's statement takes the write lock (ledger.db.WRITE_LOCK) and sets
    generic plans for the transaction (ledger.queries.users._GENERIC_PLANS). Not for a
    view that reads or parses at length before it writes (an import): it would hold SQLite's
    write lock meanwhile."""
    view.writes = True
    return view


def settles(view):
    """Marks a view whose first read is `settled` (ledger.db), right after authentication: the
    token is read in the settled transaction, which begins with it — on SQLite BEGIN IMMEDIATE
    (as `writes`), on PostgreSQL the shared write lock taken by the token's own statement
    (ledger.queries.users.actor_for_token): one transaction and one round trip fewer."""
    view.settles = True
    return view


def actor() -> Actor:
    return g.actor


def ctx() -> Context:
    """The command and query context of the authenticated request."""
    return current.context(g.actor)


class LedgerBlueprint(Blueprint):
    ARGUMENTS_PARSER = Parser()  # JSON bodies read within their cost (ledger.api.json_body)
    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": limits.PAGE_SIZE_DEFAULT,
                                     "max_page_size": limits.PAGE_SIZE_MAX}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(self._prepare_header_doc)

    def arguments(self, schema, *args, **kwargs):
        """A schema class is made into its instance once: webargs would make one for every
        request (its fields deep-copied, 1% of a report's PUT). Loading keeps no state in the
        schema."""
        return super().arguments(schema() if isinstance(schema, type) else schema, *args, **kwargs)

    @staticmethod
    def _prepare_header_doc(doc, doc_info, *, method, **kwargs):
        """Document the request headers the views read themselves: If-Match (required on every
        PATCH and workflow action: 428 without it, 412 when stale) and those added by
        `documented_headers`."""
        params = list(doc_info.get("ledger_headers", []))
        if method == "patch":
            params.append(if_match_parameter(required=True))
        if any(p["name"] == "If-Match" and p["required"] for p in params):
            doc = deepupdate(doc, {"responses": {412: "PRECONDITION_FAILED",
                                                 428: "PRECONDITION_REQUIRED"}})
        if params:
            doc.setdefault("parameters", []).extend(params)
        return doc


def if_match_parameter(required: bool) -> dict:
    return {"in": "header", "name": "If-Match", "required": required,
            "description": 'the ETag of the resource as last read, e.g. "3"',
            "schema": {"type": "string"}}


IDEMPOTENCY_KEY_PARAMETER = {
    "in": "header", "name": "Idempotency-Key", "required": False,
    "description": "the same key with the same request replays the first response "
                   "(Idempotency-Replayed: true); with a different request, 422",
    "schema": {"type": "string", "minLength": 1, "maxLength": limits.IDEMPOTENCY_KEY}}


def documented_headers(*parameters: dict):
    """Add header parameters to a view's OpenAPI operation."""
    def decorator(view):
        view._apidoc = deepcopy(getattr(view, "_apidoc", {}))
        view._apidoc.setdefault("ledger_headers", []).extend(parameters)
        return view
    return decorator


def api_blueprint(name: str, description: str, *, public: bool = False) -> Blueprint:
    blp = LedgerBlueprint(name, f"ledger.api.{name}", url_prefix="/api/v1", description=description)
    if not public:
        blp.before_request(authenticate)
    blp.before_request(reject_nul)
    return blp


NUL_MESSAGE = "must not contain the NUL character (U+0000)"


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def reject_nul() -> None:
    """422 for a NUL character anywhere in the path, query or JSON body: PostgreSQL text cannot
    hold one, so it would otherwise fail in the database (500) instead of being refused."""
    errors: dict = {}
    for name, value in (request.view_args or {}).items():
        if _has_nul(value):
            errors.setdefault("path", {})[name] = [NUL_MESSAGE]
    for name, value in request.args.items(multi=True):
        if _has_nul(name) or _has_nul(value):
            errors.setdefault("query", {})[name] = [NUL_MESSAGE]
    # In JSON a NUL can only be written as the escape \u0000 (a raw control character is no
    # JSON): a body without it is not parsed here, but once, by the view's arguments.
    body = (request.get_json(silent=True)
            if request.is_json and b"\\u0000" in request.get_data(cache=True) else None)
    if isinstance(body, dict):
        for name, value in body.items():
            if _has_nul(name) or _has_nul(value):
                errors.setdefault("json", {})[name] = [NUL_MESSAGE]
    elif _has_nul(body):
        errors["json"] = {"_schema": [NUL_MESSAGE]}
    if errors:
        abort(422, message=NUL_MESSAGE, errors=errors)


# ------------------------------------------------------------------ ETag / If-Match

def etag(row_version: int) -> str:
    return f'"{row_version}"'


def with_etag(data, row_version: int, status: int = 200):
    """A JSON response carrying the resource's ETag."""
    response = make_response(jsonify(data), status)
    response.headers["ETag"] = etag(row_version)
    return response


def if_match(required: bool) -> int | None:
    """The row version named by If-Match: 428 when required and absent, 412 when it names no
    current version; `*` (any current version) checks nothing."""
    header = request.headers.get("If-Match")
    if header is None:
        if required:
            abort(428, message="this request needs an If-Match header with the resource's ETag")
        return None
    if header.strip() == "*":
        return None
    match = ETAG_RE.fullmatch(header.strip())
    if match is None:
        abort(412, message="If-Match does not name a current version of this resource")
    return int(match[1])


# ------------------------------------------------------------------ Idempotency-Key

def _request_hash() -> str:
    h = hashlib.sha256()
    if request.mimetype == "multipart/form-data":
        # An upload is the same request when its fields and files are: the multipart boundary
        # (and so the raw body) differs on every retry from most clients.
        for part in (request.method, request.path, request.query_string.decode(), request.mimetype):
            h.update(part.encode() + b"\0")
        for name, value in sorted(request.form.items(multi=True)):
            h.update(f"{name}={value}".encode() + b"\0")
        for name, storage in sorted(request.files.items(multi=True), key=lambda item: item[0]):
            h.update(f"{name}:{storage.filename}".encode() + b"\0")
            h.update(hashlib.sha256(storage.read()).digest())
            storage.seek(0)
        return h.hexdigest()
    # The media type, not the raw Content-Type: "application/json; charset=utf-8" is the same
    # request as "application/json" (the body is read as UTF-8 either way).
    for part in (request.method, request.path, request.query_string.decode(), request.mimetype):
        h.update(part.encode() + b"\0")
    h.update(request.get_data())
    return h.hexdigest()


def idempotent(view):
    """POST with an Idempotency-Key: the first response is kept with a hash of the request; the
    same key and body replay it (Idempotency-Replayed: true), a different body is 422."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view(*args, **kwargs)
        if not 1 <= len(key) <= limits.IDEMPOTENCY_KEY or not key.isprintable():
            abort(422, message="invalid Idempotency-Key",
                  errors={"headers": {"Idempotency-Key": ["1–200 printable characters"]}})
        with idempotency.idempotent(ctx(), key, _request_hash()) as slot:
            if slot.replay is not None:
                replay = make_response(slot.replay.body, slot.replay.status_code,
                                       slot.replay.headers)
                replay.headers["Idempotency-Replayed"] = "true"
                return replay
            response = make_response(view(*args, **kwargs))
            slot.keep(idempotency.Response(
                response.status_code, response.get_data(as_text=True),
                {k: v for k, v in response.headers.items() if k in ("Content-Type", "ETag", "Location")}))
        return response

    return documented_headers(IDEMPOTENCY_KEY_PARAMETER)(wrapper)


def page_args(pagination_parameters) -> dict[str, int]:
    return {"page": pagination_parameters.page, "page_size": pagination_parameters.page_size}


def paginated(page: Page, pagination_parameters) -> list:
    """The page's items; its total goes to the X-Pagination header."""
    pagination_parameters.item_count = page.total
    return page.items


# ------------------------------------------------------------------ files

def file_response(export: Export) -> Response:
    """A file to download: its media type and an attachment name (RFC 6266, the Chinese name
    in filename* per RFC 5987)."""
    response = Response(export.content, content_type=export.mimetype)
    response.headers["Content-Disposition"] = export.content_disposition
    return response


def file_responses_doc() -> dict:
    """The OpenAPI description of a 200 that is JSON or, with `format`, a CSV or XLSX file."""
    disposition = {"Content-Disposition": {
        "description": "attachment; filename=\"<ASCII name>\"; filename*=UTF-8''<Chinese name, "
                       "percent-encoded> (csv and xlsx only)",
        "schema": {"type": "string"}}}
    content = {
        CSV_MIMETYPE.split(";")[0]: {"schema": {
            "type": "string", "description": "UTF-8 with BOM, CRLF line ends; amounts as exact "
                                             "decimal strings of 万元 with two decimals"}},
        XLSX_MIMETYPE: {"schema": {
            "type": "string", "format": "binary",
            "description": "one worksheet; amounts are numeric cells holding the exact decimal "
                           "value, number format #,##0.00"}},
    }
    return {200: {"content": content, "headers": disposition}}
