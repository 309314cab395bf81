"""One error shape for the API, and the rules of the acting organisation (X-Organisation)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from apps.audit.models import AccessEvent
from apps.organisations.services import membership_ensure
from tests.conftest import World, make_user
from tests.helpers import API, assert_error


def test_400_validation(world: World) -> None:
    response = world.client(world.coordinator).post(f"{API}/citizens/", {}, format="json")
    body = assert_error(response, 400, "invalid")
    assert set(body["fields"]) == {"cpr", "name"}
    assert all(isinstance(m, str) for m in body["fields"]["cpr"])


def test_400_nested_validation_names_the_inner_field(world: World) -> None:
    response = world.client(world.coordinator).post(
        f"{API}/plans/",
        {"citizen": world.citizen.pk, "coordinator": {"user": "x"}, "participants": [1]},
        format="json",
    )
    body = assert_error(response, 400, "invalid", "coordinator")
    assert set(body["fields"]["coordinator"]) == {"user", "organisation"}


def test_401_without_credentials(world: World) -> None:
    assert_error(APIClient().get(f"{API}/plans/"), 401, "not_authenticated")


def test_403(world: World) -> None:
    world.plan.refresh_from_db()
    response = world.client(world.manager).patch(
        f"{API}/plans/{world.plan.pk}/",
        {"assessment": {"housing": "x"}},
        format="json",
        HTTP_IF_MATCH=world.plan.etag,
    )
    assert_error(response, 403, "permission_denied")


def test_404(world: World) -> None:
    assert_error(
        world.client(world.outsider).get(f"{API}/plans/{world.plan.pk}/"), 404, "not_found"
    )


def test_405(world: World) -> None:
    response = world.client(world.coordinator).delete(f"{API}/plans/{world.plan.pk}/")
    assert_error(response, 405, "method_not_allowed")


def test_409(world: World) -> None:
    response = world.client(world.coordinator).post(
        f"{API}/plans/",
        {
            "citizen": world.citizen.pk,
            "coordinator": {
                "user": world.coordinator.pk,
                "organisation": world.orgs["addiction"].pk,
            },
            "participants": [world.orgs["addiction"].pk],
        },
        format="json",
    )
    assert_error(response, 409, "open_plan_exists", "citizen")


def test_412_and_428(world: World) -> None:
    client = world.client(world.coordinator)
    url = f"{API}/plans/{world.plan.pk}/goals/"
    assert_error(
        client.post(url, {"text": "x"}, format="json"), 428, "if_match_required", "If-Match"
    )
    response = client.post(url, {"text": "x"}, format="json", HTTP_IF_MATCH='"0"')
    assert_error(response, 412, "stale_version", "If-Match")


def test_a_write_without_if_match_by_an_outsider_is_404_and_audited(world: World) -> None:
    from apps.audit.models import AccessEvent

    url = f"{API}/plans/{world.plan.pk}/goals/"
    response = world.client(world.outsider).post(url, {"text": "x"}, format="json")
    assert_error(response, 404, "not_found")
    event = AccessEvent.objects.latest("id")
    assert (event.actor_id, event.outcome, event.object_id) == (
        world.outsider.pk,
        "denied",
        str(world.plan.pk),
    )
    assert world.plan.goals.count() == 0


# --- X-Organisation ---------------------------------------------------------------------------


@pytest.fixture
def two_hats(world: World):  # type: ignore[no-untyped-def]
    """A caseworker at toften (not on the plan) who is also a caseworker at chp (on it)."""
    user = make_user("two_hats", world.orgs["toften"], "caseworker")
    membership_ensure(user=user, organisation=world.orgs["chp"], role="caseworker")
    return user


def test_two_memberships_must_choose(world: World, two_hats) -> None:  # type: ignore[no-untyped-def]
    body = assert_error(world.client(two_hats).get(f"{API}/plans/"), 400, "organisation_required")
    assert "X-Organisation" in body["fields"]


def test_the_chosen_organisation_decides_what_one_sees(world: World, two_hats) -> None:  # type: ignore[no-untyped-def]
    as_chp = world.client(two_hats, "chp").get(f"{API}/plans/{world.plan.pk}/")
    as_toften = world.client(two_hats, "toften").get(f"{API}/plans/{world.plan.pk}/")
    assert as_chp.status_code == 200
    assert_error(as_toften, 404, "not_found")
    events = AccessEvent.objects.filter(actor=two_hats, object_type="plan").order_by("id")
    assert [(e.organisation_id, e.outcome) for e in events] == [
        (world.orgs["chp"].pk, "allowed"),
        (world.orgs["toften"].pk, "denied"),
    ]


@pytest.mark.parametrize("header", ["psychiatry", "987654", "abc", " "])
def test_an_organisation_one_is_not_a_member_of(world: World, header: str) -> None:
    value = str(world.orgs["psychiatry"].pk) if header == "psychiatry" else header
    client = world.client(world.coordinator)
    client.credentials(HTTP_X_ORGANISATION=value)
    response = client.get(f"{API}/plans/")
    body = assert_error(response, 400, "organisation_required")
    assert "X-Organisation" in body["fields"]


def test_one_membership_is_the_default(world: World) -> None:
    response = world.client(world.coordinator).get(f"{API}/plans/")
    assert response.status_code == 200
    assert [p["id"] for p in response.json()["results"]] == [world.plan.pk]


def test_no_membership_no_data(world: World) -> None:
    nobody = get_user_model().objects.create_user(username="nobody", password="pw-nobody")
    client = APIClient()
    client.force_authenticate(nobody)
    assert_error(client.get(f"{API}/plans/"), 403, "no_membership")
    assert_error(client.get(f"{API}/citizens/"), 403, "no_membership")


def test_a_manager_hat_does_not_edit_even_with_a_caseworker_hat_elsewhere(world: World) -> None:
    """Role follows the acting organisation: manager at addiction, caseworker at toften."""
    user = make_user("mixed", world.orgs["addiction"], "manager")
    membership_ensure(user=user, organisation=world.orgs["toften"], role="caseworker")
    world.plan.refresh_from_db()
    response = world.client(user, "addiction").patch(
        f"{API}/plans/{world.plan.pk}/",
        {"assessment": {"housing": "x"}},
        format="json",
        HTTP_IF_MATCH=world.plan.etag,
    )
    assert_error(response, 403, "permission_denied")
    response = world.client(user, "toften").get(f"{API}/plans/{world.plan.pk}/")
    assert_error(response, 404, "not_found")
