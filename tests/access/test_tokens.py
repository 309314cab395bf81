"""The token endpoint: its contract, tokens that expire, logout, and the throttle."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.organisations.services import organisation_ensure
from tests.audit.helpers import events_since, last_id
from tests.conftest import make_user
from tests.helpers import API, assert_error

TOKEN = f"{API}/auth/token/"
LOGOUT = f"{API}/auth/logout/"
ME = f"{API}/me/"


@pytest.fixture
def lise(db: None) -> Any:
    org = organisation_ensure(slug="chp", name="CHP", kind="social_psychiatry", sector="region")
    return make_user("lise.caseworker", org, "caseworker")


def obtain(user: Any, *, ip: str = "127.0.0.1", **extra: Any) -> Any:
    return APIClient().post(
        TOKEN,
        {"username": user.username, "password": "pw-" + user.username},
        format="json",
        REMOTE_ADDR=ip,
        **extra,
    )


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# --- contract -----------------------------------------------------------------------------


def test_the_token_works_as_before_and_says_when_it_expires(lise: Any) -> None:
    mark = last_id()
    response = obtain(lise)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == {"token", "expires"}
    expires = parse_datetime(body["expires"])
    assert expires is not None
    expected = Token.objects.get(user=lise).created + datetime.timedelta(hours=10)
    assert abs((expires - expected).total_seconds()) < 1
    me = with_token(body["token"]).get(ME)
    assert me.status_code == 200
    assert me.json()["username"] == lise.username
    (event,) = events_since(mark, action="login")
    assert (event.outcome, event.actor_id, event.detail["via"]) == ("allowed", lise.pk, "api")


def test_a_second_login_gives_the_same_living_token(lise: Any) -> None:
    first = obtain(lise).json()["token"]
    assert obtain(lise).json()["token"] == first
    assert Token.objects.filter(user=lise).count() == 1


def test_logins_are_json_like_every_request_to_the_api(lise: Any) -> None:
    multipart = APIClient().post(
        TOKEN, {"username": lise.username, "password": "pw-" + lise.username}, format="multipart"
    )
    assert multipart.status_code == 415
    form = Client().post(
        TOKEN,
        f"username={lise.username}&password=pw-{lise.username}",
        content_type="application/x-www-form-urlencoded",
    )
    assert form.status_code == 415, form.content
    assert not Token.objects.filter(user=lise).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"password": "x"}, "username"),
        ({"username": "lise.caseworker"}, "password"),
        ({"username": "", "password": "x"}, "username"),
        ({"username": ["a"], "password": "x"}, "username"),
        ({"username": "lise.caseworker", "password": {"a": 1}}, "password"),
        ({"username": "x" * 151, "password": "x"}, "username"),
    ],
)
def test_bad_input_names_the_field_and_issues_nothing(lise: Any, data: dict, field: str) -> None:
    mark = last_id()
    response = APIClient().post(TOKEN, data, format="json")
    assert_error(response, 400, "invalid", field)
    assert not Token.objects.exists()
    assert events_since(mark) == []  # nothing was tried, so nothing to count or record


def test_a_wrong_password_answers_400_and_issues_nothing(lise: Any) -> None:
    response = APIClient().post(
        TOKEN, {"username": lise.username, "password": "wrong"}, format="json"
    )
    assert_error(response, 400, "invalid", "non_field_errors")
    assert not Token.objects.exists()


def test_a_stale_token_header_does_not_block_a_login(lise: Any) -> None:
    response = with_token("0" * 40).post(
        TOKEN, {"username": lise.username, "password": "pw-" + lise.username}, format="json"
    )
    assert response.status_code == 200


def test_an_inactive_user_gets_no_token(lise: Any) -> None:
    lise.is_active = False
    lise.save()
    assert_error(obtain(lise), 400, "invalid")
    assert not Token.objects.exists()


# --- expiry -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ttl_hours", "alive", "dead"),
    [
        (10, datetime.timedelta(hours=9, minutes=59), datetime.timedelta(hours=10)),
        (1, datetime.timedelta(minutes=59), datetime.timedelta(minutes=61)),
    ],
)
def test_a_token_expires_after_its_lifetime(
    lise: Any, ttl_hours: int, alive: datetime.timedelta, dead: datetime.timedelta
) -> None:
    start = timezone.now()
    with (
        override_settings(KIP_TOKEN_TTL_HOURS=ttl_hours),
        time_machine.travel(start, tick=False) as clock,
    ):
        key = obtain(lise).json()["token"]
        clock.shift(alive)
        assert with_token(key).get(ME).status_code == 200
        clock.shift(dead - alive)
        response = with_token(key).get(ME)
        assert_error(response, 401, "token_expired")
        assert response["WWW-Authenticate"] == "Token"
        assert not Token.objects.filter(key=key).exists()
        # Logging in again gives a fresh token that works.
        fresh = obtain(lise).json()["token"]
        assert fresh != key
        assert with_token(fresh).get(ME).status_code == 200


def test_an_expired_token_is_replaced_at_the_next_login_even_if_never_used(lise: Any) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        key = obtain(lise).json()["token"]
        clock.shift(datetime.timedelta(hours=11))
        fresh = obtain(lise).json()
        assert fresh["token"] != key
        assert parse_datetime(fresh["expires"]) == timezone.now() + datetime.timedelta(hours=10)
    assert Token.objects.filter(user=lise).count() == 1


def test_an_expired_token_does_not_work_on_any_endpoint(world: Any) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        key = obtain(world.coordinator).json()["token"]
        clock.shift(datetime.timedelta(hours=10, seconds=1))
        client = with_token(key)
        assert_error(client.get(f"{API}/plans/{world.plan.pk}/"), 401, "token_expired")
        key = obtain(world.coordinator).json()["token"]
        clock.shift(datetime.timedelta(hours=10, seconds=1))
        assert_error(
            with_token(key).post(f"{API}/citizens/", {"cpr": "x", "name": "y"}, format="json"),
            401,
            "token_expired",
        )


# --- logout -------------------------------------------------------------------------------


def test_logout_deletes_the_token(lise: Any) -> None:
    key = obtain(lise).json()["token"]
    mark = last_id()
    response = with_token(key).post(LOGOUT)
    assert response.status_code == 204
    assert not Token.objects.filter(user=lise).exists()
    assert_error(with_token(key).get(ME), 401, "authentication_failed")
    (event,) = events_since(mark)
    assert (event.action, event.outcome, event.actor_id) == ("logout", "allowed", lise.pk)
    # A new login gives a new token.
    assert obtain(lise).json()["token"] != key


def test_logout_needs_a_login(db: None) -> None:
    assert_error(APIClient().post(LOGOUT), 401, "not_authenticated")
    assert_error(with_token("f" * 40).post(LOGOUT), 401, "authentication_failed")


def test_logout_of_another_user_leaves_my_token(lise: Any) -> None:
    other = make_user("ole.caseworker", lise.memberships.first().organisation, "caseworker")
    mine = obtain(lise).json()["token"]
    theirs = obtain(other).json()["token"]
    assert with_token(theirs).post(LOGOUT).status_code == 204
    assert with_token(mine).get(ME).status_code == 200


def test_logout_through_the_session_ends_the_session_and_the_token(lise: Any) -> None:
    key = obtain(lise).json()["token"]
    client = APIClient()
    client.force_login(lise)
    assert client.get(ME).status_code == 200
    assert client.post(LOGOUT).status_code == 204
    assert client.get(ME).status_code in (401, 403)
    assert not Token.objects.filter(key=key).exists()


def test_the_web_logout_ends_the_session_only(lise: Any) -> None:
    """The pages use the session and a script the token: each logout ends what it used."""
    key = obtain(lise).json()["token"]
    client = Client()
    client.post("/login/", {"username": lise.username, "password": "pw-" + lise.username})
    mark = last_id()
    assert client.post("/logout/").status_code in (200, 302)
    assert client.get("/plans/").status_code == 302  # back to the login page
    assert with_token(key).get(ME).status_code == 200
    (event,) = events_since(mark)
    assert (event.action, event.actor_id, event.detail["via"]) == ("logout", lise.pk, "web")


def test_the_web_login_is_recorded(lise: Any) -> None:
    mark = last_id()
    response = Client().post(
        "/login/", {"username": lise.username, "password": "pw-" + lise.username}
    )
    assert response.status_code == 302
    (event,) = events_since(mark)
    assert (event.action, event.outcome, event.actor_id) == ("login", "allowed", lise.pk)
    assert (event.organisation_id, event.citizen_id, event.detail) == (None, None, {"via": "web"})


# --- throttle -----------------------------------------------------------------------------


def test_the_21st_token_request_in_a_minute_is_throttled(lise: Any) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(20):
            assert obtain(lise).status_code == 200
        response = obtain(lise)
        body = assert_error(response, 429, "throttled")
        assert body["fields"] == {}
        assert 0 < int(response["Retry-After"]) <= 60
        # Another address has its own budget; a claimed X-Forwarded-For does not.
        assert obtain(lise, ip="10.1.1.1").status_code == 200
        assert obtain(lise, HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429
        clock.shift(datetime.timedelta(seconds=61))
        assert obtain(lise).status_code == 200


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("da", "For mange forespørgsler. Prøv igen om {wait} sekunder."),
        ("en", "Too many requests. Try again in {wait} seconds."),
    ],
)
def test_the_throttle_says_how_long_to_wait_whole_in_the_users_language(
    lise: Any, language: str, expected: str
) -> None:
    """DRF's own message is half English in every language ("Expected available in ...")."""
    with override_settings(KIP_TOKEN_RATE="1/min"):
        assert obtain(lise).status_code == 200
        response = obtain(lise, HTTP_ACCEPT_LANGUAGE=language)
    body = assert_error(response, 429, "throttled")
    wait = int(response["Retry-After"])
    assert 0 < wait <= 60
    assert body["detail"] == expected.format(wait=wait)


