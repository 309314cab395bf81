"""Break the glass on the page: the service's grant, refusals recorded as the API records them."""

from __future__ import annotations

import pytest

from apps.audit.models import BreakGlass
from tests.citizens.web.helpers import Trail, field_error, page_client
from tests.conftest import World
from tests.helpers import API, FREE_CPR

URL = "/break-glass/"
REASON = "Borgeren er indlagt akut, vi skal kende aftalerne."


def _api(world: World, user, body):  # type: ignore[no-untyped-def]
    return world.client(user).post(f"{API}/break-glass/", body, format="json")


def test_the_page_says_what_breaking_the_glass_means(world: World) -> None:
    html = page_client(world.outsider).get(URL).content.decode()
    assert "kun at læse" in html
    assert "tovholder" in html
    assert "ledere" in html
    assert 'name="reason"' in html
    assert 'name="cpr"' in html


def test_an_outsider_breaks_the_glass_and_lands_on_the_plan(world: World) -> None:
    client = page_client(world.outsider)
    assert client.get(f"/plans/{world.plan.pk}/").status_code == 404
    response = client.post(URL, {"cpr": "010180-1234", "reason": REASON})
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{world.plan.pk}/"
    grant = BreakGlass.objects.get()
    assert (grant.actor, grant.plan, grant.reason) == (world.outsider, world.plan, REASON)
    plan_page = client.get(response["Location"])
    assert plan_page.status_code == 200
    assert "læseadgang" in plan_page.content.decode()


def test_breaking_the_glass_is_recorded_as_the_api_records_it(world: World) -> None:
    with Trail() as api:
        _api(world, world.outsider, {"cpr": "0101801234", "reason": REASON})
    with Trail() as page:
        page_client(world.withdrawn).post(URL, {"cpr": "0101801234", "reason": REASON})
    same_but_the_person = [s[2:] for s in page.signatures(ids=False)]
    assert same_but_the_person == [s[2:] for s in api.signatures(ids=False)]
    assert [e.action for e in page.events] == ["break_glass"]


@pytest.mark.parametrize(
    ("body", "field", "says", "status"),
    [
        ({"cpr": "0101801234", "reason": "  "}, "reason", "hvorfor", 400),
        ({"cpr": "0101801234", "reason": ""}, "reason", "hvorfor", 400),
        ({"cpr": "12345", "reason": REASON}, "cpr", "", 400),
        ({"cpr": "", "reason": REASON}, "cpr", "", 400),
        ({"cpr": FREE_CPR, "reason": REASON}, "cpr", "ingen åben plan", 404),  # no citizen
    ],
)
def test_a_refused_attempt_is_explained_and_recorded_as_the_api_records_it(
    world: World, body, field, says, status
) -> None:
    with Trail() as api:
        _api(world, world.outsider, body)
    with Trail() as page:
        response = page_client(world.outsider).post(URL, body)
    assert response.status_code == status
    html = response.content.decode()
    assert says in field_error(html, field).lower()
    assert page.signatures() == api.signatures()
    assert [e.outcome for e in page.events] == ["denied"]
    assert not BreakGlass.objects.exists()
    if body["reason"].strip():
        assert REASON in html  # what was typed stays


def test_a_participant_is_told_they_need_not_break_the_glass(world: World) -> None:
    with Trail() as api:
        _api(world, world.participant, {"cpr": "0101801234", "reason": REASON})
    with Trail() as page:
        response = page_client(world.participant).post(URL, {"cpr": "0101801234", "reason": REASON})
    assert response.status_code == 409
    assert "deltager allerede" in response.content.decode()
    assert page.signatures() == api.signatures()
    assert not BreakGlass.objects.exists()


def test_a_manager_gets_no_form_and_a_post_is_refused_as_the_api_refuses_it(world: World) -> None:
    assert page_client(world.manager).get(URL).status_code == 403
    body = {"cpr": "0101801234", "reason": REASON}
    with Trail() as api:
        _api(world, world.manager, body)
    with Trail() as page:
        response = page_client(world.manager).post(URL, body)
    assert response.status_code == 403
    assert page.signatures() == api.signatures()
    assert not BreakGlass.objects.exists()
