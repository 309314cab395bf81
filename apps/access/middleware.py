"""Denied access on the web pages: record the attempt, then answer 404 or 403.

DRF views handle their own exceptions (apps/core/api/errors.py); this covers the pages.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from apps.access.audit import record_denied
from apps.access.checks import Forbidden, NotVisible


class AccessDeniedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, NotVisible | Forbidden):
            record_denied(exception, request)
            if isinstance(exception, NotVisible):
                raise Http404 from exception
            raise PermissionDenied from exception
