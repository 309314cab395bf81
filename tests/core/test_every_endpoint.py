"""Every URL pattern of the API, asked the awkward way: never a server error, always JSON.

OPTIONS, HEAD, a browser's ``Accept: text/html``, ``?format=api``/``csv``/``xml``, deeply
nested JSON, a body that is not UTF-8, form data or plain text where JSON is expected, ids that
exist and ids that do not; anonymous, as a caseworker and as a manager. The patterns are read
from the URL resolver, so an endpoint added later is asked too.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from rest_framework.test import APIClient

from apps.audit.models import BreakGlass
from apps.coordination import reviews
from apps.coordination.services import handover_propose
from apps.notifications.models import Notification
from kip_service import api_urls
from tests.helpers import RichWorld, build_rich_world, snapshot

API = "/api/v1/"


def _routes(patterns: list[Any], prefix: str = "") -> list[tuple[str, str]]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found += _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append((entry.name or "", prefix + str(entry.pattern)))
    return found


ROUTES = _routes(api_urls.urlpatterns)
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


@pytest.fixture
def scene(db: None) -> dict[str, Any]:
    """The rich world, with a handover, a notification, a review and a break-the-glass grant."""
    w = build_rich_world()
    coordinator = w.actor(w.coordinator)
    handover = handover_propose(
        actor=coordinator, plan_id=w.plan.pk, to_user_id=w.participant.pk, note="Overdragelse"
    )
    w.plan.refresh_from_db()
    review = reviews.review_record(
        actor=coordinator,
        plan_id=w.plan.pk,
        expected_version=w.plan.version,
        held_on=timezone.localdate(),
        outcome="continue",
        next_review=timezone.localdate() + datetime.timedelta(days=30),
    )
    grant = BreakGlass.objects.create(
        actor=w.outsider,
        organisation=w.orgs["toften"],
        plan=w.plan,
        citizen_id=w.citizen.pk,
        reason="Akut",
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    notification = Notification.objects.filter(recipient=w.participant).first()
    assert notification is not None
    ids = {
        "plan_pk": w.plan.pk,
        "citizen_pk": w.citizen.pk,
        "consent-withdraw": w.shared_consent.pk,
        "citizen-detail": w.citizen.pk,
        "access-report": w.citizen.pk,
        "organisation-detail": w.orgs["addiction"].pk,
        "plan-detail": w.plan.pk,
        "plan-close": w.plan.pk,
        "participant-detail": w.orgs["chp"].pk,
        "goal-detail": w.goal.pk,
        "effort-detail": w.effort_own.pk,
        "agreement-detail": w.agreement.pk,
        "handover-detail": handover.pk,
        "handover-accept": handover.pk,
        "handover-decline": handover.pk,
        "handover-cancel": handover.pk,
        "review-snapshot": review.pk,
        "notification-read": notification.pk,
        "break-glass-review": grant.pk,
        "a": review.pk,
        "b": review.pk,
    }
    return {"world": w, "ids": ids}


def _url(name: str, route: str, ids: dict[str, Any], missing: bool) -> str:
    def value(match: re.Match[str]) -> str:
        if missing:
            return "987654321"
        key = match.group(2)
        return str(ids.get(key) if key != "pk" else ids.get(name, 1))

    return API + PARAMETER.sub(value, route)


NESTED = "[" * 10000 + "]" * 10000
VARIANTS: list[tuple[str, str, dict[str, Any]]] = [
    ("options", "", {}),
    ("head", "", {}),
    ("get", "", {"HTTP_ACCEPT": "text/html"}),
    ("get", "", {"HTTP_ACCEPT": "application/xml"}),
    ("get", "?format=api", {}),
    ("get", "?format=csv", {}),
    ("get", "?format=xml", {}),
    ("get", "?page_size=0&cursor=%21%21", {}),
    ("post", "", {"data": NESTED, "content_type": "application/json"}),
    ("put", "", {"data": "{" * 5000, "content_type": "application/json"}),
    ("patch", "", {"data": NESTED, "content_type": "application/json", "HTTP_IF_MATCH": '"1"'}),
    ("post", "", {"data": b'\xff\xfe{"a": 1}', "content_type": "application/json"}),
    ("post", "", {"data": '{"cpr": NaN}', "content_type": "application/json"}),
    ("post", "", {"data": "x", "content_type": "text/plain"}),
    ("post", "", {"data": "a=1&b=2", "content_type": "application/x-www-form-urlencoded"}),
    ("post", "", {"data": "[1, 2", "content_type": "application/json"}),
    ("delete", "", {"HTTP_IF_MATCH": "not a tag"}),
]


def _client(world: RichWorld | None, persona: str) -> APIClient:
    client = APIClient(raise_request_exception=False)
    if persona != "anonymous" and world is not None:
        client.force_authenticate(getattr(world, persona))
    return client


def _check(response: Any, method: str, where: str) -> str | None:
    status = response.status_code
    content_type = response.get("Content-Type", "")
    if status >= 500:
        return f"{where}: {status}"
    if method == "head" or status == 204:
        return None
    if response.streaming:  # the one export: the audit trail as CSV, to a manager
        ok = status == 200 and content_type.startswith("text/csv") and "audit/events" in where
        return None if ok else f"{where}: {status} streams {content_type}"
    if status >= 400 or not content_type.startswith("text/html"):
        if not content_type.startswith("application/json"):
            return f"{where}: {status} {content_type} {response.content[:80]!r}"
        body = response.json()
        if status >= 400 and not (
            isinstance(body, dict)
            and {"code", "detail", "fields"} <= set(body)
            and isinstance(body["fields"], dict)
            and body["code"]
            and body["detail"]
        ):
            return f"{where}: {status} not the error shape: {body!r}"[:300]
    elif "access-report" not in where:  # the one endpoint that prints a page
        return f"{where}: {status} {content_type}"
    return None


@pytest.mark.parametrize("persona", ["anonymous", "coordinator", "manager"])
@pytest.mark.parametrize("missing", [False, True], ids=["existing", "missing"])
def test_no_endpoint_answers_with_a_server_error_or_anything_but_json(
    scene: dict[str, Any], persona: str, missing: bool
) -> None:
    world, ids = scene["world"], scene["ids"]
    client = _client(world, persona)
    before = snapshot()
    failures = []
    for name, route in ROUTES:
        url = _url(name, route, ids, missing)
        for method, query, kwargs in VARIANTS:
            response = getattr(client, method)(url + query, **kwargs)
            failure = _check(response, method, f"{method.upper()} {url}{query} {kwargs}"[:160])
            if failure:
                failures.append(failure)
    assert not failures, "\n".join(failures)
    assert snapshot() == before  # none of these changed anything


def test_the_routes_cover_the_api() -> None:
    names = {name for name, _ in ROUTES}
    assert {"token", "plan-close", "handover-accept", "consent-withdraw", "break-glass-review"} <= (
        names
    )
    assert len(ROUTES) >= 35


@pytest.mark.parametrize("persona", ["anonymous", "coordinator"])
def test_paths_no_endpoint_answers_are_a_json_404(scene: dict[str, Any], persona: str) -> None:
    client = _client(scene["world"], persona)
    paths = [
        "nothing-here/",
        "plans/99999999999999999999/",
        f"plans/{2**63}/",
        "plans/0x1/",
        "plans/-1/",
        "plans/1/nothing/",
        "citizens/%D9%A3/",  # an Arabic-Indic three
        "handovers/18446744073709551616/accept/",
    ]
    for path in paths:
        for method in ("get", "post", "options", "delete"):
            response = getattr(client, method)(API + path)
            assert response.status_code == 404, (method, path, response.status_code)
            assert response["Content-Type"].startswith("application/json")
            assert response.json()["code"] == "not_found"


def test_a_path_without_its_slash_is_still_redirected(scene: dict[str, Any]) -> None:
    response = _client(scene["world"], "coordinator").get("/api/v1/plans")
    assert response.status_code == 301
    assert response["Location"].endswith("/api/v1/plans/")
