"""Ids and dates as clients send them: a 400 that names the field, and nothing changed; never
a 500 (SQLite cannot hold an integer beyond 64 bits at all, and year 1 is no date to echo)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tests.core.helpers import etag as _etag
from tests.core.helpers import state as _state
from tests.core.test_parsers import ARABIC, in_script
from tests.helpers import API, RichWorld, assert_error

HUGE = [2**63, 2**64, 10**30, -1, 0, True, 1.5, "1e3", in_script(ARABIC, "12"), "", None, [1]]


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
def test_ids_in_queries(rich: RichWorld, persona: str, url: str, field: str) -> None:
    client = rich.client(getattr(rich, persona))
    for value in (str(2**63), str(2**64), "9" * 40, "-1", "0", "1.5", "x", in_script(ARABIC, "1")):
        assert_error(client.get(url, {field: value}), 400, None, field)
    assert_error(client.get(url, {field: ARABIC[1] + "2"}), 400, None, field)  # mixed scripts


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
