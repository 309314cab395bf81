"""The one place where access to citizen data becomes audit events.

Allowed reads are written at once (autocommit): if the write fails, the request fails and
returns no data (fail closed). Allowed writes are recorded inside the service's transaction.
Denied attempts travel on the exception and are written by the error handler after the
failed transaction has rolled back, so they are never lost with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from apps.access.context import Actor
from apps.audit.models import AccessEvent
from apps.audit.services import access_events_record

Action = AccessEvent.Action


def event(
    actor: Actor,
    action: str,
    object_type: str,
    object_id: Any = "",
    *,
    citizen_id: int | None = None,
    outcome: str = AccessEvent.Outcome.ALLOWED,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "actor": actor.user,
        "organisation": actor.organisation,
        "action": action,
        "object_type": object_type,
        "object_id": "" if object_id is None else str(object_id),
        "citizen_id": citizen_id,
        "purpose": actor.purpose,
        "outcome": outcome,
        "detail": detail or {},
        "request_id": actor.request_id,
        "client_address": actor.client_address,
    }


def record(actor: Actor, action: str, object_type: str, object_id: Any = "", **kwargs: Any) -> None:
    access_events_record(events=[event(actor, action, object_type, object_id, **kwargs)])


def record_objects(actor: Actor, action: str, objects: Iterable[Any]) -> None:
    """One event per object shown or touched (a list records each citizen it showed)."""
    events = [
        event(actor, action, type(obj).__name__.lower(), obj.pk, citizen_id=citizen_of(obj))
        for obj in objects
    ]
    if events:
        access_events_record(events=events)


def citizen_of(obj: Any) -> int | None:
    if type(obj).__name__ == "Citizen":
        return obj.pk
    return getattr(obj, "citizen_id", None)


def record_denied(exc: Exception, request: Any) -> None:
    """Write the denied event an access check attached to its exception, if any."""
    pending = getattr(exc, "audit_event", None)
    if pending is not None:
        access_events_record(events=[pending])
        exc.audit_event = None  # type: ignore[attr-defined]
