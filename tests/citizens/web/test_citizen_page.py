"""The citizen page: the whole CPR, every consent with what it covers, the plans, no leaks."""

from __future__ import annotations

import pytest

from apps.citizens.models import Consent
from tests.citizens.web.helpers import Trail, page_client
from tests.conftest import World
from tests.helpers import API, RichWorld, build_rich_world


@pytest.fixture
def rich(db: None) -> RichWorld:
    return build_rich_world()


def _page(user, citizen_id):  # type: ignore[no-untyped-def]
    return page_client(user).get(f"/citizens/{citizen_id}/")


@pytest.mark.parametrize("persona", ["coordinator", "participant", "manager"])
def test_the_page_shows_the_citizen_consents_and_plan(world: World, persona) -> None:
    response = _page(getattr(world, persona), world.citizen.pk)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Jens Hansen</h1>" in html
    assert "010180-1234" in html  # whole, as the API's citizen detail shows it
    # the consent in force: what it covers, its form, who recorded it
    assert "<li>Center for Handicap og Psykiatri</li><li>Rusmiddelcentret</li>" in html
    assert "Skriftligt" in html
    assert "I kraft" in html
    # the withdrawn one: when and by whom
    assert "Psykiatrien" in html
    assert "Mundtligt" in html
    assert "Trukket tilbage" in html
    assert f'href="/plans/{world.plan.pk}/"' in html
    assert f'href="/citizens/{world.citizen.pk}/access-report/"' in html


@pytest.mark.parametrize("persona", ["outsider", "withdrawn"])
def test_someone_without_access_gets_404_recorded_as_the_api_records_it(
    world: World, persona
) -> None:
    user = getattr(world, persona)
    with Trail() as api:
        world.client(user).get(f"{API}/citizens/{world.citizen.pk}/")
    with Trail() as page:
        response = _page(user, world.citizen.pk)
    assert response.status_code == 404
    assert "Jens Hansen" not in response.content.decode()
    assert page.signatures() == api.signatures()
    assert [e.outcome for e in page.events] == ["denied"]


def test_a_missing_citizen_looks_like_a_hidden_one(world: World) -> None:
    hidden = _page(world.outsider, world.citizen.pk)
    missing = _page(world.outsider, 987654)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_reading_the_page_is_recorded_as_reading_the_same_through_the_api(world: World) -> None:
    client = world.client(world.participant)
    with Trail() as api:
        client.get(f"{API}/citizens/{world.citizen.pk}/")
        client.get(f"{API}/citizens/{world.citizen.pk}/consents/")
        client.get(f"{API}/plans/", {"citizen": world.citizen.pk})
    with Trail() as page:
        _page(world.participant, world.citizen.pk)
    citizen_view = api.signatures(action="view")[:1]  # the consent list reads the citizen again
    expected = citizen_view + api.signatures(action="list", object_type="consent")
    expected += api.signatures(action="list", object_type="plan")
    assert sorted(page.signatures()) == sorted(expected)
    assert len(page.events) == 1 + Consent.objects.filter(citizen=world.citizen).count() + 1


def test_a_manager_reads_but_sees_no_write_control(world: World) -> None:
    html = _page(world.manager, world.citizen.pk).content.decode()
    assert "/consents/new/" not in html
    assert "/withdraw/" not in html
    assert "Registrér samtykke" not in html
    assert "Træk tilbage" not in html
    assert "Start en plan" not in html


def test_a_caseworker_sees_the_write_controls(world: World) -> None:
    html = _page(world.participant, world.citizen.pk).content.decode()
    assert f'href="/citizens/{world.citizen.pk}/consents/new/"' in html
    consent = Consent.objects.in_force().get(citizen=world.citizen)
    withdrawn = Consent.objects.exclude(pk=consent.pk).get(citizen=world.citizen)
    assert f"/citizens/{world.citizen.pk}/consents/{consent.pk}/withdraw/" in html
    assert f"/consents/{withdrawn.pk}/withdraw/" not in html  # already withdrawn


@pytest.mark.urls("tests.citizens.web.urls_new_plan")
def test_a_citizen_without_a_plan_offers_to_start_one(rich: RichWorld) -> None:
    html = _page(rich.coordinator, rich.free_citizen.pk).content.decode()
    assert f'href="/plans/new/?citizen={rich.free_citizen.pk}"' in html
    # one open plan per citizen: with a plan, the page links to it instead
    html = _page(rich.coordinator, rich.citizen.pk).content.decode()
    assert "/plans/new/" not in html
    # and a manager is not offered it
    assert "/plans/new/" not in _page(rich.manager, rich.free_citizen.pk).content.decode()


def test_the_page_needs_a_login(client, world: World) -> None:
    assert client.get(f"/citizens/{world.citizen.pk}/").status_code == 302
