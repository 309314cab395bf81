"""The service's URLs plus a bare DRF endpoint, the baseline of ``bench.audit``."""

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from kip_service.urls import urlpatterns as service_urls


class Bare(APIView):
    """Token auth and JSON, nothing else: what DRF itself costs per request."""

    def get(self, request):  # type: ignore[no-untyped-def]
        return Response({"ok": True, "user": request.user.pk})


urlpatterns = [path("bench/bare/", Bare.as_view()), *service_urls]
