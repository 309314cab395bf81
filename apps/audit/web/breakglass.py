"""The manager's review queue of break-the-glass use, as the API's queue and review do it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.access import audit
from apps.access.context import Actor
from apps.audit import breakglass
from apps.audit.api.views import AUDIT_PURPOSE, require_manager
from apps.audit.models import AccessEvent, BreakGlass
from apps.audit.web.forms import ReviewForm
from apps.citizens.models import Citizen
from apps.core.exceptions import Conflict
from apps.web.decorators import acting

Action = AccessEvent.Action
SHOWN = 100  # the newest open and reviewed grants; a queue longer than this is itself a finding


def _queue(actor: Actor, forms: dict[int, ReviewForm] | None = None) -> dict[str, Any]:
    grants = breakglass.break_glass_for_review(actor=actor).select_related(
        "actor", "organisation", "reviewed_by"
    )
    waiting = list(grants.filter(reviewed_at__isnull=True).order_by("-id")[:SHOWN])
    reviewed = list(grants.filter(reviewed_at__isnull=False).order_by("-reviewed_at")[:SHOWN])
    shown = waiting + reviewed
    # The manager reviews the use of a citizen's plan: who it was is part of the review.
    names = dict(
        Citizen.objects.filter(pk__in={g.citizen_id for g in shown}).values_list("pk", "name")
    )
    # As the API's queue: one event per grant shown.
    audit.write(
        [
            audit.event(
                actor,
                Action.LIST,
                "breakglass",
                g.pk,
                citizen_id=g.citizen_id,
                purpose=AUDIT_PURPOSE,
            )
            for g in shown
        ]
    )
    forms = forms or {}
    return {
        "now": timezone.now(),
        "waiting": [_row(g, names, forms.get(g.pk)) for g in waiting],
        "reviewed": [_row(g, names) for g in reviewed],
    }


def _row(grant: BreakGlass, names: dict[int, str], form: ReviewForm | None = None) -> dict:
    if form is None:
        form = ReviewForm(prefix=f"grant-{grant.pk}")
    return {"grant": grant, "citizen": names.get(grant.citizen_id), "form": form}


@acting
def queue(request: HttpRequest, actor: Actor) -> HttpResponse:
    """``/audit/break-glass/``: grants waiting for review, then the reviewed ones."""
    require_manager(actor, Action.LIST, {"reviewed": "None"})
    return render(request, "audit/break_glass.html", _queue(actor))


@require_POST
@acting
def review(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """Mark one grant as reviewed, with a short note (``break_glass_review``)."""
    form = ReviewForm(request.POST, prefix=f"grant-{pk}")
    if not form.is_valid():
        require_manager(actor, Action.LIST, {"reviewed": "None"})
        context = _queue(actor, {pk: form})
        return render(request, "audit/break_glass.html", context, status=400)
    try:
        breakglass.break_glass_review(actor=actor, grant_id=pk, note=form.cleaned_data["note"])
    except Conflict as exc:
        messages.warning(request, str(exc.detail))
    else:
        messages.success(request, _("The review is saved."))
    return redirect("audit:break-glass")
