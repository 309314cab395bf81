"""Break-the-glass: emergency, read-only, time-limited access to a plan, reviewed afterwards."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.access import audit
from apps.access.checks import Forbidden, NotVisible, plans_visible_to
from apps.access.context import Actor
from apps.audit.models import AccessEvent, BreakGlass
from apps.citizens import cpr
from apps.citizens.models import Citizen
from apps.core.exceptions import ApplicationError, Conflict
from apps.core.parsers import as_id
from apps.organisations.models import Membership
from apps.plans.models import Plan

Action = AccessEvent.Action
DENIED = AccessEvent.Outcome.DENIED


def refused(
    error: ApplicationError, actor: Actor, action: str, object_type: str, **kwargs: Any
) -> ApplicationError:
    """Attach a denied event to a 4xx so the error handler records the attempt."""
    error.audit_event = audit.event(  # type: ignore[attr-defined]
        actor, action, object_type, kwargs.pop("object_id", ""), outcome=DENIED, **kwargs
    )
    return error


@transaction.atomic
def break_glass_open(*, actor: Actor, cpr_number: str, reason: str) -> BreakGlass:
    """Emergency read access to the citizen's open plan, for a caseworker not on it.

    The outsider does not know the plan id, so the citizen is named by CPR. The grant is read
    only and lasts ``KIP_BREAK_GLASS_HOURS``; the plan's coordinator and the actor's managers
    are told at once, and the grant waits in the managers' review queue. Every attempt,
    refused or not, is in the trail (the CPR only as a truncated keyed hash).
    """
    reason = (reason or "").strip()
    digits = None
    cpr_refusal = ""
    try:
        digits = cpr.normalise(cpr_number)
    except cpr.InvalidCPR as exc:
        cpr_refusal = str(exc)
    lookup = cpr.lookup_hash(digits) if digits else None
    criteria = {"criteria": {"cpr_hash": lookup[:16] if lookup else None}}
    # A refusal is recorded with the citizen it concerns, if the number is one of ours.
    concerned = (
        Citizen.objects.filter(cpr_hash=lookup).values_list("pk", flat=True).first()
        if lookup
        else None
    )
    deny: dict[str, Any] = {"detail": criteria, "citizen_id": concerned}
    if not actor.is_caseworker:
        raise Forbidden(
            _("Only caseworkers may break the glass."),
            audit.event(actor, Action.BREAK_GLASS, "plan", outcome=DENIED, **deny),
        )
    if digits is None:
        raise refused(
            ApplicationError(cpr_refusal, code="invalid_cpr", fields={"cpr": [cpr_refusal]}),
            actor,
            Action.BREAK_GLASS,
            "plan",
            **deny,
        )
    if not reason:
        message = _("State why you need access.")
        raise refused(
            ApplicationError(message, code="reason_required", fields={"reason": [message]}),
            actor,
            Action.BREAK_GLASS,
            "plan",
            **deny,
        )
    plan = (
        Plan.objects.exclude(status=Plan.Status.CLOSED)
        .filter(citizen__cpr_hash=cpr.lookup_hash(digits))
        .select_related("coordinator_user")
        .first()
    )
    if plan is None:
        raise NotVisible(audit.event(actor, Action.BREAK_GLASS, "plan", outcome=DENIED, **deny))
    visible = (
        plans_visible_to(actor).filter(pk=plan.pk).values_list("kip_shared", flat=True)  # type: ignore[misc]  # an annotation
    )
    if True in visible:
        raise refused(
            Conflict(
                _("Your organisation already takes part in this plan."),
                code="already_participating",
            ),
            actor,
            Action.BREAK_GLASS,
            "plan",
            object_id=plan.pk,
            **deny,
        )
    grant = BreakGlass.objects.create(
        actor=actor.user,
        organisation=actor.organisation,
        plan=plan,
        citizen_id=plan.citizen_id,
        reason=reason[:2000],
        expires_at=timezone.now() + datetime.timedelta(hours=settings.KIP_BREAK_GLASS_HOURS),
    )
    audit.record(
        actor,
        Action.BREAK_GLASS,
        "plan",
        plan.pk,
        citizen_id=plan.citizen_id,
        purpose=reason,
        detail={"break_glass": grant.pk, "opened": True},
    )
    transaction.on_commit(lambda: _notify(grant, plan))
    return grant


def _notify(grant: BreakGlass, plan: Plan) -> None:
    """Tell the plan's coordinator (about the plan) and the actor's managers (about the
    grant, which their review queue shows; the plan itself is not theirs to see, so their
    notice names no plan and stays in their inbox whatever the plan's consent)."""
    from apps.notifications.services import notification_create

    managers = Membership.objects.filter(
        organisation_id=grant.organisation_id, role=Membership.Role.MANAGER
    ).values_list("user_id", flat=True)
    recipients: set[int] = {m for m in managers if m is not None}
    if plan.coordinator_user_id is not None:
        recipients.add(plan.coordinator_user_id)
    for recipient in sorted(recipients):
        notification_create(
            kind="break_glass",
            recipient=recipient,
            plan=plan if recipient == plan.coordinator_user_id else None,
            context={
                "break_glass": grant.pk,
                "actor": grant.actor_id,
                "organisation": grant.organisation_id,
            },
            dedupe_key=f"break_glass:{grant.pk}:{recipient}",
        )


def break_glass_for_review(*, actor: Actor) -> Any:
    """The grants of the manager's organisation's people."""
    return BreakGlass.objects.filter(organisation=actor.organisation)


@transaction.atomic
def break_glass_review(*, actor: Actor, grant_id: Any, note: str = "") -> BreakGlass:
    """A manager marks a grant of their organisation's people as reviewed."""
    concerned = audit.citizen_of_object(BreakGlass.objects, grant_id)
    if not actor.is_manager:
        raise Forbidden(
            _("Only managers review break-the-glass use."),
            audit.event(
                actor, Action.UPDATE, "breakglass", grant_id, citizen_id=concerned, outcome=DENIED
            ),
        )
    pk = as_id(grant_id)
    grant = (
        None
        if pk is None
        else break_glass_for_review(actor=actor).select_for_update().filter(pk=pk).first()
    )
    if grant is None:
        raise NotVisible(
            audit.event(
                actor, Action.UPDATE, "breakglass", grant_id, citizen_id=concerned, outcome=DENIED
            )
        )
    if grant.reviewed_at is not None:
        raise Conflict(_("This use has already been reviewed."), code="already_reviewed")
    grant.reviewed_by = actor.user
    grant.reviewed_at = timezone.now()
    grant.review_note = (note or "")[:2000]
    grant.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    audit.record(
        actor,
        Action.UPDATE,
        "breakglass",
        grant.pk,
        citizen_id=grant.citizen_id,
        purpose="audit_review",
    )
    return grant
