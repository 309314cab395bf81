"""Reads for administrators and managers: staff, organisations, who held which role when."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from apps.access.context import Actor
from apps.organisations.models import Membership, Organisation, RoleHistory
from apps.plans.models import Plan


def staff_list(*, actor: Actor) -> QuerySet:
    """The acting organisation's people with their role there, by name."""
    return (
        Membership.objects.filter(organisation=actor.organisation)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def local_admins(*, organisation: Organisation) -> QuerySet:
    """The organisation's local administrators (memberships), by name."""
    return (
        Membership.objects.filter(organisation=organisation, role=Membership.Role.ADMIN)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def roles_on(*, organisation: Organisation, day: dt.date) -> QuerySet[RoleHistory]:
    """Who held which role in the organisation at any time on ``day`` (local time)."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = start + dt.timedelta(days=1)
    return (
        RoleHistory.objects.filter(organisation=organisation, started_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=start))
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "started_at")
    )


def plans_without_a_present_coordinator(*, organisation: Organisation) -> QuerySet[Plan]:
    """Open plans the organisation coordinates through someone who is no longer one of its
    caseworkers (left, deactivated, or now in another role): a manager must hand them over."""
    present = Membership.objects.filter(
        user_id=OuterRef("coordinator_user_id"),
        organisation=organisation,
        role=Membership.Role.CASEWORKER,
        user__is_active=True,
    )
    return (
        Plan.objects.exclude(status=Plan.Status.CLOSED)
        .filter(coordinator_organisation=organisation)
        .exclude(Exists(present))
    )


def membership_role(user: Any, organisation: Organisation) -> str | None:
    membership = user.memberships.filter(organisation=organisation).first()
    return membership.role if membership else None
