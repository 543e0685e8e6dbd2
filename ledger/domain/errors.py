"""Domain errors with stable codes.

Every refusal names a stable code (`amount.too_many_decimals`) and its parameters. The English
text of each code lives in `ledger.domain.messages`; the API sends it as `message`, and the web UI
translates the same code through the Flask-Babel catalog. Each error class carries the HTTP
status it maps to, in one place.
"""

from __future__ import annotations

from typing import Any

from ledger.domain.messages import render


# Where the API reports the problems of an uploaded file: errors.file, as
# {row: {field: [problems]}} for bad rows, {"_schema": […]} and {"header": […]} for the file.
LOCATION = "file"


def _problem(code: str, params: dict[str, Any]) -> "Problem":
    return Problem(code, **params)


class Problem(str):
    """One thing wrong: a code with parameters. Its string value is the English text, so it
    travels wherever a message string does (marshmallow error dicts, JSON) and still carries
    the code for whoever translates it."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, /, **params: Any) -> "Problem":
        obj = super().__new__(cls, render(code, params))
        obj.code, obj.params = code, params
        return obj

    def __reduce__(self):  # copy/deepcopy/pickle rebuild from the code, not the English text
        return _problem, (self.code, self.params)


def code_of(message: object) -> str:
    """The stable code of a message (a plain string from elsewhere counts as `invalid`)."""
    return message.code if isinstance(message, Problem) else "invalid"


class DomainError(Exception):
    status = 400
    reason = "Bad Request"

    def __init__(self, code: str, /, *, field: str | None = None,
                 errors: dict[str, list[Problem]] | None = None,
                 extra: dict[str, Any] | None = None, **params: Any):
        self.message = Problem(code, **params)
        super().__init__(self.message)
        # errors: {field: [problems]}; a single-field error fills it from `field`.
        self.errors = errors or ({field: [self.message]} if field else None)
        # JSON values the refusal carries for the client (a year's open checklist).
        self.extra = extra or {}

    @property
    def code(self) -> str:
        return self.message.code

    def __reduce__(self):  # pickle (a worker process's refusal) rebuilds from the code
        return _rebuild, (type(self), self.message.code, self.message.params, self.errors)


def _rebuild(cls: type["DomainError"], code: str, params: dict[str, Any],
             errors: dict | None) -> "DomainError":
    return cls(code, errors=errors, **params)


class BadRequest(DomainError):
    """A request that cannot be read at all (400)."""


class Invalid(DomainError):
    """A value that breaks a rule (422)."""

    status = 422
    reason = "Unprocessable Entity"


def missing(fields: list[str]) -> Invalid:
    return Invalid("input.missing_fields", errors={f: [Problem("field.required")] for f in fields})


class Conflict(DomainError):
    """An action the current state does not allow (409)."""

    status = 409
    reason = "Conflict"


class NotFound(DomainError):
    status = 404
    reason = "Not Found"


class Forbidden(DomainError):
    status = 403
    reason = "Forbidden"


class TooLarge(DomainError):
    """A request body or uploaded file above its size limit (413)."""

    status = 413
    reason = "Content Too Large"


class Unauthorized(DomainError):
    status = 401
    reason = "Unauthorized"


class PreconditionFailed(DomainError):
    """A stale If-Match (412)."""

    status = 412
    reason = "Precondition Failed"


class Unavailable(DomainError):
    """The deployment lacks something it needs (a Chinese font to print with, the signing
    key …): 503, nothing changed."""

    status = 503
    reason = "Service Unavailable"


class TooMany(DomainError):
    """Too many requests of one kind from one user or address (429); `seconds` (a parameter of
    every such message) is when to try again, also sent as Retry-After."""

    status = 429
    reason = "Too Many Requests"

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.message.params["seconds"])}


class PreconditionRequired(DomainError):
    """A missing If-Match (428)."""

    status = 428
    reason = "Precondition Required"
