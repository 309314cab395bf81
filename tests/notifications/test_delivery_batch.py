"""Delivery in batches: one claim for the batch (a row another process holds within its lease
is skipped, one whose lease ran out is taken over, a delivered row is never sent again), the
consent rule asked for the whole batch as the inbox asks it, and the same few queries for a
batch of one as for fifty."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.access.context import Actor
from apps.access.derived import notifications_in_reach_of_recipients
from apps.access.handovers import notifications_visible_to
from apps.coordination.models import Handover
from apps.notifications.delivery import notifications_claim, notifications_deliver
from apps.notifications.models import Notification, NotificationPreference
from apps.organisations.models import Membership
from tests.conftest import World, make_user

K = Notification.Kind
KINDS = [K.REVIEW_DUE, K.AGREEMENT_DUE, K.DISCHARGE_TASK_DUE, K.HANDOVER_REMINDER, K.STAFF_LEFT]


def _notice(world: World, recipient: Any, key: str, **fields: Any) -> Notification:
    fields.setdefault("plan", world.plan)
    fields.setdefault("kind", K.REVIEW_DUE)
    return Notification.objects.create(
        recipient=recipient, due=dt.date(2026, 12, 28), dedupe_key=f"test:{key}", **fields
    )


def _lease(settings: Any) -> dt.timedelta:
    return dt.timedelta(seconds=settings.KIP_NOTIFICATION_CLAIM_LEASE_SECONDS)


def _mailed() -> list[int]:
    return sorted(int(m.extra_headers["X-KIP-Notification"]) for m in mail.outbox)


def test_the_claim_skips_rows_held_by_another_takes_over_expired_leases_and_never_resends(
    world: World, settings: Any
) -> None:
    free, held, expired, delivered = (_notice(world, world.coordinator, k) for k in "abcd")
    now = timezone.now()
    Notification.objects.filter(pk=held.pk).update(
        claimed_at=now - dt.timedelta(seconds=5), claim_token="another"
    )
    Notification.objects.filter(pk=expired.pk).update(
        claimed_at=now - _lease(settings) - dt.timedelta(seconds=1), claim_token="dead", attempts=1
    )
    Notification.objects.filter(pk=delivered.pk).update(delivered_at=now, email_sent_at=now)

    assert notifications_deliver(
        notification_ids=[free.pk, held.pk, expired.pk, delivered.pk]
    ) == sorted([free.pk, expired.pk])
    assert _mailed() == sorted([free.pk, expired.pk])
    rows = {n.pk: n for n in Notification.objects.all()}
    assert rows[held.pk].delivered_at is None  # still the other process's
    assert rows[held.pk].claim_token == "another"
    assert rows[expired.pk].attempts == 2
    assert rows[delivered.pk].delivered_at == now  # untouched
    assert {rows[free.pk].email_sent_at, rows[expired.pk].email_sent_at} != {None}
    # Nothing is sent twice: the same ids again claim nothing.
    assert notifications_claim(notification_ids=[free.pk, expired.pk, delivered.pk]).ids == []
    assert notifications_deliver(notification_ids=[free.pk, expired.pk, delivered.pk]) == []
    assert len(mail.outbox) == 2


def test_an_e_mailed_row_whose_delivery_was_not_recorded_is_not_mailed_again(
    world: World, settings: Any
) -> None:
    """A worker died between the two writes of an earlier version: e-mailed, not delivered."""
    notice = _notice(world, world.coordinator, "a")
    Notification.objects.filter(pk=notice.pk).update(email_sent_at=timezone.now())
    assert notifications_deliver(notification_ids=[notice.pk]) == [notice.pk]
    assert mail.outbox == []


def test_who_gets_e_mail_in_a_batch(world: World, lapsing: Any) -> None:
    """Out of reach, no address, e-mail turned off: delivered, not e-mailed; the rest are
    e-mailed in their recipients' languages."""
    lapse = lapsing("chp")
    NotificationPreference.objects.create(user=world.colleague, language="en")
    NotificationPreference.objects.create(user=world.manager, email=False)
    world.outsider.email = ""
    world.outsider.save()
    lapse()
    notices = {
        "coordinator": _notice(world, world.coordinator, "1"),
        "colleague": _notice(world, world.colleague, "2"),
        "manager": _notice(world, world.manager, "3"),
        "participant": _notice(world, world.participant, "4"),  # chp's consent lapsed
        "outsider": _notice(world, world.outsider, "5", plan=None, kind=K.STAFF_LEFT),
    }
    ids = [n.pk for n in notices.values()]
    assert notifications_deliver(notification_ids=ids) == sorted(ids)
    assert _mailed() == [notices["coordinator"].pk, notices["colleague"].pk]
    by_id = {int(m.extra_headers["X-KIP-Notification"]): m for m in mail.outbox}
    assert by_id[notices["coordinator"].pk].subject == "[KIP] Opfølgning i dag"
    assert by_id[notices["colleague"].pk].subject == "[KIP] Review due today"
    assert by_id[notices["colleague"].pk].to == [world.colleague.email]
    assert world.citizen.name not in "".join(str(m.body) for m in mail.outbox)
    rows = Notification.objects.filter(pk__in=ids)
    assert not rows.filter(delivered_at__isnull=True).exists()
    emailed = rows.filter(email_sent_at__isnull=False).values_list("pk", flat=True)
    assert sorted(emailed) == _mailed()


class FailsOnTheSecond(EmailBackend):
    """As a mail server that goes away: the first message goes out, the second fails."""

    def send_messages(self, messages: Any) -> int:
        for message in messages:
            self.count = getattr(self, "count", 0) + 1
            if self.count == 2:
                raise OSError("mail server gone")
            mail.outbox.append(message)
        return len(messages)


