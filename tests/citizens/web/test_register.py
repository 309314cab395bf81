"""Registering a citizen on the page: the service's rules, CPR errors in plain Danish."""

from __future__ import annotations

import pytest

from apps.citizens import cpr
from apps.citizens.models import Citizen
from tests.citizens.web.helpers import Trail, field_error, field_is_marked, page_client
from tests.conftest import World
from tests.helpers import API, NEW_CPR, snapshot


def _register(user, **data):  # type: ignore[no-untyped-def]
    return page_client(user).post("/citizens/new/", data)


def test_a_caseworker_registers_a_citizen_and_lands_on_the_citizen_page(world: World) -> None:
    client = page_client(world.outsider)
    response = client.post("/citizens/new/", {"name": " Ny Borger ", "cpr": "030385-3456"})
    citizen = Citizen.objects.get(cpr_hash=cpr.lookup_hash(NEW_CPR))
    assert response.status_code == 302
    assert response["Location"] == f"/citizens/{citizen.pk}/"
    assert citizen.name == "Ny Borger"
    assert citizen.registered_for == world.orgs["toften"]
    page = client.get(response["Location"]).content.decode()
    assert "Ny Borger er registreret" in page
    assert "030385-3456" in page  # the citizen page shows the number whole, as the API does


def test_registering_is_recorded_as_the_api_records_it(world: World) -> None:
    with Trail() as api:
        world.client(world.outsider).post(
            f"{API}/citizens/", {"cpr": "0202902345", "name": "A"}, format="json"
        )
    with Trail() as page:
        _register(world.outsider, name="B", cpr=NEW_CPR)
    # the same event, for another citizen
    assert [(e.action, e.object_type, e.outcome) for e in page.events] == [
        (e.action, e.object_type, e.outcome) for e in api.events
    ]
    assert page.events[0].object_id == str(Citizen.objects.get(name="B").pk)


@pytest.mark.parametrize(
    ("number", "says"),
    [
        ("12345", "10 cifre"),
        ("010180-12345", "10 cifre"),
        ("01018O1234", "10 cifre"),
        ("3202801234", "31. februar"),  # no 32nd day
        ("2902000000", "findes"),  # 29 February 1900: century digit 0
        ("0101364000", "7. ciffer"),  # century digit 4 with YY 36: 2036
        ("0101505000", "7. ciffer"),  # century digit 5 with YY 50: 2050
    ],
)
def test_a_bad_cpr_is_explained_in_danish_next_to_the_field(world: World, number, says) -> None:
    before = snapshot()
    with Trail() as trail:
        response = _register(world.coordinator, name="Ny Borger", cpr=number)
    assert response.status_code == 400
    html = response.content.decode()
    assert says in field_error(html, "cpr")
    assert field_is_marked(html, "cpr")
    assert 'value="Ny Borger"' in html  # what was typed stays
    assert f'value="{number}"' in html
    assert snapshot() == before
    assert trail.events == []  # as the API: a refused registration records nothing


@pytest.mark.parametrize(
    ("data", "field"),
    [({"name": "", "cpr": NEW_CPR}, "name"), ({"name": "Ny", "cpr": ""}, "cpr")],
)
def test_a_missing_field_is_named(world: World, data, field) -> None:
    before = snapshot()
    response = _register(world.coordinator, **data)
    assert response.status_code == 400
    assert field_error(response.content.decode(), field)
    assert snapshot() == before


def test_a_taken_number_links_to_the_citizen_for_someone_who_may_see_them(world: World) -> None:
    before = snapshot()
    response = _register(world.participant, name="Ny", cpr="010180-1234")
    assert response.status_code == 409
    html = response.content.decode()
    assert "allerede registreret" in field_error(html, "cpr")
    assert f'href="/citizens/{world.citizen.pk}/"' in html
    assert snapshot() == before


@pytest.mark.parametrize("persona", ["outsider", "withdrawn"])
def test_a_taken_number_tells_an_outsider_nothing_more(world: World, persona) -> None:
    before = snapshot()
    with Trail() as trail:
        response = _register(getattr(world, persona), name="Ny", cpr="0101801234")
    assert response.status_code == 409
    html = response.content.decode()
    assert "allerede registreret" in field_error(html, "cpr")
    assert "Jens Hansen" not in html
    assert f"/citizens/{world.citizen.pk}/" not in html
    assert snapshot() == before
    # Looking for a holder to link to is a search, recorded as one: it found nobody.
    assert [(e.action, e.object_id) for e in trail.events] == [("search", "")]


def test_a_manager_gets_no_form_and_a_post_is_refused_as_the_api_refuses_it(world: World) -> None:
    before = snapshot()
    assert page_client(world.manager).get("/citizens/new/").status_code == 403
    with Trail() as api:
        world.client(world.manager).post(
            f"{API}/citizens/", {"cpr": NEW_CPR, "name": "Ny"}, format="json"
        )
    with Trail() as page:
        response = _register(world.manager, name="Ny", cpr=NEW_CPR)
    assert response.status_code == 403
    assert page.signatures() == api.signatures()
    assert [e.outcome for e in page.events] == ["denied"]
    assert snapshot() == before
