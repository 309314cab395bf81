"""The reminder sweep and e-mail delivery follow the consent rule: nobody is reminded, or
e-mailed, about a plan or handover their organisation's consent no longer covers. Each test
runs with consent withdrawn and with consent expired; a control shows the covered case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import mail
from django.utils import timezone

from apps.coordination.models import Handover
from apps.notifications.delivery import notification_deliver
from apps.notifications.models import Notification
from apps.notifications.reminders import reminders_sweep
from apps.notifications.services import notification_create
from apps.organisations.models import Membership
from tests.conftest import World, make_user

from .conftest import inbox, set_review

K = Notification.Kind
# What the sweep says about the consent itself running out (tests/coordination/
# test_safety_net.py): these tests are about the reminders that depend on it.
ABOUT_CONSENT = {K.CONSENT_EXPIRING, K.CONSENT_EXPIRED}


def _kinds(user: Any) -> list[str]:
    return [n.kind for n in inbox(user) if n.kind not in ABOUT_CONSENT]


def test_review_reminders_need_consent_for_the_coordinators_organisation(
    world: World, lapsing: Any
) -> None:
    lapse = lapsing("addiction")
    # Overdue long enough to escalate to the coordinator's manager too.
    set_review(world.plan, timezone.localdate() - dt.timedelta(days=30))
    lapse()
    reminders_sweep()
    assert _kinds(world.coordinator) == []
    assert inbox(world.manager) == []


def test_review_reminders_while_covered(world: World, lapsing: Any) -> None:
    lapsing("addiction")  # set apart, never lapses
    set_review(world.plan, timezone.localdate() - dt.timedelta(days=30))
    reminders_sweep()
    assert _kinds(world.coordinator) == [K.REVIEW_OVERDUE]
    assert [n.kind for n in inbox(world.manager)] == [K.REVIEW_ESCALATION]


def _handover_to_toften(world: World) -> tuple[Handover, Any]:
    manager = make_user("toften.mgr", world.orgs["toften"], Membership.Role.MANAGER)
    response = world.client(world.coordinator, "addiction").post(
        f"/api/v1/plans/{world.plan.pk}/handovers/",
        {"to_user": world.outsider.pk, "to_organisation": world.orgs["toften"].pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    handover = Handover.objects.get(pk=response.json()["id"])
    # Made long ago: reminder and escalation are both due, expiry has passed.
    Handover.objects.filter(pk=handover.pk).update(
        created=timezone.now() - dt.timedelta(days=30),
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    return handover, manager


def test_handover_reminders_need_consent_for_the_receiving_organisation(
    world: World, lapsing: Any
) -> None:
    lapse = lapsing("toften")
    handover, manager = _handover_to_toften(world)
    lapse()
    reminders_sweep()
    assert [n.kind for n in inbox(world.outsider)] == [K.HANDOVER_PROPOSED]  # from before
    assert inbox(manager) == []
    # When it expires, only the side still covered is told.
    Handover.objects.filter(pk=handover.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert reminders_sweep().expired == 1
    assert _kinds(world.coordinator) == [K.HANDOVER_EXPIRED]
    assert [n.kind for n in inbox(world.outsider)] == [K.HANDOVER_PROPOSED]


def test_handover_reminders_while_covered(world: World, lapsing: Any) -> None:
    lapsing("toften")  # set apart, never lapses
    handover, manager = _handover_to_toften(world)
    reminders_sweep()
    assert [n.kind for n in inbox(world.outsider)] == [K.HANDOVER_PROPOSED, K.HANDOVER_REMINDER]
    assert [n.kind for n in inbox(manager)] == [K.HANDOVER_ESCALATION]
    Handover.objects.filter(pk=handover.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert reminders_sweep().expired == 1
    assert [n.kind for n in inbox(world.outsider, K.HANDOVER_EXPIRED)] == [K.HANDOVER_EXPIRED]


def test_no_email_once_consent_lapsed_between_the_notice_and_its_delivery(
    world: World, lapsing: Any
) -> None:
    lapse = lapsing("addiction")
    notice = notification_create(kind=K.REVIEW_DUE, recipient=world.coordinator, plan=world.plan)
    planless = notification_create(kind="break_glass", recipient=world.coordinator)
    assert notice is not None
    assert planless is not None
    lapse()
    assert notification_deliver(notification_id=notice.pk) is True
    assert mail.outbox == []
    notice.refresh_from_db()
    assert notice.delivered_at is not None  # done with: not tried again
    assert notice.email_sent_at is None
    # A notice about no plan is still e-mailed.
    assert notification_deliver(notification_id=planless.pk) is True
    assert len(mail.outbox) == 1


def test_email_while_covered(world: World, lapsing: Any) -> None:
    lapsing("addiction")  # set apart, never lapses
    notice = notification_create(kind=K.REVIEW_DUE, recipient=world.coordinator, plan=world.plan)
    assert notice is not None
    assert notification_deliver(notification_id=notice.pk) is True
    assert len(mail.outbox) == 1
