"""Reads of a person's own notifications, through the access rules."""

from __future__ import annotations

from apps.access.context import Actor
from apps.access.handovers import notifications_visible_to


def unread_count(*, actor: Actor) -> int:
    """Unread notifications in the acting person's inbox (the header shows it on every page)."""
    return notifications_visible_to(actor).filter(read_at__isnull=True).count()
