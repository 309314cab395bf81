"""Record an admission, an expected discharge or a discharge; the coordinator is told (on their
My work and in their inbox): of an admission, to make the discharge agreement; of a discharge,
to consider a review."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from apps.access import audit
from apps.access.checks import Action, access_plan
from apps.access.context import Actor
from apps.coordination import hospital
from apps.coordination.models import HospitalEvent
from apps.coordination.web.forms import HospitalEventForm, errors_onto
from apps.core.exceptions import ApplicationError
from apps.plans.models import Plan
from apps.web.decorators import acting

RECORDED = {
    HospitalEvent.Kind.ADMISSION: gettext_lazy("The admission is recorded."),
    HospitalEvent.Kind.EXPECTED_DISCHARGE: gettext_lazy("The expected discharge is recorded."),
    HospitalEvent.Kind.DISCHARGE: gettext_lazy("The discharge is recorded."),
}


@acting
@require_http_methods(["GET", "POST"])
def hospital_event_new(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """Any caseworker of an organisation on the plan may record one, as through the API."""
    plan = access_plan(actor, pk, Action.UPDATE, record=False)
    status = 200
    if request.method == "POST":
        form = HospitalEventForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                hospital.hospital_event_record(
                    actor=actor,
                    plan_id=plan.pk,
                    kind=data["kind"],
                    occurred_on=data["occurred_on"],
                    notes=data["notes"],
                )
            except ApplicationError as error:
                errors_onto(form, error)
                status = error.status_code
            else:
                if data["kind"] == HospitalEvent.Kind.ADMISSION:
                    # What an admission calls for first: the discharge agreement.
                    told = _("The coordinator is told. Make the discharge agreement below.")
                    messages.success(request, f"{RECORDED[data['kind']]} {told}")
                    return redirect(f"{reverse('plans:plan', args=[plan.pk])}#section-discharge")
                messages.success(
                    request,
                    f"{RECORDED[data['kind']]} "
                    + _("The coordinator is asked to consider a review of the plan."),
                )
                return redirect("plans:plan", plan.pk)
        else:
            status = 400
    else:
        form = HospitalEventForm()
    audit.record_objects(actor, Action.VIEW, [plan])  # the form shows the plan
    context = {"plan": plan, "form": form, "closed": plan.status == Plan.Status.CLOSED}
    return render(request, "coordination/hospital_event_new.html", context, status=status)
