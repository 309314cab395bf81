"""The manager's trail page: the API's scope, filters, refusals and audit, in a browser's shape."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.access import audit
from apps.audit.models import AccessEvent
from tests.audit.helpers import events_since, last_id
from tests.conftest import make_user

EVENTS = "/api/v1/audit/events/"
CPR = "0101801234"  # the world's citizen


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="da")
    client.force_login(user)
    return client


def _show(client, filters, **extra):
    """Submit the filter form as the page does (a POST), and follow it to the page it leads to;
    no CPR number on the way."""
    response = client.post("/audit/", filters, follow=True, **extra)
    for url, status in response.redirect_chain:
        assert status == 303
        assert not any(c in url for c in (CPR, "010180"))
    return response


def _ids(response) -> list[int]:
    return [row["event"].pk for row in response.context["rows"]]


def _api_ids(world, params) -> list[int]:
    response = world.client(world.manager).get(EVENTS, {**params, "page_size": 200})
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def busy(world):
    """Reads and refusals by several organisations around the world's plan."""
    world.client(world.participant).get(f"/api/v1/plans/{world.plan.pk}/")  # chp reads our plan
    world.client(world.coordinator).get("/api/v1/plans/")
    world.client(world.withdrawn).get(f"/api/v1/plans/{world.plan.pk}/")  # refused
    world.client(world.outsider).get("/api/v1/plans/")  # toften: nothing of ours
    return world


MANAGER_PAGES = [
    "/audit/",
    "/audit/events.csv",
    "/audit/unusual/",
    "/audit/break-glass/",
    "/overview/",
]


@pytest.mark.parametrize("url", MANAGER_PAGES)
def test_caseworkers_get_403_on_every_manager_page_and_the_attempt_is_recorded(world, url):
    mark = last_id()
    response = _client(world.coordinator).get(url)
    assert response.status_code == 403
    assert b"Jens Hansen" not in response.content
    (event,) = events_since(mark)
    assert (event.outcome, event.actor_id) == ("denied", world.coordinator.pk)


def test_the_menu_offers_the_log_and_the_overview_to_managers_only(world):
    assert b'href="/audit/"' in _client(world.manager).get("/").content
    assert b'href="/overview/"' in _client(world.manager).get("/").content
    for persona in (world.coordinator, world.participant):
        page = _client(persona).get("/").content
        assert b'href="/audit/"' not in page
        assert b'href="/overview/"' not in page


def _web_filters(world, name):
    """(page filters, the same filters as the API takes)."""
    variants = {
        "none": ({}, {}),
        "person": ({"person": world.participant.pk}, {"actor": world.participant.pk}),
        "outsider": ({"person": world.outsider.pk}, {"actor": world.outsider.pk}),
        "organisation": (
            {"organisation": world.orgs["addiction"].pk},
            {"organisation": world.orgs["addiction"].pk},
        ),
        "citizen by name": ({"citizen": "jens hansen"}, {"citizen": world.citizen.pk}),
        "citizen by CPR": ({"citizen": "010180-1234"}, {"citizen": world.citizen.pk}),
        "action": ({"action": "view"}, {"action": "view"}),
        "outcome": ({"outcome": "denied"}, {"outcome": "denied"}),
        "period": (
            {"from": "2000-01-01", "to": "2999-12-30"},
            {"from": "2000-01-01", "to": "2999-12-31"},
        ),
        "empty period": ({"to": "2001-01-01"}, {"to": "2001-01-02"}),
        "all": (
            {
                "person": world.participant.pk,
                "citizen": CPR,
                "action": "view",
                "outcome": "allowed",
            },
            {
                "actor": world.participant.pk,
                "citizen": world.citizen.pk,
                "action": "view",
                "outcome": "allowed",
            },
        ),
    }
    return variants[name]


@pytest.mark.parametrize(
    "variant",
    [
        "none",
        "person",
        "outsider",
        "organisation",
        "citizen by name",
        "citizen by CPR",
        "action",
        "outcome",
        "period",
        "empty period",
        "all",
    ],
)
def test_the_page_shows_the_same_events_as_the_api_for_the_same_filters(busy, variant):
    world = busy
    page_filters, api_filters = _web_filters(world, variant)
    mark = last_id()
    api = [i for i in _api_ids(world, api_filters) if i <= mark]
    response = _show(_client(world.manager), page_filters)
    assert response.status_code == 200
    web = _ids(response)
    # Each query records itself, so compare the events that existed before both were asked.
    assert [i for i in web if i <= mark] == api
    assert all(i > mark for i in web if i not in api)
    if variant in ("outsider", "empty period"):
        assert api == []
    elif variant != "all":
        assert api
    # Nothing the manager may not see: the outsider's own list of toften plans never shows.
    assert not any(row["event"].actor_id == world.outsider.pk for row in response.context["rows"])


