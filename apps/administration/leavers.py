"""When someone leaves an organisation: nothing of theirs is left hanging.

Their open handovers are cancelled and the other side is told; the plans they coordinate and
the efforts, agreements and discharge tasks they are responsible for there are listed, and the
organisation's managers are told to reassign them (a plan keeps its coordinator until a
handover is accepted: it is never without one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from apps.coordination.models import DischargeTask, Handover
from apps.coordination.services import handover_cancel_for_leaver
from apps.notifications.models import Notification
from apps.notifications.services import notification_create
from apps.organisations.models import Membership, Organisation
from apps.plans.models import Agreement, Effort, Plan


@dataclass
class Leaver:
    user_id: int
    organisation_id: int
    handovers_cancelled: list[int] = field(default_factory=list)
    plans: list[int] = field(default_factory=list)
    efforts: list[int] = field(default_factory=list)
    agreements: list[int] = field(default_factory=list)
    discharge_tasks: list[int] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "handovers_cancelled": len(self.handovers_cancelled),
            "handovers": self.handovers_cancelled,
            "plans_coordinated": len(self.plans),
            "efforts": len(self.efforts),
            "agreements": len(self.agreements),
            "discharge_tasks": len(self.discharge_tasks),
        }


def work_left_by(*, user: Any, organisation: Organisation) -> Leaver:
    """What the person holds in the organisation's plans (open plans only)."""
    open_plans = ~Q(plan__status=Plan.Status.CLOSED)
    return Leaver(
        user_id=user.pk,
        organisation_id=organisation.pk,
        plans=list(
            Plan.objects.exclude(status=Plan.Status.CLOSED)
            .filter(coordinator_user=user, coordinator_organisation=organisation)
            .values_list("pk", flat=True)
        ),
        efforts=list(
            Effort.objects.filter(
                open_plans, responsible=user, organisation=organisation
            ).values_list("pk", flat=True)
        ),
        agreements=list(
            Agreement.objects.filter(
                open_plans, responsible=user, plan__participations__organisation=organisation
            ).values_list("pk", flat=True)
        ),
        discharge_tasks=list(
            DischargeTask.objects.filter(
                open_plans, responsible=user, responsible_organisation=organisation, done=False
            ).values_list("pk", flat=True)
        ),
    )


def leaver_handle(*, user: Any, organisation: Organisation) -> Leaver:
    """Cancel the person's open handovers for this organisation and tell its managers what
    needs a new person. Call inside the transaction that ended the membership."""
    leaver = work_left_by(user=user, organisation=organisation)
    pending = Handover.objects.filter(state=Handover.State.PROPOSED).filter(
        Q(to_user=user, to_organisation=organisation)
        | Q(from_user=user, from_organisation=organisation)
        | Q(proposed_by=user, from_organisation=organisation)
    )
    for handover_id in pending.values_list("pk", flat=True):
        handover_cancel_for_leaver(handover_id=handover_id, leaver_id=user.pk)
        leaver.handovers_cancelled.append(handover_id)
    if leaver.plans or leaver.efforts or leaver.agreements or leaver.discharge_tasks:
        managers = Membership.objects.filter(
            organisation=organisation, role=Membership.Role.MANAGER
        ).values_list("user_id", flat=True)
        for manager_id in managers:
            notification_create(
                kind=Notification.Kind.STAFF_LEFT,
                recipient=manager_id,
                due=timezone.localdate(),
                context={"user": user.pk, "organisation": organisation.pk, **leaver.summary()},
                dedupe_key=f"staff_left:u{user.pk}:o{organisation.pk}:m{manager_id}:"
                f"{timezone.localdate().isoformat()}",
            )
    return leaver
