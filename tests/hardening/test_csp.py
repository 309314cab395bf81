"""Every kind of page carries the strict Content-Security-Policy, and holds nothing that policy
would block: no inline script, no event handler attribute, no style attribute or element.
(The production settings' header on a real response: test_deploy_check.py.)"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.conftest import World
from tests.hardening.test_deploy_check import assert_strict_csp

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>\s*\S", re.IGNORECASE)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE = re.compile(r"<style\b|<[^>]+\sstyle\s*=", re.IGNORECASE)


def pages(world: World) -> list[str]:
    plan, citizen = world.plan.pk, world.citizen.pk
    return [
        "/",
        "/plans/",
        f"/plans/{plan}/",
        f"/plans/{plan}/print/",
        "/citizens/",
        f"/citizens/{citizen}/",
        "/api/docs/",
        "/no/such/page/",
    ]


def assert_page_keeps_to_the_policy(path: str, response: Any) -> None:
    assert_strict_csp(response["Content-Security-Policy"])
    html = response.content.decode()
    for name, pattern in [("inline script", INLINE_SCRIPT), ("on*=", HANDLER), ("style", STYLE)]:
        found = pattern.search(html)
        blocked = html[found.start() : found.start() + 120] if found else ""
        assert not found, f"{path}: {name} that the policy blocks: {blocked}"


@pytest.mark.django_db
def test_pages_carry_a_strict_policy_and_keep_to_it(world: World) -> None:
    client = Client()
    client.force_login(world.coordinator)
    for path in pages(world):
        response = client.get(path)
        assert response.status_code in {200, 404}, (path, response.status_code)
        assert_page_keeps_to_the_policy(path, response)


@pytest.mark.django_db
def test_a_managers_pages_with_charts_keep_to_it_too(world: World) -> None:
    client = Client()
    client.force_login(world.manager)
    for path in [
        "/audit/",
        "/audit/unusual/",
        "/overview/",
        "/effect/",
        "/handovers/",
        "/notifications/",
        f"/plans/{world.plan.pk}/reviews/",
        "/administration/roles/",
    ]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert_page_keeps_to_the_policy(path, response)


@pytest.mark.django_db
def test_the_login_page_before_anyone_logs_in() -> None:
    response = Client().get("/login/")
    assert response.status_code == 200
    assert_page_keeps_to_the_policy("/login/", response)
