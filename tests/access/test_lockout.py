"""Repeated failed logins lock a username at an address, on the login page and the token
endpoint alike; the lockout ends after the cool-off; every attempt is in the audit trail."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.audit.models import AccessEvent
from apps.organisations.services import organisation_ensure
from tests.audit.helpers import events_since, last_id
from tests.conftest import make_user
from tests.helpers import API, assert_error

HERE = "127.0.0.1"
ELSEWHERE = "10.20.30.40"
WRONG = "not-the-password"
TOKEN = f"{API}/auth/token/"
# The token endpoint's throttle is tested on its own (test_tokens.py); here it stays out of
# the way so the lockout is what answers.
NO_THROTTLE = override_settings(KIP_TOKEN_RATE="10000/min")


def password(user: Any) -> str:
    return "pw-" + user.username


def via_api(username: str, secret: str, ip: str = HERE) -> Any:
    return APIClient().post(
        TOKEN,
        {"username": username, "password": secret},
        format="json",
        REMOTE_ADDR=ip,
        HTTP_ACCEPT_LANGUAGE="da",
    )


def via_page(username: str, secret: str, ip: str = HERE) -> Any:
    client = Client()
    response: Any = client.post(
        "/login/",
        {"username": username, "password": secret},
        REMOTE_ADDR=ip,
        HTTP_ACCEPT_LANGUAGE="da",
    )
    response.session_user = client.session.get("_auth_user_id")
    return response


Login = Callable[..., Any]


@pytest.fixture(params=["api", "page"])
def login(request: pytest.FixtureRequest) -> Iterator[Login]:
    with NO_THROTTLE:
        yield via_api if request.param == "api" else via_page


@pytest.fixture
def jens(db: None) -> Any:
    org = organisation_ensure(slug="toften", name="Toften", kind="shelter", sector="municipality")
    return make_user("jens.caseworker", org, "caseworker")


def succeeded(response: Any) -> bool:
    if response.request["PATH_INFO"].startswith("/api/"):
        return response.status_code == 200 and bool(response.json().get("token"))
    return response.status_code == 302 and response.session_user is not None


def assert_locked(response: Any) -> int:
    """The lockout answer, in Danish, with Retry-After; returns the seconds to wait."""
    assert response.status_code == 429, response.content[:300]
    seconds = int(response["Retry-After"])
    assert 0 < seconds <= 15 * 60
    if response.request["PATH_INFO"].startswith("/api/"):
        body = assert_error(response, 429, "locked_out")
        assert body["fields"] == {}
        assert "For mange mislykkede logins" in body["detail"]
    else:
        page = response.content.decode()
        assert "For mange mislykkede logins" in page
        assert "dkfds.min.css" in page  # the site's look
        assert "Traceback" not in page
        assert response.session_user is None
    return seconds


def test_twenty_wrong_passwords_then_the_right_one_is_refused(jens: Any, login: Login) -> None:
    mark = last_id()
    for _ in range(20):
        assert not succeeded(login(jens.username, WRONG))
    response = login(jens.username, password(jens))
    assert_locked(response)
    assert not Token.objects.filter(user=jens).exists()

    events = events_since(mark)
    assert {e.outcome for e in events} == {"denied"}
    assert {e.actor_id for e in events} == {jens.pk}
    assert [(e.action, e.detail["reason"]) for e in events] == (
        [("login", "wrong_credentials")] * 4
        + [("lockout", "limit_reached")]
        + [("lockout", "locked_out")] * 16  # 15 more wrong ones, then the right one
    )
    assert [e.detail.get("failures") for e in events[:5]] == [1, 2, 3, 4, 5]
    assert {e.detail["via"] for e in events} == {"api" if "api" in login.__name__ else "web"}
    assert {e.client_address for e in events} == {HERE}
    assert all(e.request_id for e in events)


def test_the_lockout_ends_after_the_cool_off(jens: Any, login: Login) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(5):
            login(jens.username, WRONG)
        clock.shift(datetime.timedelta(minutes=10))
        seconds = assert_locked(login(jens.username, password(jens)))
        assert 4 * 60 < seconds <= 5 * 60  # what is left of the 15 minutes
        # Refused attempts do not prolong it: Retry-After stays true.
        clock.shift(datetime.timedelta(minutes=5, seconds=1))
        mark = last_id()
        assert succeeded(login(jens.username, password(jens)))
    (event,) = events_since(mark)
    assert (event.action, event.outcome, event.actor_id) == ("login", "allowed", jens.pk)


def test_one_failure_less_than_the_limit_still_lets_the_right_password_in(
    jens: Any, login: Login
) -> None:
    for _ in range(4):
        login(jens.username, WRONG)
    assert succeeded(login(jens.username, password(jens)))
    # A success clears the count: four more failures do not lock.
    for _ in range(4):
        login(jens.username, WRONG)
    assert succeeded(login(jens.username, password(jens)))


def test_the_limit_and_the_cool_off_are_settings(jens: Any, login: Login) -> None:
    start = timezone.now()
    with (
        override_settings(KIP_LOGIN_FAILURE_LIMIT=2, KIP_LOGIN_COOLOFF_MINUTES=1),
        time_machine.travel(start, tick=False) as clock,
    ):
        login(jens.username, WRONG)
        assert not succeeded(login(jens.username, WRONG))
        assert int(assert_locked(login(jens.username, password(jens)))) <= 60
        clock.shift(datetime.timedelta(seconds=61))
        assert succeeded(login(jens.username, password(jens)))


def test_a_lockout_holds_for_that_address_only(jens: Any, login: Login) -> None:
    """Locking by username alone would let anyone lock a caseworker out from anywhere."""
    for _ in range(6):
        login(jens.username, WRONG)
    assert_locked(login(jens.username, password(jens)))
    assert succeeded(login(jens.username, password(jens), ELSEWHERE))


def test_a_lockout_holds_for_that_username_only(jens: Any, login: Login) -> None:
    colleague = make_user("lise.caseworker", jens.memberships.first().organisation, "caseworker")
    for _ in range(6):
        login(jens.username, WRONG)
    assert succeeded(login(colleague.username, password(colleague)))


def test_failures_on_the_page_lock_the_token_endpoint_too_and_back(jens: Any) -> None:
    with NO_THROTTLE:
        for _ in range(5):
            via_page(jens.username, WRONG)
        assert_locked(via_api(jens.username, password(jens)))
        other = make_user("ole.caseworker", jens.memberships.first().organisation, "caseworker")
        for _ in range(5):
            via_api(other.username, WRONG)
        assert_locked(via_page(other.username, password(other)))


def test_the_password_is_stored_nowhere(jens: Any, login: Login) -> None:
    secrets = ["Hemmelig-1234!", "Endnu-Et-Forsøg-99"]
    mark = last_id()
    for secret in secrets * 3:
        login(jens.username, secret)
    login(jens.username, password(jens))
    stored = repr(
        [(e.detail, e.object_id, e.purpose) for e in events_since(mark)]
        + list(AccessAttempt.objects.values_list("username", "get_data", "post_data"))
    )
    assert all(secret not in stored for secret in [*secrets, password(jens)])


@pytest.mark.parametrize(
    "typed",
    ["Hemmelig-1234!", "jens.casewrker", "JENS.CASEWORKER", "jens"],
)
def test_a_username_that_matches_nobody_is_kept_as_a_keyed_hash(
    jens: Any, login: Login, typed: str
) -> None:
    """What was typed may be a password in the wrong field: the trail keeps no clear text."""
    mark = last_id()
    for _ in range(6):
        login(typed, WRONG)
    events = events_since(mark)
    assert len(events) == 6
    assert {e.actor_id for e in events} == {None}
    hashes = {e.detail["username_hash"] for e in events}
    assert len(hashes) == 1
    (digest,) = hashes
    assert len(digest) == 16
    assert int(digest, 16) >= 0
    assert typed.strip() not in repr([e.detail for e in events])
    assert events[-1].action == "lockout"  # unknown names are locked out the same way
    # The real user at the same address is not affected by the lookalike's lockout.
    assert succeeded(login(jens.username, password(jens)))


def test_different_unknown_usernames_hash_differently(jens: Any) -> None:
    mark = last_id()
    with NO_THROTTLE:
        via_api("nobody-a", WRONG)
        via_api("nobody-b", WRONG)
    a, b = events_since(mark)
    assert a.detail["username_hash"] != b.detail["username_hash"]


def test_managers_of_the_users_organisation_see_the_failed_logins(world: Any) -> None:
    with NO_THROTTLE:
        for _ in range(6):
            via_api(world.coordinator.username, WRONG)
    mark = last_id()
    own = world.client(world.manager).get(
        f"{API}/audit/events/", {"actor": world.coordinator.pk, "outcome": "denied"}
    )
    assert own.status_code == 200, own.json()
    rows = own.json()["results"]
    assert sorted(r["action"] for r in rows) == ["lockout"] * 2 + ["login"] * 4
    assert all(r["organisation"] is None and r["citizen"] is None for r in rows)
    unusual = world.client(world.manager).get(f"{API}/audit/unusual/").json()["results"]
    assert any(r["action"] == "lockout" for r in unusual)

    toften_manager = make_user("toften.manager", world.orgs["toften"], "manager")
    other = world.client(toften_manager).get(f"{API}/audit/events/", {"action": "login"})
    assert other.status_code == 200
    assert other.json()["results"] == []
    # Reading the trail is itself recorded, as every query is.
    assert len(events_since(mark)) >= 2


def test_the_chain_seals_and_verifies_login_events(jens: Any) -> None:
    from apps.audit.chain import audit_seal, audit_verify

    with NO_THROTTLE:
        for _ in range(6):
            via_api(jens.username, WRONG)
        via_page(jens.username, password(jens), ELSEWHERE)
    assert AccessEvent.objects.filter(action__in=["login", "lockout"]).count() == 7
    audit_seal(now=timezone.now() + datetime.timedelta(minutes=1))
    assert audit_verify(now=timezone.now() + datetime.timedelta(minutes=1)).broken is None


def test_the_token_endpoints_own_answer_is_right_without_the_axes_middleware(
    jens: Any, settings: Any
) -> None:
    """The view answers the lockout itself; the middleware only covers other login forms."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.startswith("axes.")]
    start = timezone.now()
    with NO_THROTTLE, time_machine.travel(start, tick=False) as clock:
        for _ in range(5):
            via_api(jens.username, WRONG)
        clock.shift(datetime.timedelta(minutes=10))
        seconds = assert_locked(via_api(jens.username, password(jens)))
    assert 4 * 60 < seconds <= 5 * 60


@pytest.mark.parametrize(
    "typed",
    [
        "a\x00b",
        "😀" * 40,
        "' OR 1=1 --",
        "x" * 150,
        " ",
        "\u202eadmin",
    ],
)
def test_odd_usernames_are_refused_cleanly(jens: Any, login: Login, typed: str) -> None:
    for _ in range(6):
        response = login(typed, WRONG)
        assert response.status_code in (200, 400, 429), response.content[:300]
    assert succeeded(login(jens.username, password(jens)))


@pytest.mark.parametrize("field", ["username", "password"])
def test_a_surrogate_in_the_json_is_a_400_that_counts_nothing(jens: Any, field: str) -> None:
    fields = {"username": jens.username, "password": password(jens), field: "\\ud800x"}
    raw = f'{{"username": "{fields["username"]}", "password": "{fields["password"]}"}}'
    mark = last_id()
    response = APIClient().generic("POST", TOKEN, raw, content_type="application/json")
    assert_error(response, 400, "invalid", field)
    assert events_since(mark) == []
    assert not AccessAttempt.objects.exists()
