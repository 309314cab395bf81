"""One client address for the audit trail, the lockout and the throttle, also behind a proxy."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from apps.organisations.services import organisation_ensure
from tests.audit.helpers import events_since, last_id
from tests.conftest import make_user
from tests.helpers import API

TOKEN = f"{API}/auth/token/"
PROXY = "10.0.0.1"


@pytest.fixture
def ole(db: None) -> Any:
    org = organisation_ensure(slug="toften", name="Toften", kind="shelter", sector="municipality")
    return make_user("ole.caseworker", org, "caseworker")


def attempt(user: Any, secret: str, forwarded: str | None) -> Any:
    extra: dict[str, Any] = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return APIClient().post(
        TOKEN,
        {"username": user.username, "password": secret},
        format="json",
        REMOTE_ADDR=PROXY,
        **extra,
    )


@pytest.mark.parametrize(
    ("proxies", "forwarded", "seen"),
    [
        (0, None, PROXY),
        (0, "203.0.113.7", PROXY),  # no proxy trusted: the header is the client's say-so
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # what the client added is ignored
        (2, "198.51.100.1, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (1, None, PROXY),  # not through the proxy (the health check): the socket
        (1, "not-an-address", PROXY),
        (2, "203.0.113.7", PROXY),  # fewer hops than proxies: the socket
        (1, "2001:db8::7", "2001:db8::7"),
    ],
)
def test_the_audit_trail_records_the_client_behind_the_proxies(
    ole: Any, proxies: int, forwarded: str | None, seen: str
) -> None:
    mark = last_id()
    with override_settings(KIP_PROXY_COUNT=proxies):
        attempt(ole, "wrong", forwarded)
    (event,) = events_since(mark)
    assert event.client_address == seen


def test_behind_a_proxy_a_lockout_holds_for_one_client_not_for_everyone(ole: Any) -> None:
    with override_settings(KIP_PROXY_COUNT=1, KIP_TOKEN_RATE="1000/min"):
        for _ in range(6):
            attempt(ole, "wrong", "203.0.113.7")
        assert attempt(ole, "pw-" + ole.username, "203.0.113.7").status_code == 429
        # The attacker cannot escape by claiming another address in front of the proxy's...
        assert attempt(ole, "pw-" + ole.username, "198.51.100.9, 203.0.113.7").status_code == 429
        # ...and Ole, at another address behind the same proxy, still logs in.
        assert attempt(ole, "pw-" + ole.username, "192.0.2.44").status_code == 200


def test_behind_a_proxy_the_throttle_counts_per_client(ole: Any) -> None:
    with override_settings(KIP_PROXY_COUNT=1, KIP_TOKEN_RATE="2/min"):
        for _ in range(2):
            assert attempt(ole, "pw-" + ole.username, "203.0.113.7").status_code == 200
        assert attempt(ole, "pw-" + ole.username, "203.0.113.7").status_code == 429
        assert attempt(ole, "pw-" + ole.username, "x, 203.0.113.7").status_code == 429
        assert attempt(ole, "pw-" + ole.username, "192.0.2.44").status_code == 200
