"""Text is a JSON string, and an export format is only for the export itself.

Found by the API fuzzer: DRF's text field took ``0`` or ``1.5`` for a note and stored "0";
``OPTIONS`` on the access report with ``?format=html`` was a 500 (the printable page's
renderer had no template for the endpoint's description), and on the audit trail with
``?format=csv`` the description came back as text/csv.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.access.context import actor_for
from apps.coordination.services import handover_propose
from tests.core.helpers import etag
from tests.core.helpers import state as _state
from tests.helpers import API, FREE_CPR, RichWorld, assert_error

NOT_TEXT = [0, -7, 1.5, 10**30]


def _cases(w: RichWorld) -> list[tuple[Any, str, str, dict[str, Any], str, bool]]:
    """(who, method, url, body with X for the text, field, If-Match needed)."""
    plan = f"{API}/plans/{w.plan.pk}"
    today = timezone.localdate().isoformat()
    return [
        (w.coordinator, "post", f"{API}/citizens/", {"cpr": FREE_CPR, "name": "X"}, "name", False),
        (w.coordinator, "post", f"{API}/citizens/", {"cpr": "X", "name": "Ny"}, "cpr", False),
        (w.coordinator, "post", f"{plan}/goals/", {"text": "X"}, "text", True),
        (w.coordinator, "patch", f"{plan}/goals/{w.goal.pk}/", {"text": "X"}, "text", True),
        (w.coordinator, "patch", f"{plan}/", {"assessment": {"housing": "X"}}, "assessment", True),
        (
            w.coordinator,
            "post",
            f"{plan}/reviews/",
            {"held_on": today, "outcome": "continue", "next_review": today, "notes": "X"},
            "notes",
            True,
        ),
        (
            w.coordinator,
            "post",
            f"{plan}/hospital-events/",
            {"kind": "admission", "occurred_on": today, "notes": "X"},
            "notes",
            False,
        ),
        (
            w.coordinator,
            "post",
            f"{plan}/handovers/",
            {"to_user": w.participant.pk, "note": "X"},
            "note",
            False,
        ),
        (
            w.outsider,
            "post",
            f"{API}/break-glass/",
            {"cpr": "0101801234", "reason": "X"},
            "reason",
            False,
        ),
        (
            None,
            "post",
            f"{API}/auth/token/",
            {"username": "X", "password": "pw-x"},
            "username",
            False,
        ),
    ]


def _fill(body: Any, value: Any) -> Any:
    if isinstance(body, dict):
        return {key: _fill(item, value) for key, item in body.items()}
    return value if body == "X" else body


@pytest.mark.parametrize("value", NOT_TEXT)
def test_a_number_is_not_text(rich: RichWorld, value: Any) -> None:
    for who, method, url, body, field, if_match in _cases(rich):
        client = rich.client(who) if who else APIClient()
        headers = {"HTTP_IF_MATCH": etag(rich)} if if_match else {}
        before = _state()
        response = getattr(client, method)(url, _fill(body, value), format="json", **headers)
        assert_error(response, 400, field=field)
        assert _state() == before, (method, url)


@pytest.mark.parametrize("value", NOT_TEXT)
def test_a_decline_reason_is_text(rich: RichWorld, value: Any) -> None:
    handover = handover_propose(
        actor=actor_for(rich.coordinator, rich.orgs["addiction"].pk),
        plan_id=rich.plan.pk,
        to_user_id=rich.participant.pk,
    )
    response = rich.client(rich.participant).post(
        f"{API}/handovers/{handover.pk}/decline/", {"reason": value}, format="json"
    )
    assert_error(response, 400, field="reason")
    handover.refresh_from_db()
    assert handover.state == "proposed"


def test_text_still_goes_through(rich: RichWorld) -> None:
    response = rich.client(rich.coordinator).post(
        f"{API}/plans/{rich.plan.pk}/goals/",
        {"text": "Jeg vil sove om natten."},
        format="json",
        HTTP_IF_MATCH=etag(rich),
    )
    assert response.status_code == 201
    assert response.json()["text"] == "Jeg vil sove om natten."


def _exports(w: RichWorld) -> list[tuple[Any, str, str]]:
    return [
        (w.manager, f"{API}/audit/events/", "csv"),
        (w.coordinator, f"{API}/citizens/{w.citizen.pk}/access-report/", "html"),
    ]


@pytest.mark.parametrize("method", ["options", "post", "put", "patch", "delete"])
def test_an_export_format_asked_of_anything_but_the_export_is_json(
    rich: RichWorld, method: str
) -> None:
    for who, url, fmt in _exports(rich):
        response = getattr(rich.client(who), method)(f"{url}?format={fmt}")
        assert response["Content-Type"] == "application/json", (method, url)
        if method == "options":  # a method the endpoint takes, but not in that format
            assert_error(response, 406, "not_acceptable", "format")
        else:  # a method it does not take at all: that is the answer, whatever the format
            assert_error(response, 405, "method_not_allowed")


def test_the_exports_themselves_still_export(rich: RichWorld) -> None:
    kinds = {"csv": "text/csv", "html": "text/html"}
    for who, url, fmt in _exports(rich):
        response = rich.client(who).get(url, {"format": fmt})
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith(kinds[fmt]), url
