"""The one place where access to citizen data becomes audit events.

Allowed reads are written at once (autocommit): if the write fails, the request fails and
returns no data (fail closed). Allowed writes are recorded inside the service's transaction.
Denied attempts travel on the exception and are written by the error handler after the
failed transaction has rolled back, so they are never lost with it (web pages call
``record_denied`` themselves).

Auditing cannot be switched off in any deployed settings: ``KIP_AUDIT_OFF`` is honoured only
when the settings module is the benchmark's own (``bench.audit_settings``), which exists to
measure what auditing costs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings

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
    purpose: str | None = None,
) -> dict[str, Any]:
    """One audit event as the fields of an ``AccessEvent``.

    The request id is the service's own; a client's ``X-Request-ID`` (validated by the
    request middleware) travels in ``detail`` as ``client_request_id``, so it is covered by
    the hash chain like every other field and never mistaken for ours.
    """
    detail = dict(detail or {})
    if actor.client_request_id:
        detail["client_request_id"] = actor.client_request_id
    return {
        "actor": actor.user,
        "organisation": actor.organisation,
        "action": action,
        "object_type": object_type,
        "object_id": "" if object_id is None else str(object_id),
        "citizen_id": citizen_id,
        "purpose": (purpose or actor.purpose)[:200],
        "outcome": outcome,
        "detail": detail,
        "request_id": actor.request_id,
        "client_address": actor.client_address,
    }


def _enabled() -> bool:
    return not (
        getattr(settings, "KIP_AUDIT_OFF", False)
        and settings.SETTINGS_MODULE == "bench.audit_settings"
    )


def write(events: list[dict[str, Any]]) -> None:
    """Insert events now; a failure propagates, so the request fails and shows nothing."""
    if events and _enabled():
        access_events_record(events=events)


def record(actor: Actor, action: str, object_type: str, object_id: Any = "", **kwargs: Any) -> None:
    write([event(actor, action, object_type, object_id, **kwargs)])


def record_objects(actor: Actor, action: str, objects: Iterable[Any]) -> None:
    """One event per object shown or touched (a list records each citizen it showed).

    A plan seen only through a break-the-glass grant is recorded as ``break_glass`` with the
    grant's reason as purpose.
    """
    events = []
    for obj in objects:
        glass = break_glass_reason(obj)
        events.append(
            event(
                actor,
                Action.BREAK_GLASS if glass else action,
                type(obj).__name__.lower(),
                obj.pk,
                citizen_id=citizen_of(obj),
                purpose=glass,
                detail={"read": action} if glass else None,
            )
        )
    write(events)


def break_glass_reason(obj: Any) -> str | None:
    """The reason of the break-the-glass grant the object is seen through, if that is how."""
    if getattr(obj, "kip_shared", True):
        return None
    return getattr(obj, "break_glass_reason", None) or None


def citizen_of(obj: Any) -> int | None:
    if type(obj).__name__ == "Citizen":
        return obj.pk
    if hasattr(obj, "citizen_id"):
        return obj.citizen_id
    plan = getattr(obj, "plan", None)  # handovers, reviews, events: the plan's citizen
    return getattr(plan, "citizen_id", None)


def object_pk(value: Any) -> int | None:
    """An object id from a request, or None when it is not one a row could have."""
    from apps.core.parsers import as_id

    return as_id(value)


def citizen_of_object(queryset: Any, object_id: Any, path: str = "citizen_id") -> int | None:
    """The citizen a refused attempt concerns, when the object exists: one indexed lookup.

    Only the audit trail learns it; the refused person gets the same 404 either way.
    """
    pk = object_pk(object_id)
    if pk is None:
        return None
    return queryset.filter(pk=pk).values_list(path, flat=True).first()


def record_denied(exc: Exception, request: Any) -> None:
    """Write the denied event an access check attached to its exception, if any."""
    pending = getattr(exc, "audit_event", None)
    if pending is not None:
        write([pending])
        exc.audit_event = None  # type: ignore[attr-defined]