def test_wrong_passwords_count_towards_the_throttle_too(lise: Any) -> None:
    with override_settings(KIP_TOKEN_RATE="3/min"):
        for name in ("a", "b", "c"):  # three different names: no lockout, only the throttle
            APIClient().post(TOKEN, {"username": name, "password": "x"}, format="json")
        assert_error(obtain(lise), 429, "throttled")


def test_twenty_wrong_passwords_then_the_right_one_with_every_default(lise: Any) -> None:
    for _ in range(20):
        APIClient().post(TOKEN, {"username": lise.username, "password": "no"}, format="json")
    response = obtain(lise)
    assert response.status_code == 429
    assert response.json()["code"] in {"locked_out", "throttled"}
    assert not Token.objects.exists()


@pytest.mark.redis
def test_the_throttle_counts_in_redis_when_configured(lise: Any) -> None:
    """Several gunicorn processes share one count: the cache is Redis when REDIS_URL is set."""
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": f"kip-test-throttle-{lise.pk}-{timezone.now().timestamp()}",
        }
    }
    with override_settings(CACHES=redis_cache, KIP_TOKEN_RATE="2/min"):
        try:
            assert obtain(lise).status_code == 200
            assert obtain(lise).status_code == 200
            assert_error(obtain(lise), 429, "throttled")
            assert cache.get("throttle_token_127.0.0.1")  # the history lives in Redis
        finally:
            cache.delete("throttle_token_127.0.0.1")