def test_a_failed_send_records_what_went_out_and_leaves_the_rest_for_a_retry(
    world: World, settings: Any
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.FailsOnTheSecond"
    first, second, third = (_notice(world, world.coordinator, k) for k in "abc")
    planless = _notice(world, world.colleague, "d", plan=None, kind=K.STAFF_LEFT)
    NotificationPreference.objects.create(user=world.colleague, email=False)
    with pytest.raises(OSError, match="mail server gone"):
        notifications_deliver(notification_ids=[first.pk, second.pk, third.pk, planless.pk])
    assert _mailed() == [first.pk]
    rows = {n.pk: n for n in Notification.objects.all()}
    assert rows[first.pk].email_sent_at is not None
    assert rows[first.pk].delivered_at is not None
    assert rows[planless.pk].delivered_at is not None  # nothing to send: done
    for pk in (second.pk, third.pk):
        assert rows[pk].delivered_at is None  # claimed, retried once the lease ends
        assert rows[pk].claimed_at is not None


def _fifty(world: World) -> list[int]:
    """Fifty notices of several kinds to recipients in and out of reach, with and without a
    preference, some about a handover, some about no plan."""
    toften_mgr = make_user("toften.mgr", world.orgs["toften"], Membership.Role.MANAGER)
    NotificationPreference.objects.create(user=world.colleague, language="en")
    NotificationPreference.objects.create(user=world.manager, email=False)
    handover = _handover_to(world, world.outsider)
    people = [world.coordinator, world.colleague, world.manager, world.participant, toften_mgr]
    ids = []
    for i in range(50):
        kind = KINDS[i % len(KINDS)]
        fields: dict[str, Any] = {"kind": kind}
        if kind == K.HANDOVER_REMINDER:
            fields["handover"] = handover
        if kind == K.STAFF_LEFT:
            fields["plan"] = None
        ids.append(_notice(world, people[i % len(people)], f"n{i}", **fields).pk)
    return ids


def _handover_to(world: World, user: Any) -> Handover:
    return Handover.objects.create(
        plan=world.plan,
        from_user=world.coordinator,
        from_organisation=world.orgs["addiction"],
        to_user=user,
        to_organisation=world.orgs["toften"],
        proposed_by=world.coordinator,
        expires_at=timezone.now() + dt.timedelta(days=10),
    )


def test_a_batchs_statements_grow_only_with_the_e_mails_it_sends(world: World) -> None:
    ids = _fifty(world)
    one = _notice(world, world.participant, "one")
    with CaptureQueriesContext(connection) as single:
        assert notifications_deliver(notification_ids=[one.pk]) == [one.pk]
    sent_single = len(mail.outbox)
    with CaptureQueriesContext(connection) as batch:
        assert notifications_deliver(notification_ids=ids) == sorted(ids)
    sent_batch = len(mail.outbox) - sent_single
    assert sent_batch > 20
    # The claim, the rows with recipients and preferences, the consent rule, the batch marked
    # delivered; and each e-mail marked sent as soon as it went out.
    assert len(single) == 4 + sent_single, [
        q["sql"] or "(prepared)" for q in single.captured_queries
    ]
    assert len(batch) == 4 + sent_batch, [q["sql"] or "(prepared)" for q in batch.captured_queries]


def _inbox_rule(notification: Notification) -> bool:
    """The inbox's rule, one acting organisation at a time: the reference for the batch."""
    user = notification.recipient
    for membership in Membership.objects.filter(user=user).select_related("organisation"):
        actor = Actor(user=user, organisation=membership.organisation, role=membership.role)
        if notifications_visible_to(actor).filter(pk=notification.pk).exists():
            return True
    return False


def test_the_batch_consent_rule_is_the_inboxs(world: World, lapsing: Any) -> None:
    """chp's consent lapses; toften has one of its own and is offered a handover."""
    lapse = lapsing("chp")
    admin = make_user("addiction.adm", world.orgs["addiction"], Membership.Role.ADMIN)
    both = make_user("both", world.orgs["chp"], Membership.Role.CASEWORKER)
    Membership.objects.create(
        user=both, organisation=world.orgs["addiction"], role=Membership.Role.MANAGER
    )
    ids = _fifty(world)
    handover = Handover.objects.get()
    for i, user in enumerate([admin, both, world.withdrawn, world.outsider]):
        ids.append(_notice(world, user, f"x{i}").pk)
        ids.append(_notice(world, user, f"h{i}", handover=handover).pk)
    lapse()
    rows = Notification.objects.filter(pk__in=ids).select_related("recipient")
    expected = {n.pk for n in rows if _inbox_rule(n)}
    assert notifications_in_reach_of_recipients(ids) == expected
    assert 0 < len(expected) < len(ids)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rows_another_claim_is_writing_are_skipped_not_awaited(world: World) -> None:
    """On PostgreSQL a row locked by another worker's claim is passed over at once."""
    import psycopg

    free, locked = (_notice(world, world.coordinator, k) for k in "ab")
    s = connection.settings_dict
    other = psycopg.connect(
        dbname=s["NAME"],
        user=s["USER"],
        password=s["PASSWORD"] or None,
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
    )
    try:
        table = Notification._meta.db_table
        other.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", [locked.pk])  # noqa: S608
        started = time.monotonic()
        assert notifications_claim(notification_ids=[free.pk, locked.pk]).ids == [free.pk]
        assert time.monotonic() - started < 5  # not waiting for the other transaction
    finally:
        other.rollback()
        other.close()
    assert notifications_claim(notification_ids=[free.pk, locked.pk]).ids == [locked.pk]