def test_the_query_is_recorded_as_the_api_records_it(busy):
    world = busy
    mark = last_id()
    _show(_client(world.manager), {"citizen": CPR, "action": "view", "to": "2999-01-01"})
    (event,) = events_since(mark)
    assert (event.action, event.outcome, event.object_type, event.purpose) == (
        "list",
        "allowed",
        "accessevent",
        "audit_review",
    )
    assert event.citizen_id == world.citizen.pk
    query = event.detail["query"]
    assert query["citizen"] == str(world.citizen.pk)
    assert query["action"] == "view"
    assert query["to"].startswith("2999-01-02T00:00:00")
    assert CPR not in str(event.detail)
    assert event.detail["shown"] == len(events_since(0, citizen_id=world.citizen.pk, action="view"))


def test_rows_name_people_and_citizens_in_danish(busy):
    world = busy
    world.participant.first_name, world.participant.last_name = "Sofie", "Berg"
    world.participant.save()
    page = _show(_client(world.manager), {"person": world.participant.pk}).content.decode()
    assert "Sofie Berg (Center for Handicap og Psykiatri)" in page
    assert "Plan: Jens Hansen" in page
    assert "Tilladt" in page
    assert "Behandling og koordinering" in page
    refused = _client(world.manager).get("/audit/", {"outcome": "denied"}).content.decode()
    assert "Afvist" in refused


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-13-45"}, "to"),
        ({"to": "9999-12-31"}, "to"),
        ({"from": "0001-01-01"}, "from"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "to"),
        ({"person": "999999"}, "person"),
        ({"person": "Lise"}, "person"),
        ({"organisation": "999999"}, "organisation"),
        ({"action": "peek"}, "action"),
        ({"outcome": "maybe"}, "outcome"),
        ({"citizen": "0101"}, "citizen"),
        ({"citizen": "3201801234"}, "citizen"),
        ({"citizen": "2302754567"}, "citizen"),  # a valid CPR of no visible citizen
        ({"citizen": "Nobody at all"}, "citizen"),
    ],
)
@pytest.mark.parametrize("method", ["post", "get"])
def test_bad_filters_are_400_with_the_message_beside_the_field_and_recorded(
    world, params, field, method
):
    mark = last_id()
    response = getattr(_client(world.manager), method)("/audit/", params)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page
    assert 'aria-invalid="true"' in page
    # What was typed stays in the form.
    typed = next(iter(params.values()))
    if field not in ("person", "organisation", "action", "outcome"):
        assert f'value="{typed}"' in page
    (event,) = events_since(mark)
    assert (event.outcome, event.action, event.object_type) == ("denied", "list", "accessevent")
    assert event.detail["query"]
    assert "3201801234" not in str(event.detail)
    assert "2302754567" not in str(event.detail)


def test_two_citizens_matching_a_name_ask_for_more(world):
    from apps.citizens.services import citizen_register

    citizen_register(
        actor=world.actor(world.coordinator), cpr_number="0202802345", name="Jens Olsen"
    )
    response = _show(_client(world.manager), {"citizen": "Jens"})
    assert response.status_code == 400
    assert "citizen" in response.context["form"].errors
    # The whole name picks one.
    assert _show(_client(world.manager), {"citizen": "Jens Olsen"}).status_code == 200


def test_another_organisations_trail_is_403_and_recorded(world):
    mark = last_id()
    response = _client(world.manager).get("/audit/", {"organisation": world.orgs["toften"].pk})
    assert response.status_code == 403
    (event,) = events_since(mark)
    assert event.outcome == "denied"


def test_a_bad_page_link_is_400(world):
    response = _client(world.manager).get("/audit/", {"before": "abc"})
    assert response.status_code == 400
    assert "Linket til siden er ikke gyldigt" in response.content.decode()


def _fill(world, n):
    actor = world.actor(world.participant)
    audit.write(
        [
            audit.event(actor, "view", "plan", world.plan.pk, citizen_id=world.citizen.pk)
            for _ in range(n)
        ]
    )


def test_pages_of_fifty_newest_first_back_and_forth(world):
    _fill(world, 120)
    client = _client(world.manager)
    first = client.get("/audit/", {"action": "view"})
    ids = _ids(first)
    assert len(ids) == 50
    assert ids == sorted(ids, reverse=True)
    assert first.context["newer_url"] is None
    second = client.get(first.context["older_url"])
    assert "action=view" in first.context["older_url"]
    second_ids = _ids(second)
    assert len(second_ids) == 50
    assert max(second_ids) < min(ids)
    third = client.get(second.context["older_url"])
    assert third.context["older_url"] is None
    back = client.get(second.context["newer_url"])
    assert _ids(back) == ids
    everything = [e.pk for e in AccessEvent.objects.filter(action="view").order_by("-id")]
    assert ids + second_ids + _ids(third) == everything


