"""Recording and withdrawing consent on the pages: the services' rules, the API's audit."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from apps.citizens.models import Consent
from apps.citizens.services import citizen_register, consent_give
from apps.organisations.models import Organisation
from apps.plans.models import Participation
from tests.citizens.web.helpers import Trail, field_error, field_is_marked, page_client
from tests.conftest import World
from tests.helpers import API, FREE_CPR, snapshot


def _new_url(world: World) -> str:
    return f"/citizens/{world.citizen.pk}/consents/new/"


def _withdraw_url(world: World, consent: Consent) -> str:
    return f"/citizens/{world.citizen.pk}/consents/{consent.pk}/withdraw/"


def _shared(world: World) -> Consent:
    return Consent.objects.in_force().get(citizen=world.citizen)


def _withdrawn(world: World) -> Consent:
    return Consent.objects.filter(citizen=world.citizen, withdrawn_at__isnull=False).get()


# --- record consent ------------------------------------------------------------------------


def test_the_form_offers_every_organisation_written_or_oral_and_an_expiry(world: World) -> None:
    response = page_client(world.participant).get(_new_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    for organisation in Organisation.objects.all():
        assert organisation.name in html
    assert html.count('type="checkbox" name="organisations"') == Organisation.objects.count()
    assert "Skriftligt" in html
    assert "Mundtligt" in html
    assert 'type="date" name="expires_at"' in html


def test_a_caseworker_records_consent_with_an_expiry(world: World) -> None:
    toften, chp = world.orgs["toften"], world.orgs["chp"]
    day = timezone.localdate() + datetime.timedelta(days=30)
    client = page_client(world.participant)
    response = client.post(
        _new_url(world),
        {"organisations": [toften.pk, chp.pk], "form": "oral", "expires_at": day.isoformat()},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/citizens/{world.citizen.pk}/"
    consent = Consent.objects.latest("id")
    assert set(consent.organisations.all()) == {toften, chp}
    assert consent.form == "oral"
    assert consent.recorded_by == world.participant
    # it holds through the chosen day, local time
    expires = timezone.localtime(consent.expires_at)
    assert (expires.date(), expires.time()) == (day + datetime.timedelta(days=1), datetime.time())
    page = client.get(response["Location"]).content.decode()
    assert "Samtykket er registreret" in page
    assert day.strftime("%d.%m.%Y") in page  # "valid until and including"


def test_recording_consent_is_recorded_as_the_api_records_it(world: World) -> None:
    body = {"organisations": [world.orgs["toften"].pk], "form": "written"}
    with Trail() as api:
        world.client(world.participant).post(
            f"{API}/citizens/{world.citizen.pk}/consents/", body, format="json"
        )
    with Trail() as page:
        page_client(world.participant).post(_new_url(world), body)
    assert page.signatures(ids=False) == api.signatures(ids=False)
    assert len(page.events) == 1


@pytest.mark.parametrize(
    ("data", "field", "says"),
    [
        ({"form": "written"}, "organisations", "organisation"),
        ({"organisations": ["chp"], "form": ""}, "form", "skriftligt eller mundtligt"),
        ({"organisations": ["chp"], "form": "telepathic"}, "form", ""),
        ({"organisations": ["chp"], "form": "oral", "expires_at": "yesterday"}, "expires_at", ""),
        ({"organisations": ["chp"], "form": "oral", "expires_at": "2026-02-31"}, "expires_at", ""),
        ({"organisations": [987654], "form": "oral"}, "organisations", ""),
    ],
)
def test_bad_input_is_named_kept_and_changes_nothing(world: World, data, field, says) -> None:
    data = dict(data)
    data["organisations"] = [
        world.orgs[o].pk if isinstance(o, str) else o for o in data.get("organisations", [])
    ]
    if data.get("expires_at") == "yesterday":
        data["expires_at"] = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    before = snapshot()
    response = page_client(world.participant).post(_new_url(world), data)
    assert response.status_code == 400
    html = response.content.decode()
    message = field_error(html, field)
    assert says in message.lower()
    if field == "expires_at":
        assert field_is_marked(html, field)
        assert f'value="{data["expires_at"]}"' in html  # what was typed stays
    if data["organisations"] and data["organisations"][0] != 987654:
        chosen = data["organisations"][0]
        assert f'name="organisations" value="{chosen}" class="form-checkbox" id' in html
        assert "checked" in html.split(f'name="organisations" value="{chosen}"')[1].split(">")[0]
    assert snapshot() == before


def test_a_manager_gets_no_form_and_a_post_is_refused_as_the_api_refuses_it(world: World) -> None:
    body = {"organisations": [world.orgs["toften"].pk], "form": "written"}
    before = snapshot()
    assert page_client(world.manager).get(_new_url(world)).status_code == 403
    with Trail() as api:
        world.client(world.manager).post(
            f"{API}/citizens/{world.citizen.pk}/consents/", body, format="json"
        )
    with Trail() as page:
        response = page_client(world.manager).post(_new_url(world), body)
    assert response.status_code == 403
    assert page.signatures() == api.signatures()
    assert [e.outcome for e in page.events] == ["denied"]
    assert snapshot() == before


@pytest.mark.parametrize("persona", ["outsider", "withdrawn"])
def test_an_outsider_gets_404_recorded_as_the_api_records_it(world: World, persona) -> None:
    user = getattr(world, persona)
    body = {"organisations": [world.orgs["toften"].pk], "form": "written"}
    before = snapshot()
    assert page_client(user).get(_new_url(world)).status_code == 404
    with Trail() as api:
        world.client(user).post(f"{API}/citizens/{world.citizen.pk}/consents/", body, format="json")
    with Trail() as page:
        response = page_client(user).post(_new_url(world), body)
    assert response.status_code == 404
    assert page.signatures() == api.signatures()
    assert snapshot() == before


# --- withdraw consent ----------------------------------------------------------------------


def test_the_confirm_page_states_the_consequence_per_organisation_first(world: World) -> None:
    before = snapshot()
    response = page_client(world.coordinator).get(_withdraw_url(world, _shared(world)))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Center for Handicap og Psykiatri mister adgangen til planen med det samme." in html
    assert (
        "Rusmiddelcentret er fortsat planens tovholder, men kan ikke læse planen, før et "
        "samtykke igen omfatter organisationen." in html
    )
    assert "Træk samtykket tilbage" in html  # the button comes after the consequence
    assert html.index("mister adgangen") < html.index("Træk samtykket tilbage")
    assert snapshot() == before  # asking changes nothing


def test_an_organisation_another_consent_covers_keeps_access(world: World) -> None:
    shared = _shared(world)
    consent_give(
        actor=world.actor(world.coordinator),
        citizen_id=world.citizen.pk,
        organisation_ids=[world.orgs["chp"].pk],
        form="oral",
        given_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    html = page_client(world.coordinator).get(_withdraw_url(world, shared)).content.decode()
    assert "Center for Handicap og Psykiatri beholder adgangen" in html
    assert "mister adgangen" not in html


def test_withdrawing_takes_access_away_at_once_and_says_what_happened(world: World) -> None:
    chp = world.orgs["chp"]
    participant = page_client(world.participant)
    assert participant.get(f"/plans/{world.plan.pk}/").status_code == 200
    coordinator = page_client(world.coordinator)
    response = coordinator.post(_withdraw_url(world, _shared(world)))
    assert response.status_code == 302
    assert response["Location"] == f"/citizens/{world.citizen.pk}/"
    assert _shared_or_none(world) is None
    assert not Participation.objects.filter(plan=world.plan, organisation=chp).exists()
    # the other organisation loses the plan at once
    assert participant.get(f"/plans/{world.plan.pk}/").status_code == 404
    page = coordinator.get(response["Location"]).content.decode()
    assert "Samtykket er trukket tilbage." in page
    assert "Center for Handicap og Psykiatri har mistet adgangen til planen." in page


def _shared_or_none(world: World) -> Consent | None:
    return Consent.objects.in_force().filter(citizen=world.citizen).first()


def test_withdrawing_ones_own_access_leads_back_to_the_search(world: World) -> None:
    client = page_client(world.participant)
    response = client.post(_withdraw_url(world, _shared(world)))
    assert response.status_code == 302
    assert response["Location"] == "/citizens/"
    page = client.get("/citizens/").content.decode()
    assert "ikke længere adgang til borgeren" in page


def test_withdrawing_is_recorded_as_the_api_records_it(world: World) -> None:
    actor = world.actor(world.coordinator)
    past = timezone.now() - datetime.timedelta(minutes=1)
    one, two = (
        consent_give(
            actor=actor,
            citizen_id=world.citizen.pk,
            organisation_ids=[world.orgs["toften"].pk],
            form="oral",
            given_at=past,
        )
        for _ in range(2)
    )
    with Trail() as api:
        world.client(world.coordinator).post(
            f"{API}/citizens/{world.citizen.pk}/consents/{one.pk}/withdraw/"
        )
    with Trail() as page:
        page_client(world.coordinator).post(_withdraw_url(world, two))
    assert page.signatures(ids=False) == api.signatures(ids=False)
    assert len(page.events) >= 1


def test_a_manager_sees_no_confirm_and_a_post_is_refused_as_the_api_refuses_it(
    world: World,
) -> None:
    consent = _shared(world)
    before = snapshot()
    assert page_client(world.manager).get(_withdraw_url(world, consent)).status_code == 403
    with Trail() as api:
        world.client(world.manager).post(
            f"{API}/citizens/{world.citizen.pk}/consents/{consent.pk}/withdraw/"
        )
    with Trail() as page:
        response = page_client(world.manager).post(_withdraw_url(world, consent))
    assert response.status_code == 403
    assert page.signatures() == api.signatures()
    assert snapshot() == before


@pytest.mark.parametrize("persona", ["outsider", "withdrawn"])
def test_an_outsider_cannot_withdraw(world: World, persona) -> None:
    user, consent = getattr(world, persona), _shared(world)
    before = snapshot()
    assert page_client(user).get(_withdraw_url(world, consent)).status_code == 404
    with Trail() as api:
        world.client(user).post(
            f"{API}/citizens/{world.citizen.pk}/consents/{consent.pk}/withdraw/"
        )
    with Trail() as page:
        response = page_client(user).post(_withdraw_url(world, consent))
    assert response.status_code == 404
    assert page.signatures() == api.signatures()
    assert snapshot() == before


def test_a_withdrawn_consent_is_not_withdrawn_twice(world: World) -> None:
    consent = _withdrawn(world)
    before = snapshot()
    html = page_client(world.coordinator).get(_withdraw_url(world, consent)).content.decode()
    assert "blev trukket tilbage" in html
    assert "Træk samtykket tilbage" not in html
    client = page_client(world.coordinator)
    response = client.post(_withdraw_url(world, consent), follow=True)
    assert "allerede trukket tilbage" in response.content.decode()
    assert snapshot() == before


def test_another_citizens_consent_is_not_found(world: World) -> None:
    other = citizen_register(actor=world.actor(world.coordinator), cpr_number=FREE_CPR, name="E")
    theirs = consent_give(
        actor=world.actor(world.coordinator),
        citizen_id=other.pk,
        organisation_ids=[world.orgs["addiction"].pk],
        form="oral",
    )
    before = snapshot()
    client = page_client(world.coordinator)
    assert client.get(_withdraw_url(world, theirs)).status_code == 404
    assert client.post(_withdraw_url(world, theirs)).status_code == 404
    assert snapshot() == before
