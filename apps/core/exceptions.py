"""Errors that services raise; the API turns each into JSON with a stable ``code``."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A rule of the domain said no. ``fields`` names the input that was wrong, if any."""

    status_code = 400
    code = "invalid"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        fields: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.fields = fields or {}


def invalid(field: str, message: str, code: str = "invalid") -> ApplicationError:
    """A 400 naming the one input that is wrong."""
    return ApplicationError(message, code=code, fields={field: [message]})


class Conflict(ApplicationError):
    status_code = 409
    code = "conflict"


class PreconditionFailed(ApplicationError):
    status_code = 412
    code = "stale_version"


class PreconditionRequired(ApplicationError):
    status_code = 428
    code = "if_match_required"


class NotFound(ApplicationError):
    status_code = 404
    code = "not_found"
