"""Reminders of the discharge agreement: the responsible person on the due date (once), the
managers of their organisation when the task is still not done two working days later; none
when done, on a closed plan, or when consent no longer covers the organisation. The texts in
the inbox and e-mail, in Danish and English."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from apps.coordination.discharge import discharge_task_done
from apps.coordination.models import DischargeTask
from apps.notifications.delivery import notification_deliver
from apps.notifications.discharge import discharge_task_rows
from apps.notifications.models import Notification, NotificationPreference
from apps.notifications.reminders import reminders_sweep
from apps.notifications.web.texts import notification_sentence
from apps.organisations.models import Membership
from apps.plans.services import plan_close
from tests.conftest import World, make_user

from .conftest import at, inbox
from .discharge import admit, days_ago, task, version

K = Notification.Kind
MINE = (K.DISCHARGE_TASK_DUE, K.DISCHARGE_TASK_ESCALATION)


def _chp_manager(world: World) -> Any:
    return make_user("chp.manager", world.orgs["chp"], Membership.Role.MANAGER)


def _notices(user: Any) -> list[tuple[str, dt.date | None]]:
    return [(n.kind, n.due) for n in inbox(user) if n.kind in MINE]


def test_the_responsible_person_is_reminded_once_on_the_due_date(world: World, clock) -> None:
    clock(at(2026, 3, 2))  # Monday
    manager = _chp_manager(world)
    admission = admit(world, dt.date(2026, 2, 27))
    item = task(world, admission, due=dt.date(2026, 3, 3))
    reminders_sweep()
    assert _notices(world.participant) == []  # not due yet
    clock(at(2026, 3, 3))
    reminders_sweep()
    assert _notices(world.participant) == [(K.DISCHARGE_TASK_DUE, dt.date(2026, 3, 3))]
    notice = inbox(world.participant, K.DISCHARGE_TASK_DUE)[0]
    assert notice.plan_id == world.plan.pk
    assert notice.dedupe_key == f"discharge_task_due:t{item.pk}:2026-03-03:u{world.participant.pk}"
    # Two sweeps send nothing twice, and the task stays due (not reminded again) until done.
    assert reminders_sweep().created == 0
    clock(at(2026, 3, 4))
    reminders_sweep()
    assert len(_notices(world.participant)) == 1
    assert _notices(manager) == []
    assert _notices(world.coordinator) == []


def test_still_not_done_two_working_days_later_goes_to_the_managers(world: World, clock) -> None:
    clock(at(2026, 3, 6))  # Friday
    manager = _chp_manager(world)
    admission = admit(world, dt.date(2026, 3, 2))
    task(world, admission, due=dt.date(2026, 3, 6))
    reminders_sweep()
    clock(at(2026, 3, 9))  # Monday: one working day after
    reminders_sweep()
    assert _notices(manager) == []
    clock(at(2026, 3, 10))  # Tuesday: two working days after
    reminders_sweep()
    assert _notices(manager) == [(K.DISCHARGE_TASK_ESCALATION, dt.date(2026, 3, 6))]
    assert reminders_sweep().created == 0
    # The managers of the organisation the person acts for, not the coordinator's.
    assert _notices(world.manager) == []
    assert _notices(world.participant) == [(K.DISCHARGE_TASK_DUE, dt.date(2026, 3, 6))]


def test_a_new_due_date_is_reminded_anew(world: World, clock) -> None:
    clock(at(2026, 3, 3))
    item = task(world, admit(world, dt.date(2026, 3, 1)), due=dt.date(2026, 3, 3))
    reminders_sweep()
    DischargeTask.objects.filter(pk=item.pk).update(due=dt.date(2026, 3, 5))
    clock(at(2026, 3, 5))
    reminders_sweep()
    assert [due for _, due in _notices(world.participant)] == [
        dt.date(2026, 3, 3),
        dt.date(2026, 3, 5),
    ]


def test_a_done_task_is_not_reminded(world: World, clock) -> None:
    clock(at(2026, 3, 10))
    manager = _chp_manager(world)
    item = task(world, admit(world, dt.date(2026, 3, 1)), due=dt.date(2026, 3, 2))
    discharge_task_done(
        actor=world.actor(world.participant),
        plan_id=world.plan.pk,
        expected_version=version(world),
        task_id=item.pk,
        done=True,
    )
    reminders_sweep()
    assert _notices(world.participant) == []
    assert _notices(manager) == []


def test_a_closed_plan_is_not_reminded(world: World, clock) -> None:
    clock(at(2026, 3, 10))
    manager = _chp_manager(world)
    task(world, admit(world, dt.date(2026, 3, 1)), due=dt.date(2026, 3, 2))
    plan_close(
        actor=world.actor(world.coordinator),
        plan_id=world.plan.pk,
        expected_version=version(world),
        reason="goals_reached",
    )
    reminders_sweep()
    assert _notices(world.participant) == []
    assert _notices(manager) == []


def test_nobody_is_reminded_when_consent_no_longer_covers_the_organisation(
    world: World, lapsing: Any
) -> None:
    lapse = lapsing("chp")
    manager = _chp_manager(world)
    task(world, admit(world, days_ago(10)), due=days_ago(5))
    lapse()
    reminders_sweep()
    assert _notices(world.participant) == []
    assert _notices(manager) == []


def test_reminded_while_consent_covers_the_organisation(world: World, lapsing: Any) -> None:
    lapsing("chp")  # set apart, never lapses
    manager = _chp_manager(world)
    task(world, admit(world, days_ago(10)), due=days_ago(5))
    reminders_sweep()
    assert [k for k, _ in _notices(world.participant)] == [K.DISCHARGE_TASK_DUE]
    assert [k for k, _ in _notices(manager)] == [K.DISCHARGE_TASK_ESCALATION]


def test_an_organisation_no_longer_on_the_plan_is_not_reminded(world: World) -> None:
    from apps.plans.services import participant_remove

    task(world, admit(world, days_ago(10)), due=days_ago(5))
    participant_remove(
        actor=world.actor(world.coordinator),
        plan_id=world.plan.pk,
        expected_version=version(world),
        organisation_id=world.orgs["chp"].pk,
    )
    reminders_sweep()
    assert _notices(world.participant) == []


def test_the_sweep_reads_due_tasks_only_and_in_fixed_queries(world: World, clock) -> None:
    clock(at(2026, 6, 10))
    _chp_manager(world)
    admission = admit(world, dt.date(2026, 6, 1))
    for day in (2, 3, 4, 5):
        task(world, admission, due=dt.date(2026, 6, day))
    task(world, admission, due=dt.date(2026, 6, 20))  # not yet due
    # Long overdue, beyond the look-back: never reminded (as the review reminders).
    old = task(world, admission, due=dt.date(2026, 6, 2))
    DischargeTask.objects.filter(pk=old.pk).update(due=dt.date(2026, 1, 2))
    with CaptureQueriesContext(connection) as queries:
        rows = discharge_task_rows(dt.date(2026, 6, 10), at(2026, 6, 10))
    assert len(queries) == 2  # the due tasks, the managers of their organisations
    due = sorted(r.due for r in rows if r.kind == K.DISCHARGE_TASK_DUE and r.due)
    assert due == [dt.date(2026, 6, day) for day in (2, 3, 4, 5)]
    assert len([r for r in rows if r.kind == K.DISCHARGE_TASK_ESCALATION]) == 4


@pytest.mark.parametrize(
    ("language", "kind", "sentence", "subject"),
    [
        (
            "da",
            K.DISCHARGE_TASK_DUE,
            "Du har en opgave i udskrivningsaftalen, der skal være gjort senest den 3. marts 2026.",
            "[KIP] En opgave i udskrivningsaftalen skal gøres",
        ),
        (
            "en",
            K.DISCHARGE_TASK_DUE,
            "A task of the discharge agreement is yours to do by March 3, 2026.",
            "[KIP] A task of the discharge agreement is due",
        ),
        (
            "da",
            K.DISCHARGE_TASK_ESCALATION,
            "En opgave i udskrivningsaftalen i jeres organisation skulle være gjort senest "
            "den 3. marts 2026 og er ikke markeret som færdig.",
            "[KIP] En opgave i udskrivningsaftalen er ikke gjort",
        ),
        (
            "en",
            K.DISCHARGE_TASK_ESCALATION,
            "A task of the discharge agreement in your organisation, due on March 3, 2026, "
            "has not been marked as done.",
            "[KIP] A task of the discharge agreement is not done",
        ),
        (
            "da",
            K.ADMISSION,
            "Borgeren blev indlagt den 3. marts 2026. Lav en udskrivningsaftale, og overvej en "
            "opfølgning af planen.",
            "[KIP] Indlæggelse: lav en udskrivningsaftale",
        ),
        (
            "en",
            K.READMISSION,
            "The citizen was admitted again on March 3, 2026, within 30 days of a discharge. "
            "Go through the discharge agreement and consider a review.",
            "[KIP] Readmitted within 30 days of a discharge",
        ),
        (
            "da",
            K.READMISSION,
            "Borgeren blev genindlagt den 3. marts 2026, inden for 30 dage efter en udskrivning. "
            "Gennemgå udskrivningsaftalen, og overvej en opfølgning.",
            "[KIP] Genindlagt inden for 30 dage efter udskrivning",
        ),
    ],
)
def test_the_notices_speak_in_the_readers_language(
    world: World, language: str, kind: str, sentence: str, subject: str
) -> None:
    NotificationPreference.objects.create(user=world.participant, language=language)
    notice = Notification.objects.create(
        kind=kind,
        recipient=world.participant,
        plan=world.plan,
        due=dt.date(2026, 3, 3),
        context={"days": 30} if kind == K.READMISSION else {},
        dedupe_key=f"test:{kind}",
    )
    with translation.override(language):
        assert notification_sentence(notice) == sentence
    assert notification_deliver(notification_id=notice.pk) is True
    email = mail.outbox[-1]
    assert email.subject == subject
    assert f"{world.plan.pk}" in email.body
    assert world.citizen.name not in email.body  # no citizen data in e-mail
