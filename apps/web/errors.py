"""Answers when something is refused: a CSRF failure and a login lockout, in the site's look.

The 403, 404 and 500 pages are the templates ``403.html``, ``404.html`` and ``500.html`` that
Django's default handlers render; with DEBUG off (the default) nobody sees a traceback,
settings or the list of URL patterns. ``server_error`` and ``bad_request`` answer a database
out of reach with a 503 instead (``503.html``, or the API's JSON).
"""

from __future__ import annotations

import sys
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views import defaults

from apps.access.logins import locked_out_message, retry_after_seconds
from apps.core import outage


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: usually an old form (the page stood open past a new login)."""
    return render(request, "403_csrf.html", status=403)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the API's error JSON, or the lockout page, with Retry-After."""
    seconds = retry_after_seconds(request, credentials)
    message = locked_out_message(seconds)
    status = 429  # Too Many Requests, with Retry-After
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"code": "locked_out", "detail": message, "fields": {}}, status=status
        )
    else:
        response = render(
            request, "web/locked_out.html", {"message": message, "seconds": seconds}, status=status
        )
    response["Retry-After"] = str(seconds)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: Django calls it while handling the exception, so ``sys.exc_info()``
    names it. A database out of reach (a restart, a failover) is a 503 with Retry-After, not
    an error of ours: JSON under ``/api/`` (an error in a middleware, before DRF's handler),
    a page elsewhere, rendered without the request (nothing that could query again)."""
    if not outage.caused_by_outage(sys.exc_info()[1]):
        return defaults.server_error(request)
    return _unavailable(request)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: a session that could not be saved because the database is away
    (Django's ``SessionInterrupted``) is the same 503; any other bad request stays a 400."""
    if not outage.caused_by_outage(exception):
        return defaults.bad_request(request, exception)
    return _unavailable(request)


def _unavailable(request: HttpRequest) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"code": outage.CODE, "detail": outage.outage_detail(), "fields": {}}, status=503
        )
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(outage.RETRY_AFTER_SECONDS)
    return response
