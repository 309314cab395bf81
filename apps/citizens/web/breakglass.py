"""Break the glass: a caseworker states why and gets read-only access to a plan for a while.

The grant, its audit events and the notices to the coordinator and the managers are the
service's (``break_glass_open``); a refused attempt is recorded here as the API records it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.access.audit import record_denied
from apps.access.checks import NotVisible
from apps.access.context import Actor
from apps.audit.breakglass import break_glass_open
from apps.citizens.web.forms import BreakGlassForm
from apps.citizens.web.views import cpr_explained
from apps.core.exceptions import ApplicationError
from apps.web.decorators import acting


@acting
@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest, actor: Actor) -> HttpResponse:
    if request.method == "GET" and not actor.is_caseworker:
        raise PermissionDenied  # a manager's POST goes on to the service, which refuses it
    form = BreakGlassForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            grant = break_glass_open(
                actor=actor, cpr_number=form.cleaned_data["cpr"], reason=form.cleaned_data["reason"]
            )
        except NotVisible as exc:
            # No open plan for that number, or no citizen: the same answer for both.
            record_denied(exc, request)
            status = 404
            form.add_error("cpr", _("There is no open plan for this CPR number."))
            form.mark_invalid()
        except ApplicationError as exc:
            record_denied(exc, request)
            status = exc.status_code
            if exc.code == "already_participating":
                form.add_error(
                    None,
                    _(
                        "Your organisation already takes part in this citizen's plan: you do "
                        "not need to break the glass. Find the plan under Plans."
                    ),
                )
            else:
                explained = cpr_explained(exc) if exc.code == "invalid_cpr" else None
                form.put_service_error(exc, {"cpr": explained} if explained else None)
        else:
            until = timezone.localtime(grant.expires_at)
            messages.warning(
                request,
                _(
                    "You have read-only access to this plan until %(until)s. The coordinator "
                    "and your managers have been told."
                )
                % {"until": date_format(until, "SHORT_DATETIME_FORMAT")},
            )
            return redirect("plans:plan", grant.plan_id)
    return render(
        request,
        "citizens/break_glass.html",
        {"form": form, "hours": settings.KIP_BREAK_GLASS_HOURS},
        status=status,
    )
