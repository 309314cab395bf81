"""One JSON error shape for the whole API: ``{"code", "detail", "fields"}``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core import outage
from apps.core.exceptions import ApplicationError


def _flatten(errors: Any) -> Any:
    if isinstance(errors, dict):
        return {key: _flatten(value) for key, value in errors.items()}
    if isinstance(errors, list):
        if all(isinstance(item, str) for item in errors):
            return [str(item) for item in errors]
        return [_flatten(item) for item in errors]
    return str(errors)


def _throttled(wait: int) -> exceptions.Throttled:
    """DRF formats its "Expected available in ..." before translating it, so that half is
    English in every language; here the message is said whole, in the user's language."""
    throttled = exceptions.Throttled(
        detail=ngettext(
            "Too many requests. Try again in %(wait)d second.",
            "Too many requests. Try again in %(wait)d seconds.",
            wait,
        )
        % {"wait": wait}
    )
    throttled.wait = wait  # type: ignore[attr-defined]  # DRF sends it as Retry-After
    return throttled


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    # Denied access attempts are recorded here, after the failed transaction rolled back.
    from apps.access.audit import record_denied

    request = context.get("request")
    if request is not None:
        # Errors are JSON whatever was asked for (?format=csv, ?format=html, Accept): the
        # renderer chosen for the answer would otherwise write this dict as CSV or a page.
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    if outage.is_database_outage(exc):
        # The database is out of reach (apps/core/outage.py): nothing to record it in either.
        unavailable = Response(
            {"code": outage.CODE, "detail": outage.outage_detail(), "fields": {}},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
        unavailable["Retry-After"] = str(outage.RETRY_AFTER_SECONDS)
        return unavailable
    record_denied(exc, request)

    if isinstance(exc, ApplicationError):
        return Response(
            {"code": exc.code, "detail": exc.detail, "fields": exc.fields},
            status=exc.status_code,
        )
    if isinstance(exc, RequestDataTooBig):
        # Django would answer with an HTML 400; the API answers in its own shape.
        too_large = _("The request body is too large.")
        return Response(
            {"code": "request_too_large", "detail": too_large, "fields": {"body": [too_large]}},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, DjangoValidationError):
        by_field = exc.message_dict if hasattr(exc, "error_dict") else {}
        exc = exceptions.ValidationError(by_field or exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif type(exc) is exceptions.Throttled and (wait := getattr(exc, "wait", None)) is not None:
        exc = _throttled(int(wait))

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields: Any = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        names = ", ".join(str(name) for name in fields)
        response.data = {
            "code": "invalid",
            "detail": _("Invalid input: %(fields)s.") % {"fields": names},
            "fields": _flatten(fields),
        }
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = codes if isinstance(codes, str) else "error"
        message: Any = getattr(exc, "detail", "")
        fields = getattr(exc, "fields", None) or {}
        response.data = {"code": code, "detail": str(message), "fields": fields}
    if response.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        response.data["code"] = "method_not_allowed"
    return response
