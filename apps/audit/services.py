"""Writes to the audit trail. Called by ``apps.access`` only.

Break-the-glass and retention live in ``breakglass.py`` and ``retention.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from apps.audit.models import AccessEvent


def access_events_record(*, events: Iterable[dict[str, Any]]) -> list[AccessEvent]:
    """Insert events in one statement. A failure propagates: the request fails closed."""
    rows = [AccessEvent(**event) for event in events]
    if len(rows) == 1:
        # One INSERT, no BEGIN/COMMIT around it in autocommit: the common case (one object
        # read) costs one round trip instead of three.
        rows[0].save(force_insert=True)
        return rows
    return AccessEvent.objects.bulk_create(rows)
