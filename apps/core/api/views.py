"""The API's answer where no endpoint is."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions
from rest_framework.request import Request
from rest_framework.views import APIView


class EndpointNotFound(APIView):
    """Any ``/api/`` path no endpoint answers: 404 in the error shape, for anyone."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]
    schema = None  # not an endpoint of the API, so not in its schema

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound(_("There is no such endpoint."))
