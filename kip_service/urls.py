from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.audit.web import views as audit_web
from apps.core import views as core

urlpatterns = [
    path("healthz", core.healthz, name="healthz"),
    path("readyz", core.readyz, name="readyz"),
    path("api/v1/", include("kip_service.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("citizens/<int:pk>/access-report/", audit_web.access_report, name="access-report-page"),
    # Each app's pages beside its API; apps.web is the shell (My work, login, errors).
    path("", include("apps.citizens.web.urls")),
    path("", include("apps.plans.web.urls")),
    path("", include("apps.coordination.web.urls")),
    path("", include("apps.notifications.web.urls")),
    path("", include("apps.audit.web.urls")),
    path("", include("apps.administration.web.urls")),
    path("", include("apps.web.urls")),
]
