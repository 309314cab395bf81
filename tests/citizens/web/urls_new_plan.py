"""The site's pages plus a ``plans:new`` stand-in, for pages that link to it.

Another part of the site provides the real new-plan page; the citizen page links to it only
when it exists, and this lets a test see that link.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from apps.plans.web.urls import urlpatterns as plan_pages
from kip_service.urls import urlpatterns as site


def _new_plan(request: HttpRequest) -> HttpResponse:
    return HttpResponse("new plan")


_plans = [*plan_pages]
if not any(getattr(p, "name", None) == "new" for p in _plans):
    _plans.append(path("plans/new/", _new_plan, name="new"))

urlpatterns = [
    path("", include((_plans, "plans"))),
    *(p for p in site if getattr(p, "namespace", None) != "plans"),
]
