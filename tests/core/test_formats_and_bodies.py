"""JSON in and out: errors in JSON whatever format was asked, 406 for formats nobody offers,
OPTIONS without objects, and bodies bounded in size and depth before they are parsed."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.organisations.models import Membership
from tests.conftest import make_user
from tests.core.helpers import state as _state
from tests.helpers import API, RichWorld, assert_error

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


@pytest.mark.parametrize(
    ("path", "query", "accept"),
    [
        ("/citizens/{citizen}/access-report/", {"format": "html"}, "text/html"),
        ("/audit/events/", {"format": "csv"}, "text/csv"),
        ("/plans/{plan}/", {"format": "csv"}, "application/json"),
    ],
)
@pytest.mark.parametrize("method", ["put", "trace"])
def test_a_method_the_endpoint_does_not_take_is_a_405_in_json(
    rich: RichWorld, path: str, query: dict, accept: str, method: str
) -> None:
    url = API + path.format(citizen=rich.citizen.pk, plan=rich.plan.pk)
    client = rich.client(rich.manager)
    response = client.generic(
        method.upper(),
        url + "?" + "&".join(f"{k}={v}" for k, v in query.items()),
        HTTP_ACCEPT=accept,
    )
    assert response["Content-Type"] == "application/json"
    assert_error(response, 405, "method_not_allowed")


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

    closing = "]" if bracket == "[" else "}"
    body = bracket * depth + "1" + closing * depth
    response = APIClient().post(f"{API}/auth/token/", body, content_type="application/json")
    body_error = assert_error(response, 400, "parse_error", "body")
    assert "20" in body_error["detail"]


def test_json_as_deep_as_allowed_reaches_the_view(db: None) -> None:

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

    response = APIClient().post(f"{API}/auth/token/", body, content_type="application/json")
    assert_error(response, 400, "parse_error", "body")


def test_a_body_larger_than_allowed_is_refused_before_parsing(db: None) -> None:

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
