"""Bad input to the citizen and consent endpoints: a stable code, the field named, nothing saved."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from apps.citizens import cpr
from apps.citizens.models import Citizen, Consent
from tests.conftest import World
from tests.helpers import API, NEW_CPR, assert_error, snapshot


def _register(world: World, body: dict, user=None):  # type: ignore[no-untyped-def]
    return world.client(user or world.coordinator).post(f"{API}/citizens/", body, format="json")


def test_register_a_citizen(world: World) -> None:
    response = _register(world, {"cpr": "030385-3456", "name": "  Ny Borger "})
    assert response.status_code == 201, response.json()
    body = response.json()
    citizen = Citizen.objects.get(pk=body["id"])
    assert body["cpr"] == "030385-3456"  # the registering caseworker sees it whole
    assert citizen.name == "Ny Borger"
    assert citizen.cpr_digits == NEW_CPR
    assert citizen.birth_date == datetime.date(1985, 3, 3)
    assert citizen.registered_for == world.orgs["addiction"]


@pytest.mark.parametrize(
    ("number", "what"),
    [
        ("12345", "format"),
        ("010180-12345", "format"),
        ("01018O1234", "format (a letter O)"),
        ("3202801234", "impossible date"),
        ("2902000000", "29 February 1900 (century digit 0)"),
        ("0101364000", "future birth date (century digit 4, YY 36: 2036)"),
        ("0101505000", "future birth date (century digit 5, YY 50: 2050)"),
    ],
)
def test_invalid_cpr_is_refused(world: World, number: str, what: str) -> None:
    before = snapshot()
    body = assert_error(_register(world, {"cpr": number, "name": "X"}), 400, "invalid_cpr", "cpr")
    assert number not in str(body)  # the answer does not echo the number back
    assert snapshot() == before


def test_a_cpr_failing_modulus_11_is_accepted(world: World) -> None:
    number = "0707614286"  # a valid date; the weighted sum is 1 modulo 11
    response = _register(world, {"cpr": number, "name": "Modulus"})
    assert response.status_code == 201, response.json()
    assert Citizen.objects.filter(cpr_hash=cpr.lookup_hash(number)).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"cpr": NEW_CPR}, "name"),
        ({"cpr": NEW_CPR, "name": "   "}, "name"),
        ({"name": "X"}, "cpr"),
        ({"cpr": NEW_CPR, "name": "x" * 201}, "name"),
    ],
)
def test_register_needs_cpr_and_name(world: World, body: dict, field: str) -> None:
    before = snapshot()
    assert_error(_register(world, body), 400, "invalid", field)
    assert snapshot() == before


def test_a_cpr_is_registered_once(world: World) -> None:
    before = snapshot()
    response = _register(world, {"cpr": "010180-1234", "name": "Dublet"})
    body = assert_error(response, 409, "citizen_exists", "cpr")
    assert str(world.citizen.pk) not in body["detail"]
    assert snapshot() == before


def test_a_cpr_is_registered_once_even_by_an_outsider_who_learns_nothing_more(
    world: World,
) -> None:
    before = snapshot()
    body = assert_error(
        _register(world, {"cpr": "0101801234", "name": "Dublet"}, world.outsider),
        409,
        "citizen_exists",
        "cpr",
    )
    assert set(body["fields"]) == {"cpr"}
    assert snapshot() == before


@pytest.mark.parametrize("value", ["123", "3202801234"])
def test_search_with_an_invalid_cpr(world: World, value: str) -> None:
    response = world.client(world.coordinator).get(f"{API}/citizens/?cpr={value}")
    assert_error(response, 400, "invalid_cpr", "cpr")


# --- consent ----------------------------------------------------------------------------------


def _give(world: World, body: dict):  # type: ignore[no-untyped-def]
    return world.client(world.coordinator).post(
        f"{API}/citizens/{world.citizen.pk}/consents/", body, format="json"
    )


def test_give_consent(world: World) -> None:
    response = _give(world, {"organisations": [world.orgs["toften"].pk], "form": "written"})
    assert response.status_code == 201, response.json()
    consent = Consent.objects.get(pk=response.json()["id"])
    assert list(consent.organisations.values_list("pk", flat=True)) == [world.orgs["toften"].pk]
    assert consent.recorded_by == world.coordinator
    assert response.json()["organisations"] == [world.orgs["toften"].pk]


def _bad_consents(world: World) -> dict[str, tuple[dict, str, str]]:
    toften = world.orgs["toften"].pk
    future = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    past = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    return {
        "unknown organisation": (
            {"organisations": [toften, 987654], "form": "oral"},
            "unknown_organisation",
            "organisations",
        ),
        "no organisations": ({"organisations": [], "form": "oral"}, "invalid", "organisations"),
        "unknown form": ({"organisations": [toften], "form": "telepathic"}, "invalid", "form"),
        "given in the future": (
            {"organisations": [toften], "form": "oral", "given_at": future},
            "invalid",
            "given_at",
        ),
        "expires in the past": (
            {"organisations": [toften], "form": "oral", "expires_at": past},
            "invalid",
            "expires_at",
        ),
        "not a list": ({"organisations": toften, "form": "oral"}, "invalid", "organisations"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "unknown organisation",
        "no organisations",
        "unknown form",
        "given in the future",
        "expires in the past",
        "not a list",
    ],
)
def test_bad_consent(world: World, case: str) -> None:
    body, code, field = _bad_consents(world)[case]
    before = snapshot()
    assert_error(_give(world, body), 400, code, field)
    assert snapshot() == before


def test_withdraw_an_unknown_consent(world: World) -> None:
    before = snapshot()
    response = world.client(world.coordinator).post(
        f"{API}/citizens/{world.citizen.pk}/consents/987654/withdraw/"
    )
    assert_error(response, 404, "not_found")
    assert snapshot() == before


def test_withdraw_another_citizens_consent_through_this_one(world: World) -> None:
    """A consent id from another citizen does not resolve under this citizen's path."""
    from apps.citizens.services import citizen_register, consent_give

    actor = world.actor(world.coordinator)
    other = citizen_register(actor=actor, cpr_number=NEW_CPR, name="Anden")
    consent = consent_give(
        actor=actor, citizen_id=other.pk, organisation_ids=[world.orgs["toften"].pk], form="oral"
    )
    before = snapshot()
    response = world.client(world.coordinator).post(
        f"{API}/citizens/{world.citizen.pk}/consents/{consent.pk}/withdraw/"
    )
    assert_error(response, 404, "not_found")
    assert snapshot() == before
