from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.audit.web import views as audit_web
from apps.core import views as core
from apps.core.api.views import EndpointNotFound
from apps.core.metrics import metrics

urlpatterns = [
    path("healthz", core.healthz, name="healthz"),
    path("readyz", core.readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("api/v1/", include("kip_service.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        # Our template: drf-spectacular's without its inline <style>, which the CSP blocks.
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="web/api_docs.html"),
        name="docs",
    ),
    # Anything else under api/ (a slash at the end, so APPEND_SLASH still redirects): JSON 404.
    re_path(r"^api/(?:.*/)?$", EndpointNotFound.as_view(), name="api-not-found"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("citizens/<id:pk>/access-report/", audit_web.access_report, name="access-report-page"),
    # Each app's pages beside its API; apps.web is the shell (My work, login, errors).
    path("", include("apps.citizens.web.urls")),
    path("", include("apps.plans.web.urls")),
    path("", include("apps.coordination.web.urls")),
    path("", include("apps.notifications.web.urls")),
    path("", include("apps.audit.web.urls")),
    path("", include("apps.administration.web.urls")),
    path("", include("apps.web.urls")),
]

# A database out of reach is a 503 with Retry-After (apps/core/outage.py), also when Django
# calls it a bad request (a session it could not save); other errors stay 500 and 400.
handler500 = "apps.web.errors.server_error"
handler400 = "apps.web.errors.bad_request"
