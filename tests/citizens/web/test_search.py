"""The citizen search page: by name or CPR, scoped and audited as the API's search."""

from __future__ import annotations

import json

import pytest

from apps.citizens import cpr
from apps.citizens.selectors import name_hash
from tests.citizens.web.helpers import Trail, page_client
from tests.conftest import World
from tests.helpers import API, FREE_CPR, RichWorld, build_rich_world

SEEING = ("coordinator", "colleague", "participant", "manager")
NOT_SEEING = ("outsider", "withdrawn")


@pytest.fixture
def rich(db: None) -> RichWorld:
    return build_rich_world()


@pytest.mark.parametrize("query", ["jens", "HANSEN", "ens Ha", "  Jens Hansen  "])
@pytest.mark.parametrize("persona", SEEING)
def test_a_name_search_finds_the_citizen_case_insensitively(world: World, persona, query) -> None:
    response = page_client(getattr(world, persona)).get("/citizens/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/citizens/{world.citizen.pk}/">Jens Hansen</a>' in html
    assert "010180-xxxx" in html
    assert "1234" not in html  # the serial number is never in a result


@pytest.mark.parametrize("query", ["jens", "0101801234", "010180-1234", "010180 1234"])
@pytest.mark.parametrize("persona", NOT_SEEING)
def test_those_without_access_find_nobody(world: World, persona, query) -> None:
    response = page_client(getattr(world, persona)).get("/citizens/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Jens Hansen" not in html
    assert f"/citizens/{world.citizen.pk}/" not in html
    assert "Ingen borger fundet" in html


@pytest.mark.parametrize("query", ["0101801234", "010180-1234", "010180 1234"])
def test_a_cpr_search_finds_the_citizen_masked_with_the_open_plan(world: World, query) -> None:
    response = page_client(world.participant).get("/citizens/", {"q": query})
    html = response.content.decode()
    assert "Jens Hansen" in html
    assert "010180-xxxx" in html
    results = html[html.index("<table") : html.index("</table>")]
    assert "010180-xxxx" in results
    assert "1234" not in results
    assert f'href="/plans/{world.plan.pk}/"' in html


def test_a_citizen_without_an_open_plan_says_so(rich: RichWorld) -> None:
    html = page_client(rich.coordinator).get("/citizens/", {"q": "Else"}).content.decode()
    assert "Else Jensen" in html
    assert "Ingen åben plan" in html


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("J", "mindst 2 bogstaver"),
        ("12345", "10 cifre"),
        ("3202801234", "findes"),
        ("0101364000", "7. ciffer"),
    ],
)
def test_a_bad_query_is_explained_next_to_the_field_and_recorded_as_nothing(
    world: World, query, says
) -> None:
    with Trail() as trail:
        response = page_client(world.coordinator).get("/citizens/", {"q": query})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="citizen-search-error"' in html
    assert says in html
    assert 'aria-invalid="true"' in html
    assert f'value="{query}"' in html  # what was typed stays
    # The API's search records nothing for a query it refuses; neither does the page.
    assert trail.events == []


def test_a_cpr_search_is_recorded_exactly_as_the_api_records_it(world: World) -> None:
    with Trail() as api:
        world.client(world.participant).get(f"{API}/citizens/", {"cpr": "010180-1234"})
        world.client(world.participant).get(f"{API}/plans/", {"citizen": world.citizen.pk})
    with Trail() as page:
        page_client(world.participant).get("/citizens/", {"q": "0101801234"})
    assert page.signatures() == api.signatures()
    search = page.events[0]
    assert search.action == "search"
    assert search.detail == {"criteria": {"cpr_hash": cpr.lookup_hash("0101801234")[:16]}}


def test_a_cpr_search_finding_nobody_is_recorded_as_the_api_records_it(world: World) -> None:
    with Trail() as api:
        world.client(world.outsider).get(f"{API}/citizens/", {"cpr": FREE_CPR})
    with Trail() as page:
        page_client(world.outsider).get("/citizens/", {"q": FREE_CPR})
    assert page.signatures() == api.signatures()
    assert [(e.action, e.object_id, e.citizen_id) for e in page.events] == [("search", "", None)]


def test_a_name_search_records_a_keyed_hash_of_the_name_never_the_name(rich: RichWorld) -> None:
    with Trail() as trail:
        page_client(rich.coordinator).get("/citizens/", {"q": "JENSEN"})
    searches = [e for e in trail.events if e.action == "search"]
    # one event per citizen found, naming each, as the CPR search does
    assert [e.citizen_id for e in searches] == [rich.free_citizen.pk]
    assert all(e.detail == {"criteria": {"name_hash": name_hash("jensen")[:16]}} for e in searches)
    for event in trail.events:
        text = json.dumps(event.detail).lower()
        assert "jensen" not in text
        assert FREE_CPR not in text
    # Case and surrounding space do not change the criterion: two searches for the same name
    # can be told apart from searches for another.
    assert name_hash(" Jensen ") == name_hash("jensen") != name_hash("hansen")


def test_a_name_search_finding_nobody_is_recorded(world: World) -> None:
    with Trail() as trail:
        page_client(world.outsider).get("/citizens/", {"q": "Hansen"})
    assert [(e.action, e.outcome, e.object_id, e.citizen_id) for e in trail.events] == [
        ("search", "allowed", "", None)
    ]


def test_the_open_plans_shown_are_recorded_as_the_plan_list_records_them(world: World) -> None:
    with Trail() as api:
        world.client(world.coordinator).get(f"{API}/plans/", {"citizen": world.citizen.pk})
    with Trail() as page:
        page_client(world.coordinator).get("/citizens/", {"q": "hansen"})
    assert page.signatures(action="list") == api.signatures()


def test_caseworkers_are_offered_registration_and_break_the_glass(world: World) -> None:
    html = page_client(world.outsider).get("/citizens/").content.decode()
    assert 'href="/break-glass/"' in html
    assert 'href="/citizens/new/"' in html
    assert "kun borgere, som din organisation har registreret" in html


def test_a_manager_searches_but_is_offered_no_caseworker_action(world: World) -> None:
    html = page_client(world.manager).get("/citizens/", {"q": "jens"}).content.decode()
    assert "Jens Hansen" in html
    assert 'href="/break-glass/"' not in html
    assert 'href="/citizens/new/"' not in html


def test_the_search_page_needs_a_login(client) -> None:
    response = client.get("/citizens/", {"q": "jens"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_search_forms_post_so_a_cpr_never_stands_in_a_url(world: World) -> None:
    client = page_client(world.participant)
    for page in ("/", "/citizens/"):
        html = client.get(page).content.decode()
        form = html[html.index('role="search"') - 80 : html.index('role="search"')]
        assert 'method="post"' in form, page
    response = client.post("/citizens/", {"q": "010180-1234"})
    assert response.status_code == 200
    assert "010180-xxxx" in response.content.decode()
    assert "1234" not in response.content.decode().split('name="q"')[0]  # not echoed in a link
