"""Helpers for the citizen page tests: a Danish browser session, and audit signatures."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from apps.audit.models import AccessEvent
from tests.audit.helpers import events_since, last_id


def page_client(user: Any) -> Client:
    """A logged-in person whose browser asks for Danish."""
    client = Client(HTTP_ACCEPT_LANGUAGE="da")
    client.force_login(user)
    return client


def signature(event: AccessEvent, *, ids: bool = True) -> tuple:
    """What an event says, without its time, request and chain."""
    return (
        event.actor_id,
        event.organisation_id,
        event.action,
        event.object_type,
        event.object_id if ids else "",
        event.citizen_id,
        event.outcome,
        event.purpose,
        _without_ids(event.detail) if not ids else event.detail,
    )


def _without_ids(detail: dict) -> dict:
    return {k: v for k, v in (detail or {}).items() if k != "break_glass"}


class Trail:
    """The events written while a block runs: ``with Trail() as t: ...; t.events``."""

    def __enter__(self) -> Trail:
        self.mark = last_id()
        self.events: list[AccessEvent] = []
        return self

    def __exit__(self, *exc: Any) -> None:
        self.events = events_since(self.mark)

    def signatures(self, *, ids: bool = True, **only: Any) -> list[tuple]:
        chosen = [e for e in self.events if all(getattr(e, k) == v for k, v in only.items())]
        return [signature(e, ids=ids) for e in chosen]


def field_error(html: str, field: str) -> str:
    """The text of the error message tied to a form field (DKFDS: above the field)."""
    pattern = rf'id="id_{field}_error"><span class="sr-only">[^<]*</span>(.*?)</span>'
    match = re.search(pattern, html, re.S)
    assert match, f"no error message for {field}"
    return match.group(1).strip()


def field_is_marked(html: str, field: str) -> bool:
    """The field says it is invalid and points at its message."""
    tag = re.search(rf'<(?:input|textarea|select)[^>]*name="{field}"[^>]*>', html)
    if tag is None:
        return False
    return 'aria-invalid="true"' in tag.group(0) and f"id_{field}_error" in tag.group(0)
