"""Gives every request an id and the client address, for the audit trail and the logs."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from apps.core.clients import client_address
from apps.core.logs import request_context_set

# What a client's own X-Request-ID may look like to be kept (beside ours, never instead).
CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def client_request_id(value: str) -> str:
    """The client's request id if it is short and plain; otherwise nothing (dropped)."""
    return value if CLIENT_REQUEST_ID.fullmatch(value) else ""


class RequestContextMiddleware:
    """The request id is always the service's own (uuid4 hex), so the trail's ids are unique
    and cannot be chosen by a client; a client's valid ``X-Request-ID`` is kept apart as
    ``request.client_request_id`` for correlating with its logs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = uuid.uuid4().hex  # type: ignore[attr-defined]
        incoming = request.headers.get("X-Request-ID", "")
        request.client_request_id = client_request_id(incoming)  # type: ignore[attr-defined]
        request.client_address = client_address(request)  # type: ignore[attr-defined]
        # For the log lines of this request (cleared when the response is closed).
        request_context_set(
            request_id=request.request_id,  # type: ignore[attr-defined]
            client_request_id=request.client_request_id,  # type: ignore[attr-defined]
        )
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
        return response
