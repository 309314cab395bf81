"""Personas for administration: a local administrator of addiction and one of toften, a system
administrator, beside the plan world of tests/conftest.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from tests.conftest import World, build_world, make_user


@dataclass
class AdminWorld:
    world: World
    admin: Any  # local administrator of addiction
    other_admin: Any  # local administrator of toften
    system_admin: Any

    def client(self, user: Any) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client


@pytest.fixture
def aw(db: None) -> AdminWorld:
    world = build_world()
    system_admin = get_user_model().objects.create_user(
        username="root", password="pw-root", is_staff=True, email="root@example.org"
    )
    return AdminWorld(
        world=world,
        admin=make_user("addiction-admin", world.orgs["addiction"], "admin"),
        other_admin=make_user("toften-admin", world.orgs["toften"], "admin"),
        system_admin=system_admin,
    )
