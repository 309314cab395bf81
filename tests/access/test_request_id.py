"""The request id is the service's own; a client's X-Request-ID is kept apart, if valid.

Every request gets a fresh uuid4 hex id, sent back in ``X-Request-ID`` and written on each
audit event of the request. A client's own id is kept in the event's ``detail`` as
``client_request_id`` when it is at most 64 characters of ``[A-Za-z0-9._-]``, and dropped
otherwise; the hash chain covers it like any other field.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from apps.audit.chain import audit_seal, audit_verify
from apps.core.middleware import client_request_id
from tests.audit.helpers import events_since, last_id
from tests.conftest import World
from tests.helpers import API

OWN_ID = re.compile(r"[0-9a-f]{32}")

GOOD = ["trace-01.A_b", "a" * 64, "0", "ABC.def-ghi_123"]
BAD = [
    "a" * 65,
    "a" * 10_000,
    "abc\ndef",
    "abc\r\nX-Evil: 1",
    "abc\tdef",
    "a b",
    "<script>alert(1)</script>",
    "'; DROP TABLE audit_accessevent; --",
    "\u0661\u0662\u0663",  # Arabic-Indic digits
    "caf\u00e9",
    "\ufb01le",  # a ligature that NFKC would make ASCII
    "abc\u200b",  # zero-width space
    "abc\x00",
    "trace/01",
    "",
]


def _get(world: World, header: str | None, url: str | None = None) -> Any:
    client: Any = world.client(world.coordinator)
    extra = {} if header is None else {"HTTP_X_REQUEST_ID": header}
    return client.get(url or f"{API}/plans/{world.plan.pk}/", **extra)


@pytest.mark.parametrize("value", GOOD)
def test_a_valid_client_id_is_kept_apart_from_ours(world: World, value: str) -> None:
    mark = last_id()
    response = _get(world, value)
    assert response.status_code == 200
    ours = response["X-Request-ID"]
    assert OWN_ID.fullmatch(ours)
    assert ours != value
    (event,) = events_since(mark)
    assert event.request_id == ours
    assert event.detail["client_request_id"] == value


@pytest.mark.parametrize("value", BAD)
def test_an_invalid_client_id_is_dropped(world: World, value: str) -> None:
    mark = last_id()
    response = _get(world, value)
    assert response.status_code == 200
    assert OWN_ID.fullmatch(response["X-Request-ID"])
    (event,) = events_since(mark)
    assert event.request_id == response["X-Request-ID"]
    assert "client_request_id" not in event.detail
    assert client_request_id(value) == ""


def test_without_a_client_id_there_is_only_ours(world: World) -> None:
    mark = last_id()
    response = _get(world, None)
    (event,) = events_since(mark)
    assert OWN_ID.fullmatch(response["X-Request-ID"])
    assert event.request_id == response["X-Request-ID"]
    assert event.detail == {}


def test_each_request_gets_its_own_id_whatever_the_client_sends(world: World) -> None:
    mark = last_id()
    first, second = _get(world, "same-id"), _get(world, "same-id")
    assert first["X-Request-ID"] != second["X-Request-ID"]
    events = events_since(mark)
    assert len({e.request_id for e in events}) == 2
    assert {e.detail["client_request_id"] for e in events} == {"same-id"}


def test_a_refused_request_carries_both_ids(world: World) -> None:
    mark = last_id()
    response = world.client(world.outsider).get(
        f"{API}/plans/{world.plan.pk}/", HTTP_X_REQUEST_ID="probe-7"
    )
    assert response.status_code == 404
    (event,) = events_since(mark)
    assert event.outcome == "denied"
    assert event.request_id == response["X-Request-ID"]
    assert event.detail["client_request_id"] == "probe-7"


def test_a_refused_organisation_choice_carries_both_ids(world: World) -> None:
    client = world.client(world.coordinator)
    client.credentials(HTTP_X_ORGANISATION="987654", HTTP_X_REQUEST_ID="probe-8")
    mark = last_id()
    response = client.get(f"{API}/plans/")
    assert response.status_code == 400
    (event,) = events_since(mark)
    assert (event.action, event.request_id) == ("choose", response["X-Request-ID"])
    assert event.detail["client_request_id"] == "probe-8"


def test_pages_and_unauthenticated_requests_get_our_id_too(world: World, client: Any) -> None:
    page = client.get("/", HTTP_X_REQUEST_ID="x\ny")
    assert OWN_ID.fullmatch(page["X-Request-ID"])
    anonymous = client.get(f"{API}/plans/", HTTP_X_REQUEST_ID="a" * 64)
    assert anonymous.status_code == 401
    assert OWN_ID.fullmatch(anonymous["X-Request-ID"])


def test_the_chain_covers_the_client_id(world: World) -> None:
    """Sealed with the client's id in it, the chain verifies; changing it breaks it."""
    mark = last_id()
    _get(world, "chain-check")
    (event,) = events_since(mark)
    later = timezone.now() + datetime.timedelta(hours=1)
    audit_seal(now=later)
    assert audit_verify(now=later).broken is None
    with connection.cursor() as cursor:
        # As a superuser could: past the ORM and, on PostgreSQL, the append-only trigger.
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE audit_accessevent SET detail = %s WHERE id = %s",
            ['{"client_request_id": "forged"}', event.pk],
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")
    broken = audit_verify(now=later).broken
    assert broken is not None
    assert broken.event_id == event.pk
