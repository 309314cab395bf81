"""The break-the-glass review queue page: what it shows, the review, and every refusal."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.audit.breakglass import break_glass_open
from apps.audit.models import BreakGlass
from apps.organisations.models import Membership
from tests.audit.helpers import events_since, last_id
from tests.conftest import make_user

QUEUE = "/audit/break-glass/"


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="da")
    client.force_login(user)
    return client


@pytest.fixture
def grant(world):
    """toften's caseworker, not on the plan, breaks the glass to the world's citizen."""
    return break_glass_open(
        actor=world.actor(world.outsider), cpr_number="0101801234", reason="Akut indlæggelse"
    )


@pytest.fixture
def toften_manager(world):
    user = make_user("toften.manager", world.orgs["toften"], Membership.Role.MANAGER)
    user.first_name, user.last_name = "Henrik", "Dahl"
    user.save()
    return user


def _review_url(grant) -> str:
    return f"/audit/break-glass/{grant.pk}/review/"


def test_the_queue_shows_who_which_citizen_when_why_and_records_each_grant_shown(
    world, grant, toften_manager
):
    mark = last_id()
    response = _client(toften_manager).get(QUEUE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Venter på gennemgang" in page
    assert "Jens Hansen" in page
    assert "Akut indlæggelse" in page
    assert "outsider (Toften)" in page
    assert [row["grant"].pk for row in response.context["waiting"]] == [grant.pk]
    assert response.context["reviewed"] == []
    (event,) = events_since(mark)
    assert (event.action, event.object_type, event.object_id, event.citizen_id) == (
        "list",
        "breakglass",
        str(grant.pk),
        world.citizen.pk,
    )
    assert event.purpose == "audit_review"


def test_another_organisations_manager_sees_no_grant_of_ours(world, grant):
    response = _client(world.manager).get(QUEUE)  # addiction's manager: not toften's people
    assert response.status_code == 200
    assert response.context["waiting"] == []
    assert "Akut indlæggelse" not in response.content.decode()


def test_the_review_changes_the_grant_and_is_recorded(world, grant, toften_manager):
    client = _client(toften_manager)
    mark = last_id()
    response = client.post(_review_url(grant), {f"grant-{grant.pk}-note": "Berettiget: indlagt."})
    assert response.status_code == 302
    assert response["Location"] == QUEUE
    grant.refresh_from_db()
    assert grant.reviewed_by_id == toften_manager.pk
    assert grant.reviewed_at is not None
    assert grant.review_note == "Berettiget: indlagt."
    (event,) = events_since(mark)
    assert (event.action, event.object_type, event.object_id, event.outcome) == (
        "update",
        "breakglass",
        str(grant.pk),
        "allowed",
    )
    page = client.get(QUEUE)
    assert "Gennemgangen er gemt." in page.content.decode()
    assert page.context["waiting"] == []
    assert [row["grant"].pk for row in page.context["reviewed"]] == [grant.pk]
    assert "Berettiget: indlagt." in page.content.decode()


def test_a_second_review_changes_nothing_and_says_so(world, grant, toften_manager):
    client = _client(toften_manager)
    client.post(_review_url(grant), {f"grant-{grant.pk}-note": "Første"})
    before = BreakGlass.objects.values().get(pk=grant.pk)
    response = client.post(_review_url(grant), {f"grant-{grant.pk}-note": "Anden"}, follow=True)
    assert response.status_code == 200
    assert "allerede" in response.content.decode()
    assert BreakGlass.objects.values().get(pk=grant.pk) == before


def test_a_too_long_note_is_400_beside_the_field_and_changes_nothing(world, grant, toften_manager):
    response = _client(toften_manager).post(
        _review_url(grant), {f"grant-{grant.pk}-note": "x" * 2001}
    )
    assert response.status_code == 400
    assert f'id="id_grant-{grant.pk}-note_error"' in response.content.decode()
    grant.refresh_from_db()
    assert grant.reviewed_at is None


@pytest.mark.parametrize(
    ("persona", "status"),
    [("outsider", 403), ("coordinator", 403), ("manager", 404)],
)
def test_others_cannot_review_and_the_attempt_is_recorded(world, grant, persona, status):
    user = getattr(world, persona)
    mark = last_id()
    response = _client(user).post(_review_url(grant), {f"grant-{grant.pk}-note": "nej"})
    assert response.status_code == status
    grant.refresh_from_db()
    assert grant.reviewed_at is None
    assert [(e.action, e.outcome) for e in events_since(mark)] == [("update", "denied")]


def test_the_review_needs_a_post(world, grant, toften_manager):
    assert _client(toften_manager).get(_review_url(grant)).status_code == 405
