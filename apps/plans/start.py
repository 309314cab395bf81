"""Starting a plan in one sitting: an active, shared plan with its first goals, or nothing."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from apps.access.context import Actor
from apps.core.exceptions import ApplicationError
from apps.plans.models import Plan
from apps.plans.parts import goal_save
from apps.plans.services import plan_create


@transaction.atomic
def plan_start(
    *,
    actor: Actor,
    citizen_id: int,
    coordinator_user_id: int,
    coordinator_organisation_id: int,
    participant_ids: Sequence[int],
    goals: Sequence[str],
    next_review: datetime.date | None,
) -> Plan:
    """Create the citizen's plan as active and add its first goals, in one transaction.

    It is ``plan_create`` followed by ``goal_save`` for each goal, so the rules, the grants and
    the audit events are theirs; a refusal anywhere leaves nothing behind (no half-made plan
    that would hold the citizen's one open place). A goal's error names ``goals``.
    """
    texts = [t for t in goals if t and t.strip()]
    if not texts:
        message = _("Write at least one goal, in the citizen's own words.")
        raise ApplicationError(message, fields={"goals": [message]})
    plan = plan_create(
        actor=actor,
        citizen_id=citizen_id,
        coordinator_user_id=coordinator_user_id,
        coordinator_organisation_id=coordinator_organisation_id,
        participant_ids=participant_ids,
        next_review=next_review,
        status=Plan.Status.ACTIVE,
    )
    for text in texts:
        try:
            goal = goal_save(
                actor=actor, plan_id=plan.pk, expected_version=plan.version, data={"text": text}
            )
        except ApplicationError as error:
            error.fields = {"goals": error.fields.get("text", [error.detail])}
            raise
        plan = goal.plan
    return plan
