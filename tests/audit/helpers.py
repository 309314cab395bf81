"""Shared helpers for the audit tests."""

from __future__ import annotations

from typing import Any

from apps.audit.models import AccessEvent


def last_id() -> int:
    return AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def events_since(mark: int, **filters: Any) -> list[AccessEvent]:
    return list(AccessEvent.objects.filter(id__gt=mark, **filters).order_by("id"))
