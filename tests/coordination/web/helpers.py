"""Helpers of the page tests: a logged-in browser client, and the audit events of an action
done through the API (then undone) to compare with the same action done through a page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.test import Client

from apps.audit.models import AccessEvent


def page_client(user: Any, organisation: Any = None, *, language: str = "en") -> Client:
    """A browser session for ``user`` acting for ``organisation`` (if they have several)."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    if organisation is not None:
        session = client.session
        session["organisation_id"] = organisation.pk
        session.save()
    return client


def last_event_id() -> int:
    return AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def shape(event: AccessEvent, created: frozenset[str] | set[str] = frozenset()) -> tuple:
    """What an audit event says, without what differs between two runs of the same action
    (time, request id, and the id of an object the action created)."""
    object_id = "<new>" if event.object_type in created else event.object_id
    return (
        event.actor_id,
        event.organisation_id,
        event.action,
        event.object_type,
        object_id,
        event.citizen_id,
        event.outcome,
        event.purpose,
        tuple(sorted(event.detail.items())),
    )


def events_of(
    call: Callable[[], Any], created: frozenset[str] | set[str] = frozenset()
) -> tuple[Any, list[tuple]]:
    """Run ``call``; return its result and the audit events it wrote."""
    mark = last_event_id()
    result = call()
    events = AccessEvent.objects.filter(id__gt=mark).order_by("id")
    return result, [shape(e, created) for e in events]


class _Undo(Exception):
    pass


def events_then_undo(
    call: Callable[[], Any], created: frozenset[str] | set[str] = frozenset()
) -> tuple[Any, list[tuple]]:
    """Run ``call`` in a transaction that is rolled back: its audit events, nothing kept."""
    box: dict[str, Any] = {}
    try:
        with transaction.atomic():
            box["result"], box["events"] = events_of(call, created)
            raise _Undo
    except _Undo:
        pass
    return box["result"], box["events"]


def field_error(html: str, field: str) -> str:
    """The error message the page shows tied to ``field`` (empty if none)."""
    import re

    found = re.search(
        rf'<span class="form-error-message" id="id_{field}_error">'
        r'<span class="sr-only">[^<]*</span>([^<]*)</span>',
        html,
    )
    return found.group(1).strip() if found else ""
