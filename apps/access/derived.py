"""One consent rule for everything that hangs off a plan (DESIGN §4.4, §5).

A handover and its note, a notification about a plan, a review with its frozen snapshot, a
hospital event: each is within reach exactly when its plan is, by the test of
``plans_visible_to``: the acting organisation takes part in the plan (a guardian grant) and
the citizen's consent in force covers it; or, for reads only, the acting person holds an
active break-the-glass grant for the plan.

One addition, for handovers: the receiving organisation joins the plan only when it accepts,
so a handover, and what is about it, is also within reach of the organisation it is offered
to, while the citizen's consent covers that organisation. Consent is the condition in every
branch: when it is withdrawn or expires, the object is gone for that organisation on the next
request, with no job to run.

Objects addressed through their plan (``/plans/{id}/reviews/`` and the like) come through
``access_plan`` and are filtered by that plan; those addressed on their own (handovers,
notifications) or listed across plans come through ``plan_objects_in_reach``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any, TypeVar

from django.contrib.auth.models import Permission
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)

from apps.access.checks import consent_covers, plan_granted
from apps.access.context import Actor
from apps.citizens.models import Consent

M = TypeVar("M", bound=Model)


def plan_objects_in_reach(
    queryset: QuerySet[M],
    actor: Actor,
    *,
    plan: str = "plan",
    receiving_organisation: str | None = None,
    break_glass: bool = True,
    planless: bool = False,
) -> QuerySet[M]:
    """``queryset`` narrowed to the objects whose plan is within the actor's reach.

    ``plan``: the path from the queryset's model to its plan. ``receiving_organisation``: the
    path to a handover's receiving organisation, for handovers and what is about them (see the
    module's docstring). ``break_glass``: whether an active break-the-glass grant counts
    (reads; never writes). ``planless``: keep rows that have no plan at all (a person's own
    notice about something else).

    Each row carries ``citizen_id`` (for the audit), ``kip_shared`` (within reach without
    break-the-glass) and ``break_glass_reason``, as plans do, so ``audit.record_objects``
    records a read through break-the-glass as such and writes can be refused on it.
    """
    from apps.audit.models import BreakGlass

    if not actor.reads_citizen_data:
        # A local administrator is in the organisation's group, but by that role reads nothing
        # that hangs off a plan (a handover or notice from an earlier role included).
        keep = Q(**{f"{plan}__isnull": True}) if planless else Q(pk__in=[])
        return queryset.filter(keep).annotate(
            citizen_id=F(f"{plan}__citizen_id"),
            kip_shared=Value(True, output_field=BooleanField()),
            break_glass_reason=Value(None, output_field=TextField()),
        )
    citizen = OuterRef(f"{plan}__citizen_id")
    takes_part: Q = Q(plan_granted(actor, plan=plan))
    if receiving_organisation:
        takes_part |= Q(**{receiving_organisation: actor.organisation.pk})
    shared = Q(consent_covers(actor, citizen)) & takes_part
    without_plan = Q(**{f"{plan}__isnull": True}) if planless else Q(pk__in=[])
    queryset = queryset.annotate(citizen_id=F(f"{plan}__citizen_id"))
    glass = BreakGlass.objects.active().filter(
        actor_id=actor.user.pk, organisation_id=actor.organisation.pk
    )
    # As in plans_visible_to: grants are rare, so ask first and keep the common query simple.
    if not break_glass or not glass.exists():
        return queryset.filter(shared | without_plan).annotate(
            kip_shared=Value(True, output_field=BooleanField()),
            break_glass_reason=Value(None, output_field=TextField()),
        )
    reason = glass.filter(plan=OuterRef(plan)).order_by("-expires_at").values("reason")[:1]
    return queryset.annotate(
        kip_shared=ExpressionWrapper(shared, output_field=BooleanField()),
        break_glass_reason=Subquery(reason),
    ).filter(Q(kip_shared=True) | Q(break_glass_reason__isnull=False) | without_plan)


def consent_covers_organisation(
    citizen: Any, organisation: Any, *, at: datetime.datetime | None = None
) -> Exists:
    """Consent in force (at ``at``, default now) covering an organisation named by the outer
    query, for work done without an acting person (the reminder sweep)."""
    return Exists(Consent.objects.in_force(at).filter(citizen=citizen, organisations=organisation))


def notifications_in_reach_of_recipients(notification_ids: Iterable[int]) -> set[int]:
    """The ids among these that each one's recipient may still see in their inbox, acting for
    any organisation they belong to: the rule of ``notifications_visible_to`` (no
    break-the-glass), asked of a whole batch of recipients in one query, for delivery.

    A notice about no plan is the person's own. One about a plan needs a membership in a role
    that reads citizen data (``Actor.reads_citizen_data``) whose organisation the citizen's
    consent in force covers, and that takes part in the plan (a guardian grant) or is the
    organisation a handover the notice is about is offered to.
    """
    from apps.notifications.models import Notification
    from apps.organisations.models import Membership
    from apps.plans.models import PlanGroupObjectPermission

    view_plan = (
        Permission.objects.filter(
            content_type__app_label="plans", content_type__model="plan", codename="view_plan"
        )
        .order_by()
        .values("pk")
    )
    # Inside the membership's subqueries: OuterRef is the membership, OuterRef(OuterRef) the
    # notification.
    covered = Exists(
        Consent.objects.in_force().filter(
            citizen_id=OuterRef(OuterRef("plan__citizen_id")),
            organisations=OuterRef("organisation_id"),
        )
    )
    granted = Exists(
        PlanGroupObjectPermission.objects.filter(
            content_object_id=OuterRef(OuterRef("plan_id")),
            group_id=OuterRef("organisation__group_id"),
            permission_id=Subquery(view_plan),
        )
    )
    receiving = Q(organisation_id=OuterRef("handover__to_organisation_id"))
    acting = Membership.objects.filter(
        user_id=OuterRef("recipient_id"),
        role__in=(Membership.Role.CASEWORKER, Membership.Role.MANAGER),
    ).filter(covered, granted | receiving)
    ids = list(notification_ids)
    return set(
        Notification.objects.filter(pk__in=ids)
        .filter(Q(plan__isnull=True) | Exists(acting))
        .values_list("pk", flat=True)
    )
