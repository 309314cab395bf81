"""Consent pages: record a consent, and withdraw one with its consequence stated first.

The writes go through ``consent_give`` and ``consent_withdraw``, which check access and record
the audit event exactly as for the API. A manager or an outsider asking for these pages is
refused as the API refuses the write (403 or 404, recorded).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.access import audit
from apps.access.checks import NotVisible, access_citizen, citizens_visible_to
from apps.access.context import Actor
from apps.audit.models import AccessEvent
from apps.citizens import services
from apps.citizens.models import Citizen, Consent
from apps.citizens.web.forms import ConsentForm
from apps.citizens.web.views import visible_plans
from apps.citizens.web.withdrawal import (
    Consequence,
    consent_withdrawal_effect,
    consequence_text,
)
from apps.core.exceptions import ApplicationError
from apps.web.decorators import acting

Action = audit.Action


def _citizen_for_consent(actor: Actor, pk: int, consent_id: Any = "") -> Citizen:
    """The citizen, if the actor may record or withdraw their consent; the page shows them.

    A refusal is recorded as the service records it (about the consent, with the citizen).
    """
    citizen = access_citizen(
        actor, pk, Action.CONSENT, record=False, object_type="consent", object_id=consent_id
    )
    audit.record(actor, Action.VIEW, "citizen", citizen.pk, citizen_id=citizen.pk)
    return citizen


@acting
@require_http_methods(["GET", "POST"])
def consent_new(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = ConsentForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                consent = services.consent_give(
                    actor=actor,
                    citizen_id=pk,
                    organisation_ids=[o.pk for o in form.cleaned_data["organisations"]],
                    form=form.cleaned_data["form"],
                    expires_at=form.expiry(),
                )
            except ApplicationError as exc:
                status = exc.status_code
                form.put_service_error(exc)
            else:
                names = ", ".join(o.name for o in consent.organisations.order_by("name"))
                messages.success(
                    request,
                    _("The consent is recorded. It covers: %(names)s.") % {"names": names},
                )
                return redirect("citizens:citizen", pk)
    else:
        form = ConsentForm(initial={"organisations": [actor.organisation.pk]})
    citizen = _citizen_for_consent(actor, pk)
    return render(
        request, "citizens/consent_new.html", {"citizen": citizen, "form": form}, status=status
    )


@acting
@require_http_methods(["GET", "POST"])
def consent_withdraw(request: HttpRequest, actor: Actor, pk: int, consent: int) -> HttpResponse:
    if request.method == "POST":
        return _withdraw(request, actor, pk, consent)
    citizen = _citizen_for_consent(actor, pk, consent)
    chosen = _consent_of(actor, citizen, consent)
    audit.record_objects(actor, Action.VIEW, [chosen])
    plans = visible_plans(actor, [citizen.pk])
    effects = consent_withdrawal_effect(consent=chosen, plans=plans)
    return render(
        request,
        "citizens/consent_withdraw.html",
        {
            "citizen": citizen,
            "consent": chosen,
            "organisations": sorted(chosen.organisations.all(), key=lambda o: o.name),
            "consequences": [consequence_text(c, done=False) for c in effects],
            "in_force": Consent.objects.in_force().filter(pk=chosen.pk).exists(),
        },
    )


def _consent_of(actor: Actor, citizen: Citizen, consent_id: Any) -> Consent:
    chosen = Consent.objects.filter(citizen=citizen, pk=consent_id).first()
    if chosen is None:
        raise NotVisible(
            audit.event(
                actor,
                Action.VIEW,
                "consent",
                consent_id,
                # another citizen's consent is recorded with the citizen it concerns
                citizen_id=audit.citizen_of_object(Consent.objects, consent_id) or citizen.pk,
                outcome=AccessEvent.Outcome.DENIED,
            )
        )
    return chosen


def _withdraw(request: HttpRequest, actor: Actor, pk: int, consent_id: int) -> HttpResponse:
    # What will happen is worked out before, from what the actor may see; the service then
    # checks access (refusals recorded as for the API) and withdraws.
    citizen = access_citizen(
        actor, pk, Action.CONSENT, record=False, object_type="consent", object_id=consent_id
    )
    chosen = Consent.objects.filter(citizen=citizen, pk=consent_id).first()
    effects = []
    if chosen is not None:
        plans = visible_plans(actor, [citizen.pk], record=False)
        effects = consent_withdrawal_effect(consent=chosen, plans=plans)
    try:
        services.consent_withdraw(actor=actor, citizen_id=pk, consent_id=consent_id)
    except ApplicationError as exc:  # already withdrawn
        messages.warning(request, str(exc.detail))
        return redirect("citizens:citizen", pk)
    messages.success(request, _("The consent is withdrawn."))
    for effect in effects:
        if effect.kind != Consequence.STILL_COVERED:  # said before; nothing changed for them
            messages.info(request, consequence_text(effect, done=True))
    if citizens_visible_to(actor).filter(pk=pk).exists():
        return redirect("citizens:citizen", pk)
    messages.info(request, _("Your organisation no longer has access to the citizen."))
    return redirect("citizens:search")
