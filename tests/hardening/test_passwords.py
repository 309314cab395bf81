"""Argon2 for passwords: the first hasher of the real settings (tests run with MD5 for speed,
kip_service/settings/test.py), and an older PBKDF2 hash rewritten with Argon2 at the next login,
on the login page and the token endpoint alike. Under the production settings in a subprocess:
test_deploy_check.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client, override_settings
from rest_framework.test import APIClient

from kip_service.settings import base
from tests.conftest import World

ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"
REAL_HASHERS = override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS)


def test_argon2_is_the_first_hasher_and_the_older_ones_follow() -> None:
    assert base.PASSWORD_HASHERS[0] == ARGON2
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in base.PASSWORD_HASHERS[1:]
    # The tests' MD5 is never accepted by the real settings, not even for old hashes.
    assert not [h for h in base.PASSWORD_HASHERS if "MD5" in h]


@pytest.mark.django_db
@REAL_HASHERS
def test_a_new_users_password_is_hashed_with_argon2id(world: World) -> None:
    world.colleague.set_password("a-new-password-for-the-colleague")
    world.colleague.save()
    world.colleague.refresh_from_db()
    assert world.colleague.password.startswith("argon2$argon2id$")


def via_page(username: str, password: str) -> int:
    return Client().post("/login/", {"username": username, "password": password}).status_code


def via_api(username: str, password: str) -> int:
    response: Any = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )
    return response.status_code


@pytest.mark.django_db
@REAL_HASHERS
@pytest.mark.parametrize(("login", "ok"), [(via_page, 302), (via_api, 200)])
def test_a_pbkdf2_hash_becomes_argon2_at_the_next_login(
    world: World, login: Callable[[str, str], int], ok: int
) -> None:
    user = world.colleague
    user.password = make_password("the-old-password", hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    assert login(user.username, "not-the-password") != ok
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sha256$"), "a failed login changes nothing"

    assert login(user.username, "the-old-password") == ok
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("the-old-password")
