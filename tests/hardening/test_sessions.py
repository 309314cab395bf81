"""A page session ends after KIP_SESSION_IDLE_MINUTES without a request, and each request
starts the period again; the session cookie is HttpOnly and ends with the browser."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.conftest import World


def logged_in(client: Client) -> bool:
    response = client.get("/plans/")
    if response.status_code == 302:
        assert response["Location"].startswith(settings.LOGIN_URL)
        return False
    assert response.status_code == 200
    return True


@pytest.mark.django_db
def test_a_session_ends_after_the_idle_period_and_activity_renews_it(world: World) -> None:
    idle = datetime.timedelta(minutes=settings.KIP_SESSION_IDLE_MINUTES)
    assert idle.total_seconds() == settings.SESSION_COOKIE_AGE
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = Client()
        response = client.post(
            "/login/", {"username": world.coordinator.username, "password": "pw-coordinator"}
        )
        assert response.status_code == 302
        cookie = response.cookies[settings.SESSION_COOKIE_NAME]
        assert cookie["httponly"]
        # A browser-session cookie (it ends with the browser); the idle period is the server's.
        assert not cookie["max-age"]
        assert not cookie["expires"]

        # Active: a request every idle period minus a minute keeps the session alive.
        for _ in range(3):
            clock.shift(idle - datetime.timedelta(minutes=1))
            assert logged_in(client)

        # Idle for the whole period (and a second): gone, back to the login page.
        clock.shift(idle + datetime.timedelta(seconds=1))
        assert not logged_in(client)
