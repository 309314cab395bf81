"""Helpers of the discharge agreement tests: admissions and tasks made through the services,
and what the database holds of them for before/after checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from apps.audit.models import AccessEvent
from apps.coordination.discharge import discharge_task_save
from apps.coordination.hospital import hospital_event_record
from apps.coordination.models import DischargeTask, HospitalEvent
from apps.notifications.models import Notification
from tests.conftest import World
from tests.helpers import snapshot

API = "/api/v1"


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def version(world: World) -> int:
    world.plan.refresh_from_db()
    return world.plan.version


def etag(world: World) -> str:
    return f'"{version(world)}"'


def record(world: World, kind: str, day: dt.date, user: Any = None) -> HospitalEvent:
    return hospital_event_record(
        actor=world.actor(user or world.participant),
        plan_id=world.plan.pk,
        kind=kind,
        occurred_on=day,
    )


def admit(world: World, day: dt.date | None = None) -> HospitalEvent:
    return record(world, "admission", day or days_ago(3))


def task(world: World, admission: HospitalEvent, **data: Any) -> DischargeTask:
    values = {
        "admission": admission.pk,
        "description": "Bolig klar til udskrivning",
        "responsible": world.participant.pk,
        "due": timezone.localdate(),
        **data,
    }
    return discharge_task_save(
        actor=world.actor(world.coordinator),
        plan_id=world.plan.pk,
        expected_version=version(world),
        data=values,
    )


def tasks() -> list[tuple]:
    return list(
        DischargeTask.objects.order_by("pk").values_list(
            "pk",
            "plan_id",
            "admission_id",
            "description",
            "responsible_id",
            "responsible_organisation_id",
            "due",
            "done",
            "done_at",
        )
    )


def state() -> tuple[Any, ...]:
    """Citizen data, the tasks, the hospital events and the notifications."""
    events = list(HospitalEvent.objects.order_by("pk").values_list("pk", "readmission"))
    notices = list(Notification.objects.order_by("pk").values_list("pk", "kind"))
    return snapshot(), tasks(), events, notices


def last_event() -> int:
    return AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def events_since(start: int) -> list[tuple[str, str, str, str]]:
    return [
        (e.action, e.object_type, e.object_id, e.outcome)
        for e in AccessEvent.objects.filter(id__gt=start).order_by("id")
    ]
