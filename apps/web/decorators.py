"""The one way a page learns who is acting: logged in, for one organisation."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from rest_framework.exceptions import PermissionDenied as NoMembership

from apps.access.audit import record_denied
from apps.access.context import Actor, OrganisationRequired, actor_from_request

ActingView = Callable[..., HttpResponse]


def acting(view: ActingView) -> Callable[..., HttpResponse]:
    """Log in first, then choose an organisation if there are several; call ``view(request,
    actor, ...)``. Every page that shows or changes citizen data is wrapped in this."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            actor: Actor = actor_from_request(request)
        except OrganisationRequired as refused:
            record_denied(refused, request)  # a remembered organisation one has left
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('web:choose-organisation')}?{query}")
        except NoMembership as exc:  # a system administrator, or someone who has left
            if request.user.is_staff:
                return redirect("administration:organisations")
            raise PermissionDenied(str(exc.detail)) from exc
        return view(request, actor, *args, **kwargs)

    return wrapper
