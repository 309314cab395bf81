"""Reads of a person's own notifications, through the access rules."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.access.context import Actor
from apps.access.handovers import notifications_visible_to
from apps.notifications.models import Notification


def inbox(*, actor: Actor) -> QuerySet[Notification]:
    """The acting person's inbox as the access rule gives it (the one place pages ask)."""
    return notifications_visible_to(actor)


def unread_count(*, actor: Actor) -> int:
    """Unread notifications in the acting person's inbox (the header shows it on every page)."""
    return inbox(actor=actor).filter(read_at__isnull=True).count()
