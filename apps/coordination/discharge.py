"""The discharge agreement (udskrivningsaftale, psykiatriloven § 13 a-c): for an admission,
who does what by when on and after the day of discharge (housing, medicine, a first
appointment, a contact person).

Each task names one responsible person, a caseworker of an organisation that takes part in
the plan within the citizen's consent, and the organisation they act for (whose managers hear
when the task is missed, ``apps.notifications.discharge``). Any caseworker of a participating
organisation keeps the agreement, as with goals and agreements: each write is a plan write
(the plan's version, ``If-Match``), checked and recorded by ``apps.access``. A read is recorded
as a view of the plan, as for every part of it; a write also leaves an event naming the task
(``discharge_task``), as a hospital event does, so the trail tells which task changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.access import audit
from apps.access.checks import Action, access_plan
from apps.access.context import Actor
from apps.citizens.services import organisations_covered
from apps.coordination.hospital import last_discharge_before
from apps.coordination.models import DischargeTask, HospitalEvent

# One rule for every plan part: the access check, the version compare-and-bump, the texts.
from apps.core.exceptions import NotFound, invalid
from apps.core.parsers import as_id
from apps.organisations.models import Membership, Organisation
from apps.plans.models import Plan
from apps.plans.parts import part_write, required_text
from apps.plans.services import ExpectedVersion

User = get_user_model()
OBJECT = "discharge_task"
DESCRIPTION_LIMIT = 2000
# The plan page reads the latest few hospital events; it shows the agreement of the latest
# admission and of every admission with tasks.
RECENT = 10


def discharge_tasks_of(plan: Plan) -> QuerySet[DischargeTask]:
    """The plan's tasks, soonest first, with what a page or an answer shows of them."""
    return DischargeTask.objects.filter(plan=plan).select_related(
        "responsible", "responsible_organisation", "admission"
    )


def discharge_tasks_list(*, actor: Actor, plan_id: Any) -> tuple[Plan, list[DischargeTask]]:
    """The plan's discharge agreement, for whoever reads the plan (recorded as a view of
    the plan, as every part of it)."""
    plan = access_plan(actor, plan_id)
    return plan, list(discharge_tasks_of(plan))


def discharge_task_get(*, actor: Actor, plan_id: Any, task_id: Any) -> DischargeTask:
    """One task of the plan's discharge agreement (404 when not on this plan, or unseen)."""
    plan = access_plan(actor, plan_id)
    return _task(plan, task_id)


def _task(plan: Plan, task_id: Any) -> DischargeTask:
    pk = as_id(task_id)
    task = None if pk is None else discharge_tasks_of(plan).filter(pk=pk).first()
    if task is None:
        raise NotFound(_("Not found."))
    task.plan = plan
    return task


def admissions_of(plan: Plan) -> QuerySet[HospitalEvent]:
    """The admissions a discharge agreement can be made for, the latest first."""
    return HospitalEvent.objects.filter(plan=plan, kind=HospitalEvent.Kind.ADMISSION)


def _admission(plan: Plan, value: Any) -> HospitalEvent:
    pk = as_id(value)
    admission = None if pk is None else admissions_of(plan).filter(pk=pk).first()
    if admission is None:
        raise invalid("admission", _("Choose an admission recorded on this plan."))
    return admission


def responsible_candidates(plan: Plan) -> QuerySet[Membership]:
    """Who may be responsible for a task: caseworkers of the organisations that take part in
    the plan and that the citizen's consent covers (each with the organisation they act for)."""
    taking_part = set(plan.participations.values_list("organisation_id", flat=True))
    organisations = taking_part & organisations_covered(citizen=plan.citizen)
    return (
        Membership.objects.filter(
            organisation_id__in=organisations,
            role=Membership.Role.CASEWORKER,
            user__is_active=True,
        )
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__first_name", "user__last_name", "user_id")
    )


@dataclass
class AdmissionAgreement:
    """An admission with the tasks of its discharge agreement."""

    admission: HospitalEvent
    tasks: list[DischargeTask] = field(default_factory=list)

    @property
    def open_first(self) -> list[DischargeTask]:
        """The tasks as the citizen reads them: what is still to be done (soonest due first),
        then what is done."""
        return sorted(self.tasks, key=lambda t: (t.done, t.due, t.pk))


