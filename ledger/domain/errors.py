"""Domain errors. Each carries the HTTP status it maps to, in one place."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    reason = "Bad Request"

    def __init__(self, message: str, *, field: str | None = None, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        # errors: {field: [messages]}; a single-field error fills it from `field`.
        self.errors = errors or ({field: [message]} if field else None)


class Invalid(DomainError):
    """A value that breaks a rule (422)."""

    status = 422
    reason = "Unprocessable Entity"


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


class Unauthorized(DomainError):
    status = 401
    reason = "Unauthorized"


class PreconditionFailed(DomainError):
    """A stale If-Match (412)."""

    status = 412
    reason = "Precondition Failed"