def test_htmx_gets_the_filters_and_table_only(world):
    response = _client(world.manager).get("/audit/", {"action": "view"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page
    assert 'id="id_action"' in page
    bad = _client(world.manager).get("/audit/", {"from": "x"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400
    assert "<html" not in bad.content.decode()


def _csv_ids(response) -> list[int]:
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["id", "at", "actor_id"]
    return [int(r[0]) for r in rows[1:]]


@pytest.mark.parametrize(
    "filters",
    [{}, {"action": "view"}, {"citizen": "Jens Hansen", "outcome": "allowed"}, {"person": "me"}],
)
def test_the_csv_button_exports_exactly_the_filtered_set_and_is_recorded(busy, filters):
    world = busy
    _fill(world, 70)  # more than one page
    if filters.get("person") == "me":
        filters = {"person": world.participant.pk}
    client = _client(world.manager)
    page = _show(client, filters)
    url = page.context["csv_url"]
    assert url.startswith("/audit/events.csv")
    assert f'href="{url.replace("&", "&amp;")}"' in page.content.decode()
    assert "Hent som CSV" in page.content.decode()
    mark = last_id()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    exported = _csv_ids(response)
    (event,) = events_since(mark)
    assert (event.action, event.outcome, event.detail["format"]) == ("export", "allowed", "csv")
    # Every event of the filtered set, across all pages, and no other.
    api_filters = dict(event.detail["query"])
    if "actor" in api_filters:
        api_filters["actor"] = int(api_filters["actor"])
    api = world.client(world.manager).get(EVENTS, {**api_filters, "format": "csv"})
    # Both include the record of the export itself, written before the rows stream out.
    assert [i for i in _csv_ids(api) if i <= event.pk] == exported
    assert len(exported) > 50 or filters


def test_a_csv_with_bad_filters_is_400_and_recorded_as_a_refused_export(world):
    mark = last_id()
    response = _client(world.manager).get("/audit/events.csv", {"from": "nope"})
    assert response.status_code == 400
    (event,) = events_since(mark)
    assert (event.action, event.outcome) == ("export", "denied")


def test_query_counts_are_equal_across_sizes(world):
    counts = []
    for n in (1, 10, 100):
        other = make_user(f"size{n}", world.orgs["chp"], "caseworker")
        actor = world.actor(other)
        audit.write(
            [
                audit.event(actor, "view", "plan", world.plan.pk, citizen_id=world.citizen.pk)
                for _ in range(n)
            ]
        )
        client = _client(world.manager)
        client.get("/audit/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/audit/", {"action": "view"}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2], counts


def test_the_page_is_in_danish_with_the_filters_labelled(world):
    page = _client(world.manager).get("/audit/").content.decode()
    for text in (
        "Adgangslog",
        "Person",
        "Organisation",
        "Borger",
        "Handling",
        "Udfald",
        "Fra",
        "Til",
    ):
        assert re.search(rf">\s*{text}\b", page), text


def test_a_person_outside_the_list_is_shown_as_chosen(world):
    # Not a member of any organisation sharing a plan with addiction: not in the list.
    stranger = make_user("stranger", world.orgs["toften"], "caseworker")
    stranger.first_name, stranger.last_name = "Ole", "Fremmed"
    stranger.save()
    page = _client(world.manager).get("/audit/")
    assert "Ole Fremmed" not in page.content.decode()
    chosen = _client(world.manager).get("/audit/", {"person": stranger.pk})
    assert chosen.status_code == 200
    assert f'<option value="{stranger.pk}" selected>Ole Fremmed</option>' in chosen.content.decode()
    assert _ids(chosen) == []


def test_unusual_access_pages_and_refuses_a_bad_page_link(world):
    for _ in range(3):
        world.client(world.withdrawn).get(f"/api/v1/plans/{world.plan.pk}/")  # refused
    client = _client(world.manager)
    response = client.get("/audit/unusual/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) >= 3
    assert all(row["reason"] == "Afvist forsøg" for row in rows if not row["allowed"])
    assert client.get("/audit/unusual/", {"before": "-1"}).status_code == 400


def test_the_form_leads_to_an_address_with_the_citizen_by_id_never_the_cpr(world):
    client = _client(world.manager)
    response = client.post("/audit/", {"citizen": "010180-1234", "action": "view"})
    assert response.status_code == 303
    assert response["Location"] == f"/audit/?citizen_id={world.citizen.pk}&action=view"
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="Jens Hansen"' in html  # the field shows whom the filter is for
    assert "0101801234" not in html
    assert "010180-1234" not in html
    assert f"citizen_id={world.citizen.pk}" in page.context["csv_url"]
    # A link the manager may not follow (a citizen not in view) is refused, not ignored.
    from apps.citizens.services import citizen_register

    other = citizen_register(
        actor=world.actor(world.outsider), cpr_number="0202802345", name="Ole Olsen"
    )
    refused = client.get("/audit/", {"citizen_id": other.pk})
    assert refused.status_code == 400
    assert "citizen" in refused.context["form"].errors
    assert "Ole Olsen" not in refused.content.decode()
    # Clearing the field drops the filter, though the id still rides along.
    cleared = _show(client, {"citizen": "", "citizen_id": world.citizen.pk})
    assert "citizen_id" not in cleared.request["QUERY_STRING"]


def test_htmx_posts_are_followed_to_the_partial(world):
    response = _show(_client(world.manager), {"action": "view"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