@dataclass
class DischargeAgreements:
    """What the plan page shows: the latest admission and every admission with tasks, each
    with its agreement (latest first); and the admission the citizen is in now, when it is a
    readmission (no discharge recorded since)."""

    agreements: list[AdmissionAgreement]
    readmitted: HospitalEvent | None
    discharged_before: dt.date | None = None  # the discharge the readmission came after
    days: int = field(default_factory=lambda: settings.KIP_READMISSION_DAYS)
    discharged_on: dt.date | None = None  # the discharge after the latest admission, if any
    today: dt.date = field(default_factory=timezone.localdate)

    @property
    def latest(self) -> HospitalEvent | None:
        return self.agreements[0].admission if self.agreements else None

    @property
    def for_citizen(self) -> AdmissionAgreement | None:
        """The agreement "Min plan" tells the citizen of: the latest admission's, once it has
        tasks, while the citizen is in hospital, in the first ``days`` after the discharge,
        and after that as long as a task is still open. An older admission's agreement is
        history the plan page keeps, not something the citizen has to act on."""
        agreement = self.agreements[0] if self.agreements else None
        if agreement is None or not agreement.tasks:
            return None
        recent = (
            self.discharged_on is None
            or (self.today - self.discharged_on).days <= self.days
            or any(not t.done for t in agreement.tasks)
        )
        return agreement if recent else None


def discharge_agreements(
    plan: Plan,
    recent_events: list[HospitalEvent] | None = None,
    *,
    today: dt.date | None = None,
) -> DischargeAgreements:
    """The discharge agreements of a plan already checked by ``apps.access`` (the page
    records its view), read in a fixed number of queries.

    ``recent_events``: the plan's latest hospital events, newest first, as the page read them
    already; a plan without any (most plans) then costs no query at all.
    """
    today = today or timezone.localdate()
    events = (
        list(HospitalEvent.objects.filter(plan=plan)[:RECENT])
        if recent_events is None
        else recent_events
    )
    if not events:
        return DischargeAgreements(agreements=[], readmitted=None)
    latest = next((e for e in events if e.kind == HospitalEvent.Kind.ADMISSION), None)
    # What happened since the latest admission, when the recent events reach back to it.
    since = events[: events.index(latest)] if latest is not None else None
    if latest is None:
        latest = admissions_of(plan).first()  # older than the recent events
    if latest is None:
        return DischargeAgreements(agreements=[], readmitted=None)
    by_admission = {latest.pk: AdmissionAgreement(latest)}
    for task in discharge_tasks_of(plan):
        task.plan = plan
        agreement = by_admission.setdefault(task.admission_id, AdmissionAgreement(task.admission))
        agreement.tasks.append(task)
    agreements = sorted(
        by_admission.values(),
        key=lambda a: (a.admission.occurred_on, a.admission.pk),
        reverse=True,
    )
    if since is not None:
        days = [e.occurred_on for e in since if e.kind == HospitalEvent.Kind.DISCHARGE]
        discharged_on = min(days, default=None)
    else:
        later = Q(occurred_on__gt=latest.occurred_on) | Q(
            occurred_on=latest.occurred_on, pk__gt=latest.pk
        )
        discharged_on = (
            HospitalEvent.objects.filter(later, plan=plan, kind=HospitalEvent.Kind.DISCHARGE)
            .order_by("occurred_on", "pk")
            .values_list("occurred_on", flat=True)
            .first()
        )
    readmitted = latest if latest.readmission and discharged_on is None else None
    before = last_discharge_before(plan, readmitted.occurred_on) if readmitted else None
    return DischargeAgreements(
        agreements=agreements,
        readmitted=readmitted,
        discharged_before=before,
        discharged_on=discharged_on,
        today=today,
    )


