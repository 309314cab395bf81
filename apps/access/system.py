"""Audit events of what the service does by itself, with no person acting (the sweep).

Such an event has no actor and no acting organisation; ``detail`` says what happened and
that the sweep did it. The trail's views treat an event without an actor as the service's
own bookkeeping (``apps.audit.selectors.BOOKKEEPING``).
"""

from __future__ import annotations

from typing import Any

from apps.access import audit
from apps.audit.models import AccessEvent

Action = AccessEvent.Action


def system_event(
    action: str, object_type: str, object_id: Any, *, citizen_id: int | None, **detail: Any
) -> dict[str, Any]:
    """One allowed event done by the service itself (write it with ``record_system``)."""
    return {
        "actor": None,
        "organisation": None,
        "action": action,
        "object_type": object_type,
        "object_id": "" if object_id is None else str(object_id),
        "citizen_id": citizen_id,
        "purpose": "",
        "outcome": AccessEvent.Outcome.ALLOWED,
        "detail": {"by": "sweep", **detail},
        "request_id": "",
        "client_address": None,
    }


def record_system(events: list[dict[str, Any]]) -> None:
    """Write the events now, in the caller's transaction (a failure propagates)."""
    audit.write(events)
