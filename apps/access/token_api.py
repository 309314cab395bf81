"""``POST /api/v1/auth/token/`` and ``POST /api/v1/auth/logout/``.

The token endpoint authenticates with the request, so django-axes counts its failures and
refuses a locked-out username and address just as on the login page; it is throttled per
client address; the token it gives expires (``apps.access.tokens``).
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib.auth import authenticate, logout
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers, status, throttling
from rest_framework.parsers import BaseParser, FormParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from apps.access.logins import locked_out_message, retry_after_seconds
from apps.access.tokens import token_expires_at, token_issue, token_revoke
from apps.core.clients import client_address


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"
    default_detail = gettext_lazy("Too many failed logins. Try again later.")

    def __init__(self, detail: str, wait: int) -> None:
        super().__init__(detail)
        self.wait = wait  # the error handler sends it as Retry-After


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """Token requests per client address, at ``KIP_TOKEN_RATE`` (read when asked)."""

    scope = "token"

    def get_rate(self) -> str:
        return settings.KIP_TOKEN_RATE

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}


class Credentials(serializers.Serializer):
    username = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


ERROR = inline_serializer(
    "LoginError",
    {
        "code": serializers.CharField(),
        "detail": serializers.CharField(),
        "fields": serializers.DictField(),
    },
)


class TokenObtain(APIView):
    """Exchange a username and password for the user's API token."""

    authentication_classes: list[Any] = []  # a stale token header must not block a login
    permission_classes = [permissions.AllowAny]
    throttle_classes = [TokenRateThrottle]
    # The API's own parsers (and their limits), plus form-encoded as obtain_auth_token took.
    parser_classes = [
        *cast(list[type[BaseParser]], api_settings.DEFAULT_PARSER_CLASSES),
        FormParser,
    ]

    @extend_schema(
        operation_id="auth_token_create",
        request=Credentials,
        responses={
            200: inline_serializer(
                "Token", {"token": serializers.CharField(), "expires": serializers.DateTimeField()}
            ),
            400: OpenApiResponse(ERROR, description="Missing field, or wrong username/password"),
            429: OpenApiResponse(ERROR, description="Locked out or throttled (Retry-After)"),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        given = Credentials(data=request.data)
        given.is_valid(raise_exception=True)
        # The Django request, not DRF's wrapper: django-axes marks it, and its middleware
        # and our lockout answer read the marks from there.
        http_request = request._request
        user = authenticate(
            request=http_request,
            username=given.validated_data["username"],
            password=given.validated_data["password"],
        )
        if user is None:
            if getattr(http_request, "axes_locked_out", False):
                seconds = retry_after_seconds(
                    http_request, {"username": given.validated_data["username"]}
                )
                raise LockedOut(locked_out_message(seconds), seconds)
            raise exceptions.ValidationError(
                {"non_field_errors": [_("The username or password is wrong.")]}
            )
        token = token_issue(user=user)
        # A token login is a login: the audit trail records it and django-axes clears the
        # failures of this username and address.
        user_logged_in.send(sender=type(user), request=http_request, user=user)
        return Response({"token": token.key, "expires": token_expires_at(token)})


class TokenLogout(APIView):
    """End the caller's API token (and the session, when the call came with one)."""

    @extend_schema(
        operation_id="auth_logout_create",
        request=None,
        responses={
            204: OpenApiResponse(description="The token is deleted"),
            401: OpenApiResponse(ERROR, description="Not logged in"),
        },
    )
    def post(self, request: Request) -> Response:
        user = request.user
        http_request = request._request
        token_revoke(user=user)
        if request.auth is None:
            logout(http_request)  # came with the session: end it too (and say so)
        else:
            user_logged_out.send(sender=type(user), request=http_request, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)
