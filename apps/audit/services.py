"""Writes to the audit trail. Called by ``apps.access`` only.

Break-the-glass and retention live in ``breakglass.py`` and ``retention.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from apps.audit.models import AccessEvent


def access_events_record(*, events: Iterable[dict[str, Any]]) -> list[AccessEvent]:
    """Insert events in one statement. A failure propagates: the request fails closed."""
    return AccessEvent.objects.bulk_create([AccessEvent(**event) for event in events])
