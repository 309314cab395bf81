"""The fuzzer's world, built once per test module in a transaction rolled back at its end,
and the roles that act in it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction

from tests.fuzz import world
from tests.fuzz.api import KNOWN_IDS


def _keep_connection_across_requests() -> None:
    """As Django's test client does: the start and end of a request must not close the
    connection, or the transaction the world lives in would end with it (on PostgreSQL a
    connection inside a transaction is never "usable" to ``close_old_connections``).

    Django's test client connects the handler again after each of its own requests, so this
    is said again after every use of it (the logins), not only once."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    _keep_connection_across_requests()
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            world.build()
            KNOWN_IDS.update(world.known_ids())
            yield
            transaction.set_rollback(True)
    finally:
        KNOWN_IDS.clear()
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module", params=world.ROLES)
def role(request: pytest.FixtureRequest, fuzz_world: None) -> world.Role:
    logged_in = world.login(request.param)
    _keep_connection_across_requests()
    return logged_in
