"""The printable access report as a web page (session login, acting organisation chosen)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from apps.access.audit import record_denied
from apps.access.context import OrganisationRequired, actor_from_request
from apps.audit.api.views import access_report_for


@login_required
def access_report(request: HttpRequest, pk: int) -> HttpResponse:
    # Denied access raises NotVisible/Forbidden; apps.access.middleware records it.
    try:
        actor = actor_from_request(request)
    except OrganisationRequired as refused:
        record_denied(refused, request)  # a remembered organisation one has left
        return redirect("web:choose-organisation")
    return render(request, "audit/access_report.html", access_report_for(actor, pk))
