"""The site's URLs plus views that fail on purpose, for the error page tests."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from kip_service.urls import urlpatterns as site


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("internal-detail SECRET_KEY=/srv/kip/settings.py")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("internal reason")


urlpatterns = [
    path("test-boom/", boom),
    path("test-forbidden/", forbidden),
    *site,
]
