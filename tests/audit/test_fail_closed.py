"""Fail closed: when the audit trail cannot be written, the request fails and shows nothing."""

from __future__ import annotations

import pytest
from django.db import connection

from apps.citizens.models import Citizen
from apps.plans.models import Plan


def _break_the_trail() -> None:
    """Make every insert into the trail fail, for this test's transaction only."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "CREATE FUNCTION pg_temp.kip_trail_down() RETURNS trigger LANGUAGE plpgsql AS"
                " $$ BEGIN RAISE EXCEPTION 'audit trail unavailable'; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER kip_trail_down BEFORE INSERT ON audit_accessevent"
                " FOR EACH ROW EXECUTE FUNCTION pg_temp.kip_trail_down()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER kip_trail_down BEFORE INSERT ON audit_accessevent"
                " BEGIN SELECT RAISE(ABORT, 'audit trail unavailable'); END"
            )


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("coordinator", "/api/v1/plans/{plan}/"),
        ("coordinator", "/api/v1/plans/"),
        ("coordinator", "/api/v1/plans/{plan}/goals/"),
        ("coordinator", "/api/v1/citizens/"),
        ("coordinator", "/api/v1/citizens/{citizen}/"),
        ("coordinator", "/api/v1/citizens/?cpr=0101801234"),
        ("coordinator", "/api/v1/citizens/{citizen}/consents/"),
        ("coordinator", "/api/v1/citizens/{citizen}/access-report/"),
        ("manager", "/api/v1/audit/events/"),
        ("manager", "/api/v1/audit/events/?format=csv"),
    ],
)
def test_no_data_leaves_when_the_event_cannot_be_written(world, persona, url):
    citizen = Citizen.objects.get()
    plan = Plan.objects.get()
    _break_the_trail()
    client = world.client(getattr(world, persona))
    client.raise_request_exception = False
    response = client.get(url.format(plan=plan.pk, citizen=citizen.pk))
    assert response.status_code >= 500
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"Jens" not in body
    assert b"0101" not in body
    assert b"coordinator" not in body


def test_web_page_fails_closed_too(world, client):
    _break_the_trail()
    client.force_login(world.coordinator)
    client.raise_request_exception = False
    response = client.get(f"/plans/{world.plan.pk}/")
    assert response.status_code >= 500
    assert b"Jens" not in response.content