def _responsible(plan: Plan, user_id: Any, organisation_id: Any) -> tuple[Any, Organisation]:
    """The person and the organisation they act for on this task. With memberships in
    several of the plan's organisations, the organisation must be named."""
    pk = as_id(user_id)
    if user_id in (None, ""):
        raise invalid("responsible", _("Name the responsible person."), "required")
    memberships = [] if pk is None else list(responsible_candidates(plan).filter(user_id=pk))
    if not memberships:
        raise invalid(
            "responsible",
            _(
                "The responsible person must be a caseworker of an organisation that takes "
                "part in the plan."
            ),
        )
    if organisation_id not in (None, ""):
        org_pk = as_id(organisation_id)
        chosen = [m for m in memberships if m.organisation_id == org_pk]
        if not chosen:
            raise invalid(
                "responsible_organisation",
                _("Choose an organisation on the plan that the responsible person works for."),
            )
        return chosen[0].user, chosen[0].organisation
    if len(memberships) > 1:
        raise invalid(
            "responsible_organisation",
            _(
                "The responsible person works for several organisations on the plan: "
                "choose the one they act for here."
            ),
            "required",
        )
    return memberships[0].user, memberships[0].organisation


def _due(value: Any, admission: HospitalEvent) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise invalid("due", _("Give the date the task is to be done by."), "required")
    if value < admission.occurred_on:
        raise invalid(
            "due",
            _("A task cannot be due before the admission (%(day)s).")
            % {"day": date_format(admission.occurred_on, "SHORT_DATE_FORMAT")},
        )
    return value


def _set_done(task: DischargeTask, done: Any) -> None:
    if not isinstance(done, bool):
        raise invalid("done", _("Send true or false."))
    if done != task.done:
        task.done, task.done_at = done, (timezone.now() if done else None)


@transaction.atomic
def discharge_task_save(
    *,
    actor: Actor,
    plan_id: Any,
    expected_version: ExpectedVersion,
    task_id: Any = None,
    data: dict[str, Any],
) -> DischargeTask:
    """Add a task to the discharge agreement of an admission of the plan, or change one
    (only what ``data`` names): ``admission`` (an admission of this plan), ``description``,
    ``responsible`` (a caseworker of an organisation on the plan, within consent),
    ``responsible_organisation`` (the organisation they act for; needed when they work for
    several on the plan), ``due`` (not before the admission), ``done``."""
    plan = part_write(actor, plan_id, expected_version)
    new = task_id is None
    task = DischargeTask(plan=plan, created_by=actor.user) if new else _task(plan, task_id)
    if new or "admission" in data:
        task.admission = _admission(plan, data.get("admission"))
    if new or "description" in data:
        task.description = required_text(data.get("description"), "description", DESCRIPTION_LIMIT)
    if new or "responsible" in data or "responsible_organisation" in data:
        person = data.get("responsible", task.responsible_id)
        org = data.get("responsible_organisation")
        if org in (None, "") and not new and as_id(person) == task.responsible_id:
            org = task.responsible_organisation_id  # the same person acts for the same one
        task.responsible, task.responsible_organisation = _responsible(plan, person, org)
    if new or "due" in data:
        task.due = _due(data.get("due"), task.admission)
    elif "admission" in data:
        _due(task.due, task.admission)
    if "done" in data:
        _set_done(task, data["done"])
    task.save()
    audit.record(
        actor,
        Action.CREATE if new else Action.UPDATE,
        OBJECT,
        task.pk,
        citizen_id=plan.citizen_id,
        # A new task: the admission it is for; a change: what the request named.
        detail={"admission": task.admission_id} if new else {"fields": sorted(data)},
    )
    return task


@transaction.atomic
def discharge_task_done(
    *, actor: Actor, plan_id: Any, expected_version: ExpectedVersion, task_id: Any, done: bool
) -> DischargeTask:
    """Mark a task of the discharge agreement done (or not done after all): its reminders
    stop (or start again)."""
    plan = part_write(actor, plan_id, expected_version)
    task = _task(plan, task_id)
    _set_done(task, done)
    task.save()
    audit.record(
        actor, Action.UPDATE, OBJECT, task.pk, citizen_id=plan.citizen_id, detail={"done": done}
    )
    return task


@transaction.atomic
def discharge_task_delete(
    *, actor: Actor, plan_id: Any, expected_version: ExpectedVersion, task_id: Any
) -> Plan:
    """Take a task off the discharge agreement."""
    plan = part_write(actor, plan_id, expected_version)
    task = _task(plan, task_id)
    pk = task.pk
    task.delete()
    audit.record(actor, Action.DELETE, OBJECT, pk, citizen_id=plan.citizen_id)
    return plan
