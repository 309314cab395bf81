"""Hospital events (psykiatriloven § 13 a-c): admission, expected discharge, discharge.

Each tells the coordinator once. An admission asks for a discharge agreement
(``apps.coordination.discharge``) and a review; an admission within
``KIP_READMISSION_DAYS`` of a discharge on the same plan is a readmission, the common quality
indicator of psychiatric care, flagged on the event and told as such instead. A discharge, or
one expected, prompts a review.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.access import audit
from apps.access.checks import Action, access_plan
from apps.access.context import Actor
from apps.coordination.models import HospitalEvent
from apps.core.exceptions import Conflict, invalid
from apps.notifications.models import Notification
from apps.notifications.services import notification_create
from apps.plans.models import Plan

Kind = HospitalEvent.Kind


def last_discharge_before(plan: Plan, day: dt.date) -> dt.date | None:
    """The latest discharge on the plan on or before ``day``, if within the readmission
    window (``KIP_READMISSION_DAYS``); an admission on ``day`` is then a readmission."""
    earliest = day - dt.timedelta(days=settings.KIP_READMISSION_DAYS)
    return (
        HospitalEvent.objects.filter(
            plan=plan, kind=Kind.DISCHARGE, occurred_on__gte=earliest, occurred_on__lte=day
        )
        .order_by("-occurred_on")
        .values_list("occurred_on", flat=True)
        .first()
    )


@transaction.atomic
def hospital_event_record(
    *, actor: Actor, plan_id: int, kind: str, occurred_on: dt.date, notes: str = ""
) -> HospitalEvent:
    """Record an admission or discharge (any caseworker on the plan); the coordinator is
    told once: of an admission (``admission``, to make a discharge agreement), of a
    readmission (``readmission``: an admission within ``KIP_READMISSION_DAYS`` of a discharge
    on this plan, flagged on the event), or asked to consider a review (``review_prompted``)
    after a discharge, expected or done."""
    plan = access_plan(actor, plan_id, Action.UPDATE)
    if plan.status == Plan.Status.CLOSED:
        raise Conflict(_("The plan is closed."), code="plan_closed")
    if kind not in Kind.values:
        raise invalid("kind", _("Choose admission, discharge or expected discharge."))
    if kind != Kind.EXPECTED_DISCHARGE and occurred_on > timezone.localdate():
        raise invalid("occurred_on", _("This date cannot lie in the future."), "date_in_future")
    if len(notes) > 4000:
        raise invalid("notes", _("At most %(n)s characters.") % {"n": 4000})
    discharged_on = last_discharge_before(plan, occurred_on) if kind == Kind.ADMISSION else None
    event = HospitalEvent.objects.create(
        plan=plan,
        kind=kind,
        occurred_on=occurred_on,
        notes=notes.strip(),
        readmission=discharged_on is not None,
        recorded_by=actor.user,
        recorded_for=actor.organisation,
    )
    detail: dict[str, object] = {"kind": kind}
    if event.readmission:
        detail["readmission"] = True
    audit.record(
        actor, Action.CREATE, "hospital_event", event.pk, citizen_id=plan.citizen_id, detail=detail
    )
    _tell_coordinator(plan, event, discharged_on)
    return event


def _tell_coordinator(plan: Plan, event: HospitalEvent, discharged_on: dt.date | None) -> None:
    # One notice per event: a readmission is an admission too, so it is told as the one
    # that asks more of the reader, not twice.
    context: dict[str, object] = {"event": event.pk, "event_kind": event.kind}
    if event.readmission:
        notice = Notification.Kind.READMISSION
        context["discharged_on"] = discharged_on.isoformat() if discharged_on else None
        context["days"] = settings.KIP_READMISSION_DAYS
    elif event.kind == Kind.ADMISSION:
        notice = Notification.Kind.ADMISSION
    else:
        notice = Notification.Kind.REVIEW_PROMPTED
    notification_create(
        kind=notice,
        recipient=plan.coordinator_user_id,
        plan=plan,
        due=event.occurred_on,
        context=context,
        dedupe_key=f"{notice}:e{event.pk}:u{plan.coordinator_user_id}",
    )
