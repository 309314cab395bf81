"""Reminder rules with a frozen clock, across weekends, Christmas and Easter."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from apps.coordination.models import Handover
from apps.notifications.delivery import notification_claim, notification_deliver
from apps.notifications.models import Notification, NotificationPreference
from apps.notifications.reminders import reminders_sweep, review_kinds_due
from apps.notifications.services import notification_create

from .conftest import at, inbox, set_review

K = Notification.Kind


@pytest.mark.parametrize(
    ("today", "kinds"),
    [
        # Review on Mon 28 Dec 2026: 5 working days before is Fri 18 Dec
        # (Christmas Day and Second Day are holidays, Sat/Sun off).
        (dt.date(2026, 12, 17), []),
        (dt.date(2026, 12, 18), [K.REVIEW_UPCOMING]),
        (dt.date(2026, 12, 27), [K.REVIEW_UPCOMING]),
        (dt.date(2026, 12, 28), [K.REVIEW_DUE]),
        (dt.date(2026, 12, 29), [K.REVIEW_OVERDUE]),
        # Escalation 5 working days after: 29, 30, 31 Dec, 4, 5 Jan (1 Jan off).
        (dt.date(2027, 1, 4), [K.REVIEW_OVERDUE]),
        (dt.date(2027, 1, 5), [K.REVIEW_OVERDUE, K.REVIEW_ESCALATION]),
    ],
)
def test_review_rules_across_christmas(today, kinds):
    assert review_kinds_due(dt.date(2026, 12, 28), today) == kinds


def test_review_due_on_maundy_thursday_is_overdue_after_easter():
    # Due Thu 25 Mar 2027 (a holiday); overdue from the next working day, Tue 30 Mar.
    assert review_kinds_due(dt.date(2027, 3, 25), dt.date(2027, 3, 29)) == [K.REVIEW_DUE]
    assert review_kinds_due(dt.date(2027, 3, 25), dt.date(2027, 3, 30)) == [K.REVIEW_OVERDUE]


def test_sweep_sends_each_review_reminder_once(world, clock):
    set_review(world.plan, dt.date(2026, 12, 28))
    clock(at(2026, 12, 17))
    assert reminders_sweep().created == 0
    clock(at(2026, 12, 18))
    assert reminders_sweep().created == 1
    assert reminders_sweep().created == 0  # twice the same day: nothing new
    clock(at(2026, 12, 28))
    reminders_sweep()
    clock(at(2026, 12, 29))
    reminders_sweep()
    clock(at(2027, 1, 5))
    reminders_sweep()
    reminders_sweep()
    assert [(n.kind, n.due) for n in inbox(world.coordinator)] == [
        (K.REVIEW_UPCOMING, dt.date(2026, 12, 28)),
        (K.REVIEW_DUE, dt.date(2026, 12, 28)),
        (K.REVIEW_OVERDUE, dt.date(2026, 12, 28)),
    ]
    # The escalation goes to the manager of the coordinator's organisation.
    assert [n.kind for n in inbox(world.manager)] == [K.REVIEW_ESCALATION]
    assert Notification.objects.count() == 4


def test_only_active_plans_are_reminded(world, clock):
    from apps.plans.models import Plan

    set_review(world.plan, dt.date(2026, 12, 28))
    Plan.objects.filter(pk=world.plan.pk).update(status=Plan.Status.DRAFT)
    clock(at(2026, 12, 28))
    assert reminders_sweep().created == 0


def test_handover_reminder_escalation_and_expiry_over_easter(world, clock):
    clock(at(2027, 3, 23))  # Tue
    response = world.client(world.coordinator, "addiction").post(
        f"/api/v1/plans/{world.plan.pk}/handovers/",
        {"to_user": world.participant.pk},
        format="json",
    )
    handover = Handover.objects.get(pk=response.data["id"])
    chp_manager = _manager(world, "chp")
    # Reminder after 2 working days: 24 Mar, 30 Mar (25-29 Mar is Easter + weekend).
    clock(at(2027, 3, 29))
    reminders_sweep()
    assert [n.kind for n in inbox(world.participant)] == [K.HANDOVER_PROPOSED]
    clock(at(2027, 3, 30))
    reminders_sweep()
    reminders_sweep()
    assert [n.kind for n in inbox(world.participant)] == [K.HANDOVER_PROPOSED, K.HANDOVER_REMINDER]
    # Escalation after 5 working days (24, 30, 31 Mar, 1, 2 Apr) to the receiver's managers.
    clock(at(2027, 4, 1))
    reminders_sweep()
    assert inbox(chp_manager) == []
    clock(at(2027, 4, 2))
    reminders_sweep()
    assert [n.kind for n in inbox(chp_manager)] == [K.HANDOVER_ESCALATION]
    # Expiry after 10 working days: ... 5 Apr, 6, 7, 8, 9 Apr -> expires at 9 Apr 00:00.
    clock(at(2027, 4, 8, 23))
    assert reminders_sweep().expired == 0
    clock(at(2027, 4, 9, 0) + dt.timedelta(minutes=1))
    assert reminders_sweep().expired == 1
    handover.refresh_from_db()
    assert handover.state == "expired"
    assert [n.kind for n in inbox(world.coordinator)] == [K.HANDOVER_EXPIRED]
    # Expired handovers are reminded no more.
    clock(at(2027, 4, 20))
    assert reminders_sweep().created == 0


def _manager(world, slug):
    from apps.organisations.models import Membership
    from tests.conftest import make_user

    return make_user(f"{slug}.mgr", world.orgs[slug], Membership.Role.MANAGER)


def test_notification_create_is_idempotent(world):
    first = notification_create(kind="break_glass", recipient=world.manager, plan=world.plan)
    again = notification_create(kind="break_glass", recipient=world.manager, plan=world.plan)
    assert first is not None
    assert again is None
    assert Notification.objects.filter(kind="break_glass").count() == 1


def test_delivery_claims_once_and_sends_one_mail(world):
    notification = notification_create(
        kind=K.REVIEW_DUE, recipient=world.coordinator, plan=world.plan, due=dt.date(2026, 12, 28)
    )
    assert notification_deliver(notification_id=notification.pk) is True
    assert notification_deliver(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.delivered_at
    assert notification.email_sent_at
    assert notification.attempts == 1


def test_a_live_claim_blocks_others_until_its_lease_ends(world, clock, settings):
    clock(at(2026, 12, 1))
    notification = notification_create(
        kind=K.REVIEW_DUE, recipient=world.coordinator, plan=world.plan
    )
    assert notification_claim(notification_id=notification.pk) is not None
    assert notification_claim(notification_id=notification.pk) is None  # got there first
    clock(at(2026, 12, 1) + dt.timedelta(seconds=settings.KIP_NOTIFICATION_CLAIM_LEASE_SECONDS + 1))
    assert notification_deliver(notification_id=notification.pk) is True  # lease over: retried
    assert len(mail.outbox) == 1


def test_sweep_requeues_undelivered(world, clock, django_capture_on_commit_callbacks):
    clock(at(2026, 12, 1))
    notification = notification_create(
        kind=K.REVIEW_DUE, recipient=world.coordinator, plan=world.plan
    )
    assert reminders_sweep().requeued == 0  # too fresh: its own enqueue may still be queued
    clock(at(2026, 12, 1, 10))
    with django_capture_on_commit_callbacks(execute=True):
        result = reminders_sweep()
    assert result.requeued == 1
    notification.refresh_from_db()
    assert notification.delivered_at is not None
    assert len(mail.outbox) == 1


def test_email_in_the_recipients_language(world):
    NotificationPreference.objects.create(user=world.coordinator, language="en")
    notification = notification_create(
        kind=K.REVIEW_DUE, recipient=world.coordinator, plan=world.plan, due=dt.date(2026, 12, 28)
    )
    notification_deliver(notification_id=notification.pk)
    assert "Review due today" in mail.outbox[0].subject
    assert f"Plan {world.plan.pk}" in mail.outbox[0].body
    assert "Jens" not in mail.outbox[0].body  # no citizen data in e-mail


def test_inbox_api(world):
    notification = notification_create(
        kind=K.REVIEW_DUE, recipient=world.coordinator, plan=world.plan
    )
    notification_create(kind=K.REVIEW_DUE, recipient=world.participant, plan=world.plan)
    response = world.client(world.coordinator).get("/api/v1/notifications/")
    assert response.status_code == 200
    assert [(n["id"], n["kind"], n["plan"], n["read"]) for n in response.data["results"]] == [
        (notification.pk, "review_due", world.plan.pk, False)
    ]
    assert {"id", "kind", "plan", "due", "created", "read"} <= set(response.data["results"][0])
    assert "next" in response.data
    other = world.client(world.participant).post(f"/api/v1/notifications/{notification.pk}/read/")
    assert other.status_code == 404
    read = world.client(world.coordinator).post(f"/api/v1/notifications/{notification.pk}/read/")
    assert read.status_code == 200
    assert read.data["read"] is True
    notification.refresh_from_db()
    assert notification.read_at is not None
