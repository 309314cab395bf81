"""The inbox page: my notifications only, newest first, each said in a sentence with the
citizen as far as the access rules allow; mark one read (htmx or plain POST) and all read,
with the header's count following."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from apps.audit.models import AccessEvent
from apps.notifications.models import Notification
from apps.notifications.services import notification_create, notifications_mark_all_read
from tests.coordination.web.helpers import events_of, page_client

K = Notification.Kind


def _notify(world, recipient, kind, **kwargs) -> Notification:
    kwargs.setdefault("plan", world.plan)
    kwargs.setdefault("due", timezone.localdate())
    notification = notification_create(kind=kind, recipient=recipient, **kwargs)
    assert notification is not None
    return notification


def _header_count(html: str) -> int:
    found = re.search(r'<span id="unread-count">(.*?)</span>\s*</span>\s*</a>', html, re.S)
    assert found, "no unread count in the header"
    number = re.search(r"(\d+)", found.group(1))
    return int(number.group(1)) if number else 0


def test_the_inbox_lists_my_notifications_newest_first_in_sentences(world):
    due = timezone.localdate() - dt.timedelta(days=3)
    first = _notify(world, world.coordinator, K.REVIEW_OVERDUE, due=due)
    second = _notify(
        world, world.coordinator, K.REVIEW_PROMPTED, context={"event_kind": "admission"}
    )
    _notify(world, world.participant, K.REVIEW_DUE)  # someone else's
    html = page_client(world.coordinator, language="da").get("/notifications/").content.decode()
    rows = re.findall(r'id="notification-(\d+)-status"', html)
    assert rows == [str(second.pk), str(first.pk)]
    assert "En indlæggelse den" in html
    assert "Opfølgningen af planen skulle have været holdt den" in html
    assert f'href="/plans/{world.plan.pk}/"' in html
    assert html.count(world.citizen.name) == 2
    assert "Opfølgningen af planen skal holdes i dag." not in html  # not mine


def test_naming_the_citizen_is_recorded_once_per_plan(world):
    _notify(world, world.coordinator, K.REVIEW_OVERDUE)
    _notify(world, world.coordinator, K.REVIEW_UPCOMING)
    _, events = events_of(lambda: page_client(world.coordinator).get("/notifications/"))
    assert [e[2:6] for e in events] == [("list", "plan", str(world.plan.pk), world.citizen.pk)]


def test_a_notification_about_a_plan_out_of_reach_is_not_shown(world):
    """Addressed to people whose organisation may not see the plan (never on it, or consent
    withdrawn): the inbox shows neither it nor the citizen, and reads nothing of theirs."""
    for user in (world.outsider, world.withdrawn):
        hidden = _notify(world, user, K.REVIEW_DUE)
        client = page_client(user)
        response, events = events_of(lambda c=client: c.get("/notifications/"))
        html = response.content.decode()
        assert world.citizen.name not in html
        assert f'id="notification-{hidden.pk}-status"' not in html
        assert "You have no notifications." in html
        assert events == []
        assert _header_count(html) == 0
        # Nor can it be marked read by guessing its number (a recorded refusal).
        refused = client.post(f"/notifications/{hidden.pk}/read/")
        assert refused.status_code == 404
        hidden.refresh_from_db()
        assert hidden.read_at is None


def test_a_handover_notification_links_to_the_handover_and_names_the_citizen(world):
    # toften is not on the plan; consent covers it once given, so it may receive a handover.
    from apps.citizens.services import consent_give
    from apps.coordination.services import handover_propose

    consent_give(
        actor=world.actor(world.coordinator),
        citizen_id=world.citizen.pk,
        organisation_ids=[world.orgs["toften"].pk],
        form="written",
        given_at=timezone.now() - dt.timedelta(minutes=1),
    )
    handover = handover_propose(
        actor=world.actor(world.coordinator), plan_id=world.plan.pk, to_user_id=world.outsider.pk
    )
    response, events = events_of(lambda: page_client(world.outsider).get("/notifications/"))
    html = response.content.decode()
    assert f'href="/handovers/{handover.pk}/"' in html
    assert world.citizen.name in html  # through the handover they are named on
    assert [e[2:5] for e in events] == [("list", "handover", str(handover.pk))]


def test_mark_one_read_with_htmx_returns_the_row_state_and_the_new_header_count(world):
    one = _notify(world, world.coordinator, K.REVIEW_OVERDUE)
    _notify(world, world.coordinator, K.REVIEW_UPCOMING)
    client = page_client(world.coordinator)
    assert _header_count(client.get("/notifications/").content.decode()) == 2
    response, events = events_of(
        lambda: client.post(f"/notifications/{one.pk}/read/", HTTP_HX_REQUEST="true")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<div id="notification-{one.pk}-status"' in html
    assert "Mark as read" not in html
    assert '<span id="unread-count" hx-swap-oob="true">' in html
    assert re.search(r'hx-swap-oob="true">\s*<span class="badge badge-info">1<', html)
    assert "<html" not in html
    assert world.citizen.name not in html
    assert events == []  # no citizen data in the answer
    one.refresh_from_db()
    assert one.read_at is not None
    assert _header_count(client.get("/").content.decode()) == 1


def test_mark_one_read_without_script_goes_back_to_the_inbox(world):
    one = _notify(world, world.coordinator, K.REVIEW_OVERDUE)
    client = page_client(world.coordinator)
    response = client.post(f"/notifications/{one.pk}/read/")
    assert response.status_code == 302
    assert response["Location"] == "/notifications/"
    one.refresh_from_db()
    assert one.read_at is not None
    page = client.get("/notifications/").content.decode()
    assert _header_count(page) == 0
    assert "Mark all as read" not in page
    # Marking it again changes nothing.
    read_at = one.read_at
    client.post(f"/notifications/{one.pk}/read/")
    one.refresh_from_db()
    assert one.read_at == read_at


@pytest.mark.parametrize("target", ["other", "missing", "get"])
def test_nobody_marks_another_persons_notification(world, target):
    theirs = _notify(world, world.participant, K.REVIEW_DUE)
    client = page_client(world.coordinator)
    if target == "get":
        assert client.get(f"/notifications/{theirs.pk}/read/").status_code == 405
    else:
        pk = theirs.pk if target == "other" else theirs.pk + 1000
        page, page_events = events_of(
            lambda: client.post(f"/notifications/{pk}/read/", HTTP_HX_REQUEST="true")
        )
        api, api_events = events_of(
            lambda: world.client(world.coordinator, "addiction").post(
                f"/api/v1/notifications/{pk}/read/"
            )
        )
        assert page.status_code == api.status_code == 404
        assert page_events == api_events
        assert [e[2:7] for e in page_events] == [
            (
                "update",
                "notification",
                str(pk),
                world.citizen.pk if target == "other" else None,
                "denied",
            )
        ]
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_marks_mine_only(world):
    for kind in (K.REVIEW_OVERDUE, K.REVIEW_UPCOMING, K.REVIEW_ESCALATION):
        _notify(world, world.coordinator, kind)
    already = _notify(world, world.coordinator, K.REVIEW_DUE)
    Notification.objects.filter(pk=already.pk).update(read_at=timezone.now() - dt.timedelta(days=1))
    theirs = _notify(world, world.participant, K.REVIEW_DUE)
    client = page_client(world.coordinator)
    writes = AccessEvent.objects.count()
    response = client.post("/notifications/read/")
    assert response.status_code == 302
    assert not Notification.objects.filter(
        recipient=world.coordinator, read_at__isnull=True
    ).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    already.refresh_from_db()
    assert already.read_at < timezone.now() - dt.timedelta(hours=23)  # kept its first time
    assert AccessEvent.objects.count() == writes
    page = client.get("/notifications/").content.decode()
    assert "3 notifications marked as read." in page
    assert _header_count(page) == 0
    assert client.get("/notifications/read/").status_code == 405


def test_the_mark_all_service_counts_what_it_marked(world):
    _notify(world, world.coordinator, K.REVIEW_OVERDUE)
    actor = world.actor(world.coordinator)
    assert notifications_mark_all_read(actor=actor) == 1
    assert notifications_mark_all_read(actor=actor) == 0


def test_older_notifications_are_a_page_away(world):
    from apps.notifications.web import views

    made = [
        _notify(
            world,
            world.coordinator,
            K.REVIEW_UPCOMING,
            due=timezone.localdate() + dt.timedelta(days=i),
        )
        for i in range(views.PAGE_SIZE + 2)
    ]
    client = page_client(world.coordinator)
    first = client.get("/notifications/").content.decode()
    shown = re.findall(r'id="notification-(\d+)-status"', first)
    assert len(shown) == views.PAGE_SIZE
    assert shown[0] == str(made[-1].pk)
    older = re.search(r'href="\?before=(\d+)"', first)
    assert older
    rest = client.get(f"/notifications/?before={older.group(1)}").content.decode()
    assert re.findall(r'id="notification-(\d+)-status"', rest) == [str(made[1].pk), str(made[0].pk)]
