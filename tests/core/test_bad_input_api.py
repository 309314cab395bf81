"""Ids, dates, page sizes and cursors as clients send them: a 400 that names the field, and
nothing changed; never a 500 (SQLite cannot hold an integer beyond 64 bits at all)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.coordination.models import HospitalEvent, Review
from apps.organisations.models import Membership
from tests.conftest import make_user
from tests.core.test_parsers import ARABIC, in_script
from tests.helpers import API, RichWorld, assert_error, build_rich_world, snapshot

HUGE = [2**63, 2**64, 10**30, -1, 0, True, 1.5, "1e3", in_script(ARABIC, "12"), "", None, [1]]


@pytest.fixture
def rich(db: None) -> RichWorld:
    return build_rich_world()


def _state() -> dict[str, Any]:
    return {
        **snapshot(),
        "reviews": list(Review.objects.values_list("pk", flat=True)),
        "hospital_events": list(HospitalEvent.objects.values_list("pk", flat=True)),
    }


def _etag(w: RichWorld) -> str:
    w.plan.refresh_from_db()
    return w.plan.etag


# (what, method, url, body with the value at PLACE, the field named)
PLACE = object()


def _bodies(w: RichWorld) -> list[tuple[str, str, str, dict[str, Any], str]]:
    plan, citizen = w.plan.pk, w.citizen.pk
    coordinator = {"user": w.coordinator.pk, "organisation": w.orgs["addiction"].pk}
    create = {"citizen": w.free_citizen.pk, "coordinator": coordinator, "participants": [1]}
    return [
        ("plan citizen", "post", f"{API}/plans/", {**create, "citizen": PLACE}, "citizen"),
        (
            "plan coordinator",
            "post",
            f"{API}/plans/",
            {**create, "coordinator": {**coordinator, "user": PLACE}},
            "coordinator",
        ),
        (
            "plan participants",
            "post",
            f"{API}/plans/",
            {**create, "participants": [PLACE]},
            "participants",
        ),
        (
            "consent organisations",
            "post",
            f"{API}/citizens/{citizen}/consents/",
            {"organisations": [PLACE], "form": "oral"},
            "organisations",
        ),
        (
            "participant",
            "post",
            f"{API}/plans/{plan}/participants/",
            {"organisation": PLACE},
            "organisation",
        ),
        (
            "handover to_user",
            "post",
            f"{API}/plans/{plan}/handovers/",
            {"to_user": PLACE},
            "to_user",
        ),
        (
            "handover to_organisation",
            "post",
            f"{API}/plans/{plan}/handovers/",
            {"to_user": w.participant.pk, "to_organisation": PLACE},
            "to_organisation",
        ),
        (
            "effort responsible",
            "post",
            f"{API}/plans/{plan}/efforts/",
            {"description": "x", "responsible": PLACE},
            "responsible",
        ),
        (
            "agreement responsible",
            "post",
            f"{API}/plans/{plan}/agreements/",
            {"text": "x", "responsible": PLACE},
            "responsible",
        ),
        (
            "goal priority",
            "post",
            f"{API}/plans/{plan}/goals/",
            {"text": "x", "priority": PLACE},
            "priority",
        ),
    ]


def _put(body: Any, value: Any) -> Any:
    if body is PLACE:
        return value
    if isinstance(body, dict):
        return {k: _put(v, value) for k, v in body.items()}
    if isinstance(body, list):
        return [_put(v, value) for v in body]
    return body


@pytest.mark.parametrize("index", range(10))
def test_ids_and_integers_in_bodies(rich: RichWorld, index: int) -> None:
    what, method, url, body, field = _bodies(rich)[index]
    client = rich.client(rich.coordinator)
    before = _state()
    values = HUGE if field != "priority" else [2**63, 2**64, -1, 40000, "1e3", True, 1.5]
    for value in values:
        if value in (None, "") and field in ("to_organisation", "responsible"):
            continue  # these may be null (DRF reads "" as null for a relation)
        if value in ("", None, 0, [1]) and field == "priority":
            continue
        response = getattr(client, method)(
            url, _put(body, value), format="json", HTTP_IF_MATCH=_etag(rich)
        )
        assert_error(response, 400, None, field)
    assert _state() == before, what


@pytest.mark.parametrize(
    ("persona", "url", "field"),
    [
        ("coordinator", f"{API}/plans/", "citizen"),
        ("manager", f"{API}/audit/events/", "actor"),
        ("manager", f"{API}/audit/events/", "organisation"),
        ("manager", f"{API}/audit/events/", "citizen"),
        ("manager", f"{API}/audit/unusual/", "citizen"),
    ],
)
@pytest.mark.parametrize(
    "value",
    [
        str(2**63),
        str(2**64),
        "9" * 40,
        "-1",
        "0",
        "1.5",
        "x",
        in_script(ARABIC, "1"),
        ARABIC[1] + "2",
    ],
)
def test_ids_in_queries(rich: RichWorld, persona: str, url: str, field: str, value: str) -> None:
    client = rich.client(getattr(rich, persona))
    assert_error(client.get(url, {field: value}), 400, None, field)


DATE_VALUES = [
    "0001-01-01",
    "1899-12-31",
    "3000-01-01",
    "9999-12-31",
    "2026-02-30",
    "2026-1-1",
    in_script(ARABIC, "2026-01-01"),
    "2026-01-01T00:00:00",
    20260101,
    "",
]
MOMENT_VALUES = [
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:59:59-05:00",
    "1899-12-31T12:00:00Z",
    "3000-01-01T00:00:00Z",
    in_script(ARABIC, "2026-01-01") + "T10:00:00Z",
    "2026-03-29T02:30:00",  # a local time that does not exist
    "2026-01-01T25:00:00Z",
    "tomorrow",
    1767225600,
    "",
]


def _date_cases(w: RichWorld) -> list[tuple[str, str, dict[str, Any], str]]:
    plan = w.plan.pk
    today = timezone.localdate()
    coordinator = {"user": w.coordinator.pk, "organisation": w.orgs["addiction"].pk}
    review = {"held_on": str(today), "outcome": "continue", "next_review": str(today)}
    return [
        (
            "post",
            f"{API}/plans/",
            {
                "citizen": w.free_citizen.pk,
                "coordinator": coordinator,
                "participants": [w.orgs["addiction"].pk],
                "next_review": PLACE,
            },
            "next_review",
        ),
        ("patch", f"{API}/plans/{plan}/", {"next_review": PLACE}, "next_review"),
        ("post", f"{API}/plans/{plan}/reviews/", {**review, "held_on": PLACE}, "held_on"),
        ("post", f"{API}/plans/{plan}/reviews/", {**review, "next_review": PLACE}, "next_review"),
        (
            "post",
            f"{API}/plans/{plan}/efforts/",
            {"description": "x", "starts_on": PLACE},
            "starts_on",
        ),
        ("patch", f"{API}/plans/{plan}/efforts/{w.effort_own.pk}/", {"ends_on": PLACE}, "ends_on"),
        ("post", f"{API}/plans/{plan}/agreements/", {"text": "x", "due": PLACE}, "due"),
        (
            "post",
            f"{API}/plans/{plan}/hospital-events/",
            {"kind": "admission", "occurred_on": PLACE},
            "occurred_on",
        ),
    ]


@pytest.mark.parametrize("index", range(8))
def test_dates_in_bodies(rich: RichWorld, index: int) -> None:
    method, url, body, field = _date_cases(rich)[index]
    client = rich.client(rich.coordinator)
    before = _state()
    for value in DATE_VALUES:
        response = getattr(client, method)(
            url, _put(body, value), format="json", HTTP_IF_MATCH=_etag(rich)
        )
        assert_error(response, 400, None, field)
    assert _state() == before


@pytest.mark.parametrize("field", ["given_at", "expires_at"])
def test_moments_in_consent(rich: RichWorld, field: str) -> None:
    client = rich.client(rich.coordinator)
    url = f"{API}/citizens/{rich.citizen.pk}/consents/"
    before = _state()
    for value in MOMENT_VALUES:
        body = {"organisations": [rich.orgs["toften"].pk], "form": "oral", field: value}
        assert_error(client.post(url, body, format="json"), 400, None, field)
    assert _state() == before


@pytest.mark.parametrize("field", ["from", "to"])
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_moments_in_the_audit_filters(rich: RichWorld, field: str, fmt: str) -> None:
    client = rich.client(rich.manager)
    for value in [*MOMENT_VALUES[:-3], *DATE_VALUES[:4], DATE_VALUES[6]]:
        response = client.get(f"{API}/audit/events/", {field: value, "format": fmt})
        assert response["Content-Type"] == "application/json"
        assert_error(response, 400, None, field)


def test_dates_in_range_are_taken_and_echoed_as_rfc_3339(rich: RichWorld) -> None:
    client = rich.client(rich.coordinator)
    response = client.post(
        f"{API}/plans/{rich.plan.pk}/agreements/",
        {"text": "Ring", "due": "2027-01-15"},
        format="json",
        HTTP_IF_MATCH=_etag(rich),
    )
    assert response.status_code == 201, response.json()
    assert response.json()["due"] == "2027-01-15"
    moment = "2026-01-01T10:00:00+01:00"
    rows = rich.client(rich.manager).get(f"{API}/audit/events/", {"from": moment}).json()
    assert "results" in rows


# --- paging ------------------------------------------------------------------------------------

LISTS = [
    ("coordinator", f"{API}/plans/"),
    ("coordinator", f"{API}/citizens/"),
    ("coordinator", "consents"),
    ("coordinator", f"{API}/handovers/"),
    ("coordinator", f"{API}/notifications/"),
    ("coordinator", f"{API}/organisations/"),
    ("manager", f"{API}/audit/events/"),
    ("manager", f"{API}/audit/unusual/"),
    ("manager", f"{API}/audit/break-glass/"),
]


def _list_url(w: RichWorld, url: str) -> str:
    return f"{API}/citizens/{w.citizen.pk}/consents/" if url == "consents" else url


@pytest.mark.parametrize(("persona", "url"), LISTS)
@pytest.mark.parametrize(
    "size", ["0", "-5", "abc", "201", str(2**64), "1.5", "", " ", in_script(ARABIC, "5")]
)
def test_page_size_is_refused_not_replaced(
    rich: RichWorld, persona: str, url: str, size: str
) -> None:
    client = rich.client(getattr(rich, persona))
    assert_error(client.get(_list_url(rich, url), {"page_size": size}), 400, None, "page_size")


def _cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


BAD_CURSORS = [
    "!!!",
    "not base64",
    _cursor("p=abc"),
    _cursor("p=99999999999999999999"),
    _cursor(f"p={2**63}"),
    _cursor("p=-1"),
    _cursor("p=" + in_script(ARABIC, "3")),
    _cursor("o=-1"),
    _cursor("o=1001"),
    _cursor("o=x"),
    _cursor("r=2"),
    _cursor("r=true"),
    _cursor("x=1"),
    _cursor("p=1&p=2"),
    _cursor("&&&"),
    base64.b64encode(b"\xff\xfe\x00").decode(),
    ARABIC * 3,
    _cursor("o=1") * 40,
]


@pytest.mark.parametrize(("persona", "url"), LISTS)
def test_a_cursor_that_decodes_to_garbage_is_a_400(rich: RichWorld, persona: str, url: str) -> None:
    client = rich.client(getattr(rich, persona))
    for cursor in BAD_CURSORS:
        response = client.get(_list_url(rich, url), {"cursor": cursor})
        assert_error(response, 400, None, "cursor")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    raw=st.one_of(
        st.binary(max_size=60).map(lambda b: base64.b64encode(b).decode()),
        st.text(st.sampled_from([*"opr=&0123456789-x", ARABIC[3]]), max_size=30).map(
            lambda t: base64.b64encode(t.encode()).decode()
        ),
        st.text(max_size=40),
    )
)
def test_random_cursors_never_break_the_list(rich: RichWorld, raw: str) -> None:
    response = rich.client(rich.coordinator).get(f"{API}/plans/", {"cursor": raw})
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 400:
        assert_error(response, 400, "invalid", "cursor")
    else:
        assert set(response.json()) >= {"results", "next"}


def test_the_next_link_walks_every_list(rich: RichWorld) -> None:
    client = rich.client(rich.coordinator)
    for i in range(3):
        rich.client(rich.coordinator).post(
            f"{API}/citizens/", {"cpr": f"01019{i}1234", "name": f"Borger {i}"}, format="json"
        )
    seen: list[int] = []
    url: str | None = f"{API}/citizens/?page_size=1"
    while url:
        body = client.get(url).json()
        seen += [c["id"] for c in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) >= 4
    assert seen == sorted(seen, reverse=True)


def test_organisations_are_a_paginated_list(rich: RichWorld) -> None:
    client = rich.client(rich.coordinator)
    body = client.get(f"{API}/organisations/").json()
    assert set(body) >= {"results", "next"}
    assert {o["id"] for o in body["results"]} == {o.pk for o in rich.orgs.values()} | {
        rich.aftercare.pk
    }
    first = client.get(f"{API}/organisations/", {"page_size": 2}).json()
    assert len(first["results"]) == 2
    assert first["next"]
    rest = client.get(first["next"]).json()["results"]
    assert not {o["id"] for o in rest} & {o["id"] for o in first["results"]}


# --- If-Match ----------------------------------------------------------------------------------


def _patch(w: RichWorld, if_match: str) -> Any:
    return w.client(w.coordinator).patch(
        f"{API}/plans/{w.plan.pk}/",
        {"assessment": {"housing": "x"}},
        format="json",
        HTTP_IF_MATCH=if_match,
    )


@pytest.mark.parametrize(
    "if_match",
    [
        '"abc"',
        'W/"x"',
        '"0"',
        '"999"',
        '""',
        f'"{2**64}"',
        '"1", "2"',
        'W/"abc", "-3"',
        f'"{ARABIC[3]}"'.encode().decode("latin-1"),
    ],
)
def test_a_well_formed_tag_that_matches_nothing_is_412(rich: RichWorld, if_match: str) -> None:
    before = _state()
    assert_error(_patch(rich, if_match), 412, "stale_version", "If-Match")
    assert _state() == before


@pytest.mark.parametrize("if_match", ["abc", "3", '"3', "W/3", '"3",', "**", '*, "3"', '"a b"'])
def test_a_malformed_if_match_is_400(rich: RichWorld, if_match: str) -> None:
    before = _state()
    assert_error(_patch(rich, if_match), 400, "invalid_if_match", "If-Match")
    assert _state() == before


@pytest.mark.parametrize(
    "make",
    [lambda v: "*", lambda v: f'"{v}"', lambda v: f'W/"{v}"', lambda v: f'"1", "{v}", "abc"'],
)
def test_a_tag_that_matches_proceeds(rich: RichWorld, make: Callable[[int], str]) -> None:
    rich.plan.refresh_from_db()
    version = rich.plan.version
    response = _patch(rich, make(version))
    assert response.status_code == 200, response.json()
    rich.plan.refresh_from_db()
    assert rich.plan.version == version + 1
    assert response["ETag"] == f'"{version + 1}"'


def test_if_match_star_on_a_plan_one_cannot_see_is_still_a_404(rich: RichWorld) -> None:
    response = rich.client(rich.outsider).patch(
        f"{API}/plans/{rich.plan.pk}/", {"assessment": {}}, format="json", HTTP_IF_MATCH="*"
    )
    assert_error(response, 404, "not_found")


def test_if_match_on_the_parts_of_a_plan(rich: RichWorld) -> None:
    client = rich.client(rich.coordinator)
    url = f"{API}/plans/{rich.plan.pk}/goals/"
    assert_error(client.post(url, {"text": "x"}, HTTP_IF_MATCH='"abc"'), 412, "stale_version")
    assert client.post(url, {"text": "x"}, HTTP_IF_MATCH="*").status_code == 201


# --- errors are JSON, whatever format was asked -----------------------------------------------


@pytest.mark.parametrize(
    ("persona", "query", "status"),
    [
        ("coordinator", {"format": "csv"}, 403),
        ("manager", {"format": "csv", "action": "nonsense"}, 400),
        ("manager", {"format": "csv", "organisation": "999"}, 400),
        ("manager", {"format": "csv", "page_size": "0"}, 200),  # the export is not paged
        ("manager", {"format": "xlsx"}, 406),
    ],
)
def test_csv_endpoint_errors_are_json(
    rich: RichWorld, persona: str, query: dict, status: int
) -> None:
    response = rich.client(getattr(rich, persona)).get(f"{API}/audit/events/", query)
    if status == 200:
        assert response["Content-Type"].startswith("text/csv")
        return
    assert response["Content-Type"] == "application/json"
    assert_error(response, status)


def test_unusual_access_has_no_csv(rich: RichWorld) -> None:
    response = rich.client(rich.manager).get(f"{API}/audit/unusual/", {"format": "csv"})
    assert_error(response, 406, "not_acceptable", "format")


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "text/csv", "image/png"])
def test_unsupported_accept_is_a_406_in_json(rich: RichWorld, accept: str) -> None:
    response = rich.client(rich.coordinator).get(f"{API}/plans/", HTTP_ACCEPT=accept)
    assert response["Content-Type"] == "application/json"
    assert_error(response, 406, "not_acceptable", "Accept")


def test_a_browser_gets_json(rich: RichWorld) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = rich.client(rich.coordinator).get(f"{API}/plans/", HTTP_ACCEPT=browser)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_options_describes_without_objects(rich: RichWorld) -> None:
    make_user("second.caseworker", rich.orgs["chp"], Membership.Role.CASEWORKER)
    client = rich.client(rich.participant)
    for url in (
        f"{API}/handovers/987654/accept/",
        f"{API}/plans/{rich.plan.pk}/close/",
        f"{API}/citizens/{rich.citizen.pk}/consents/{rich.shared_consent.pk}/withdraw/",
        f"{API}/notifications/987654/read/",
        f"{API}/audit/break-glass/987654/review/",
    ):
        response = client.options(url)
        assert response.status_code == 200, url
        assert set(response.json()) == {"name", "description", "renders", "parses"}
        assert "POST" in response["Allow"]


# --- request bodies ----------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [21, 100, 10000])
@pytest.mark.parametrize("bracket", ["[", '{"a":'])
def test_deep_json_on_the_login_endpoint(db: None, depth: int, bracket: str) -> None:
    from rest_framework.test import APIClient

    closing = "]" if bracket == "[" else "}"
    body = bracket * depth + "1" + closing * depth
    response = APIClient().post(f"{API}/auth/token/", body, content_type="application/json")
    body_error = assert_error(response, 400, "parse_error", "body")
    assert "20" in body_error["detail"]


def test_json_as_deep_as_allowed_reaches_the_view(db: None) -> None:
    from rest_framework.test import APIClient

    body = '{"username": ' + "[" * 19 + "]" * 19 + ', "password": "x"}'
    response = APIClient().post(f"{API}/auth/token/", body, content_type="application/json")
    assert_error(response, 400, "invalid", "username")


@pytest.mark.parametrize(
    "body",
    [
        b'\xff\xfe{"username": "a"}',
        b'{"username": "\xe6"}',
        b"NaN",
        b'{"a": Infinity}',
        b"[1,",
        b"\x00",
    ],
)
def test_bodies_that_are_not_json_in_utf8(db: None, body: bytes) -> None:
    from rest_framework.test import APIClient

    response = APIClient().post(f"{API}/auth/token/", body, content_type="application/json")
    assert_error(response, 400, "parse_error", "body")


def test_a_body_larger_than_allowed_is_refused_before_parsing(db: None) -> None:
    from rest_framework.test import APIClient

    body = "[" + "1," * 200_000 + "1]"
    response = APIClient().post(f"{API}/auth/token/", body, content_type="application/json")
    assert_error(response, 413, "request_too_large", "body")


def test_a_bad_body_stops_an_action_that_takes_none(rich: RichWorld) -> None:
    before = _state()
    url = f"{API}/citizens/{rich.citizen.pk}/consents/{rich.shared_consent.pk}/withdraw/"
    client = rich.client(rich.coordinator)
    for body, content_type in (("[" * 5000, "application/json"), ("x", "text/plain")):
        response = client.post(url, body, content_type=content_type)
        assert 400 <= response.status_code < 500
        assert_error(response, response.status_code)
    assert _state() == before
    assert client.post(url).status_code == 200  # no body at all: the withdrawal goes ahead
