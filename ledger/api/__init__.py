"""The JSON API (docs/api.md) on flask-smorest: /api/v1, OpenAPI document and local Swagger UI.

Errors are JSON `{code, status, message, errors}` under /api/ only; the HTML side keeps Flask's
HTML errors."""

from __future__ import annotations

from flask import Flask, request, send_from_directory
from flask.sessions import SecureCookieSessionInterface
import marshmallow as ma
from flask_smorest import Api
from flask_smorest import error_handler
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from ledger.domain.errors import DomainError, code_of
from ledger.domain.vocabulary import ASSESSMENT_ONLY

API_PREFIX = "/api/"


class ErrorSchema(error_handler.ErrorSchema):
    error = ma.fields.String(metadata={
        "description": "stable code of the error, e.g. amount.too_many_decimals (translated by "
                       "the web UI; `message` is its English text)"})
    error_codes = ma.fields.Dict(metadata={
        "description": "the stable code of each message in `errors`, in the same shape"})


PAGINATION_HEADER = {
    "description": 'the page as a JSON object in a string, e.g. {"total": 6, "total_pages": 3, '
                   '"first_page": 1, "last_page": 3, "page": 1, "next_page": 2}',
    "schema": {"type": "string"},
}


class WebSessions(SecureCookieSessionInterface):
    """The web pages' signed-cookie sessions; a request to the API, which knows only bearer
    tokens, opens none (Flask gives it its null session): making the cookie's signer cost every
    API request about 0.1 ms."""

    def open_session(self, app: Flask, request):
        if request.path.startswith(API_PREFIX):
            return None
        return super().open_session(app, request)


class LedgerApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def _register_pagination_header(self):
        """X-Pagination is sent as a string holding JSON (a header is text): documented so."""
        self.spec.components.header("PAGINATION", PAGINATION_HEADER, lazy=True)

    def _register_error_handlers(self):
        self._app.register_error_handler(HTTPException, self._http_error)
        self._app.register_error_handler(DomainError, self._domain_error)

    def _http_error(self, error: HTTPException):
        if not request.path.startswith(API_PREFIX):
            return error  # Flask renders its HTML error page
        payload, code, headers = self.handle_http_exception(error)
        # The exception's own headers too: Allow on a 405, Retry-After on a 429.
        headers = {**{name: value for name, value in error.get_headers()
                      if name.lower() != "content-type"}, **(headers or {})}
        payload.setdefault("message", error.description)
        if "errors" in payload:
            payload["error_codes"] = _codes(payload["errors"])
        return payload, code, headers

    def _domain_error(self, error: DomainError):
        if not request.path.startswith(API_PREFIX):
            return f"{error.reason}: {error.message}", error.status
        payload = {"code": error.status, "status": error.reason, "message": error.message,
                   "error": error.code}
        if error.errors:
            payload["errors"] = _locate(error.errors)
            payload["error_codes"] = _codes(payload["errors"])
        for key, value in error.extra.items():  # e.g. the open checklist of a refused close
            payload.setdefault(key, value)
        headers = {"WWW-Authenticate": 'Bearer realm="ledger"'} if error.status == 401 else {}
        return payload, error.status, headers | getattr(error, "headers", {})


def _locate(errors: dict) -> dict:
    """Group field errors by where the field came from: path, query or the JSON body. Errors
    that already say where they are — a mapping, not a list of messages, such as an import
    file's {"file": {row: {column: [...]}}} — keep their place."""
    out: dict = {}
    for field, messages in errors.items():
        if isinstance(messages, dict):
            out.setdefault(field, {}).update(messages)
            continue
        if field in (request.view_args or {}):
            where = "path"
        elif field in request.args:
            where = "query"
        elif field in request.headers:
            where = "headers"
        else:
            where = "json"
        out.setdefault(where, {})[field] = messages
    return out


def _codes(errors):
    """The stable codes of field errors, in the shape of `errors` (for clients that translate)."""
    if isinstance(errors, dict):
        return {key: _codes(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [_codes(value) for value in errors]
    return code_of(errors)


class IdConverter(IntegerConverter):
    """`<int:…>` path segments end at the database's INTEGER range: a larger number names no
    row (404 from routing) instead of overflowing the driver (500)."""

    def __init__(self, map, *args, max: int | None = 2**31 - 1, **kwargs):  # noqa: A002
        super().__init__(map, *args, max=max, **kwargs)


def init_api(app: Flask) -> Api:
    from swagger_ui_bundle import swagger_ui_path

    app.url_map.converters["int"] = IdConverter
    app.session_interface = WebSessions()

    app.config.update(
        API_TITLE="Ledger API — 跨开发区招商引资分配台账",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="/api/v1/docs/assets/",
        API_SPEC_OPTIONS={
            "security": [{"bearerAuth": []}],
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "info": {"description": "Amounts are 万元 as decimal strings with two decimals. "
                                    "Attributed figures are for the annual assessment only "
                                    f"({ASSESSMENT_ONLY})."},
        },
    )
    api = LedgerApi(app)

    @app.get("/api/v1/docs/assets/<path:filename>")
    def swagger_assets(filename: str):
        return send_from_directory(swagger_ui_path, filename)

    from ledger.api import (
        agreements, auth, documents, funds, imports, ledger_blueprint, projects, reference, users,
    )
    # The routes of ledger_blueprint, in the order the OpenAPI document lists them.
    from ledger.api import attribution, postings, years, audit  # noqa: F401
    for module in (auth, users, reference, projects, funds, imports, agreements,
                   ledger_blueprint, documents):
        api.register_blueprint(module.blp)
    return api
