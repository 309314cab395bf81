"""The pages people use: scoped like the API, audited like the API."""

import pytest
from django.test import Client

from apps.audit.models import AccessEvent
from tests.conftest import make_user


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_home_invites_to_log_in(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b'href="/login/"' in response.content


def test_plan_list_shows_only_plans_of_the_acting_organisation(world):
    response = _client(world.participant).get("/plans/")
    assert response.status_code == 200
    assert world.citizen.name in response.content.decode()
    assert world.citizen.name not in _client(world.outsider).get("/plans/").content.decode()


def test_plan_list_records_one_list_event_per_plan_shown(world):
    before = AccessEvent.objects.count()
    _client(world.participant).get("/plans/")
    events = AccessEvent.objects.order_by("id")[before:]
    assert [(e.action, e.object_type, e.object_id, e.citizen_id) for e in events] == [
        ("list", "plan", str(world.plan.pk), world.citizen.pk)
    ]


def test_plan_page_shows_the_plan_and_records_a_view(world):
    response = _client(world.coordinator).get(f"/plans/{world.plan.pk}/")
    assert response.status_code == 200
    assert world.citizen.name in response.content.decode()
    event = AccessEvent.objects.latest("id")
    assert (event.action, event.outcome, event.object_id) == ("view", "allowed", str(world.plan.pk))


@pytest.mark.parametrize("persona", ["outsider", "withdrawn"])
def test_plan_page_answers_404_and_records_the_denied_attempt(world, persona):
    response = _client(getattr(world, persona)).get(f"/plans/{world.plan.pk}/")
    assert response.status_code == 404
    assert world.citizen.name not in response.content.decode()
    event = AccessEvent.objects.latest("id")
    assert (event.action, event.outcome, event.object_id) == ("view", "denied", str(world.plan.pk))


def test_a_member_of_two_organisations_chooses_one(world):
    from apps.organisations.services import membership_ensure

    membership_ensure(user=world.outsider, organisation=world.orgs["chp"], role="caseworker")
    client = _client(world.outsider)
    response = client.get("/plans/")
    assert response.status_code == 302
    assert response["Location"] == "/organisation/?next=%2Fplans%2F"
    # Choosing an organisation one is not a member of changes nothing.
    client.post("/organisation/", {"organisation": world.orgs["addiction"].pk})
    assert client.get("/plans/").status_code == 302
    chosen = client.post(
        "/organisation/", {"organisation": world.orgs["chp"].pk, "next": "/plans/"}
    )
    assert chosen["Location"] == "/plans/"  # back to the page that asked
    assert world.citizen.name in client.get("/plans/").content.decode()
    # A "next" that leads off the site is not followed.
    away = client.post(
        "/organisation/", {"organisation": world.orgs["chp"].pk, "next": "https://evil.example/"}
    )
    assert away["Location"] == "/"


def test_pages_need_a_login(world):
    response = Client().get(f"/plans/{world.plan.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_login_with_a_wrong_password_says_so(db):
    from apps.organisations.services import organisation_ensure

    org = organisation_ensure(slug="x", name="X", kind="shelter", sector="municipality")
    make_user("someone", org, "caseworker")
    response = Client().post("/login/", {"username": "someone", "password": "wrong"})
    assert response.status_code == 200
    assert b"alert-error" in response.content


def test_plan_page_links_to_the_citizens_access_report(world):
    client = _client(world.coordinator)
    url = f"/citizens/{world.citizen.pk}/access-report/"
    assert f'href="{url}"' in client.get(f"/plans/{world.plan.pk}/").content.decode()
    report = client.get(url)
    assert report.status_code == 200
    assert world.citizen.name in report.content.decode()
