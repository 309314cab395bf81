"""Rules for handing over the coordinator role, and for each person's own inbox.

Who may propose: the plan's coordinator, or a manager of the coordinator's organisation.
Who may receive: a caseworker of an organisation on the plan, or of one the citizen's consent
covers (it joins the plan when the handover is accepted). Who answers: only the receiver,
acting for the receiving organisation. Who cancels: the person who proposed it, or the one
handing over. A handover is visible to the people it names, and to them only while the plan
consent rule holds (``apps.access.derived``); to anyone else it does not exist.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from apps.access import audit
from apps.access.checks import Action, Forbidden, NotVisible, access_plan, is_coordinator
from apps.access.context import Actor
from apps.access.derived import plan_objects_in_reach
from apps.audit.models import AccessEvent
from apps.coordination.models import Handover
from apps.core.exceptions import ApplicationError
from apps.core.parsers import as_id
from apps.organisations.models import Membership
from apps.plans.models import Plan

HANDOVER = Action.HANDOVER


def _denied(
    actor: Actor,
    object_type: str,
    object_id: Any,
    citizen_id: int | None = None,
    action: str = HANDOVER,
) -> dict:
    return audit.event(
        actor,
        action,
        object_type,
        object_id,
        citizen_id=citizen_id,
        outcome=AccessEvent.Outcome.DENIED,
    )


def handovers_visible_to(actor: Actor) -> QuerySet[Handover]:
    """Handovers to, from, or proposed by the acting person, within the plan consent rule.

    Named on it is not enough: the acting organisation must take part in the plan within
    the citizen's consent, or be the receiving organisation while consent covers it
    (``apps.access.derived``). Withdrawn or expired consent hides the handover and its note.
    """
    user = actor.user
    named = Handover.objects.filter(Q(to_user=user) | Q(from_user=user) | Q(proposed_by=user))
    return plan_objects_in_reach(named, actor, receiving_organisation="to_organisation")


def access_handover(
    actor: Actor, handover_id: Any, action: str = Action.VIEW, *, record: bool = True
) -> Handover:
    """The handover if the actor is named on it and it is within reach; else 404.

    ``action``: VIEW to read it; HANDOVER to answer or cancel it, which a break-the-glass
    grant does not allow (403).
    """
    pk = as_id(handover_id)
    handover = (
        handovers_visible_to(actor).select_related("plan").filter(pk=pk).first() if pk else None
    )
    if handover is None:
        citizen_id = audit.citizen_of_object(Handover.objects, pk, "plan__citizen_id")
        raise NotVisible(_denied(actor, "handover", handover_id, citizen_id, action))
    if action != Action.VIEW and audit.break_glass_reason(handover):
        raise Forbidden(
            _("Break-the-glass access is read only."),
            _denied(actor, "handover", handover.pk, handover.plan.citizen_id, action),
        )
    if record:
        audit.record_objects(actor, Action.VIEW, [handover])
    return handover


def access_plan_for_handover(actor: Actor, plan_id: Any) -> Plan:
    """The plan, if the actor may propose a handover of it (404 unseen, 403 seen)."""
    plan = access_plan(actor, plan_id, Action.VIEW, record=False)
    may = (actor.is_caseworker and is_coordinator(actor, plan)) or (
        actor.is_manager and actor.organisation.pk == plan.coordinator_organisation_id
    )
    if not may:
        raise Forbidden(
            _(
                "Only the coordinator, or a manager of the coordinator's organisation, "
                "may hand the plan over."
            ),
            _denied(actor, "plan", plan.pk, plan.citizen_id),
        )
    return plan


def handover_receiver_check(
    *, plan: Plan, user_id: int, organisation_id: int, covered: set[int]
) -> Membership:
    """The receiver is a caseworker of an organisation on the plan, or covered by consent."""
    membership = (
        Membership.objects.select_related("user", "organisation")
        .filter(user_id=user_id, organisation_id=organisation_id, role=Membership.Role.CASEWORKER)
        .first()
    )
    if membership is None:
        message = _("The new coordinator must be a caseworker of the organisation they act for.")
        raise ApplicationError(message, code="invalid_receiver", fields={"to_user": [message]})
    if (plan.coordinator_user_id, plan.coordinator_organisation_id) == (user_id, organisation_id):
        message = _("This person already coordinates the plan.")
        raise ApplicationError(message, code="already_coordinator", fields={"to_user": [message]})
    if organisation_id not in covered:
        message = _("The citizen's consent does not cover this organisation.")
        raise ApplicationError(
            message, code="consent_missing", fields={"to_organisation": [message]}
        )
    return membership


def handover_answer_check(actor: Actor, handover: Handover) -> None:
    """Only the receiver answers (accept or decline), acting for the receiving organisation."""
    if handover.to_user_id != actor.user.pk:
        raise Forbidden(
            _("Only the person asked to take over may answer this handover."),
            _denied(actor, "handover", handover.pk, handover.plan.citizen_id),
        )
    if handover.to_organisation_id != actor.organisation.pk or not actor.is_caseworker:
        raise Forbidden(
            _("Act for the receiving organisation, as a caseworker, to answer."),
            _denied(actor, "handover", handover.pk, handover.plan.citizen_id),
        )


def handover_cancel_check(actor: Actor, handover: Handover) -> None:
    if actor.user.pk not in (handover.from_user_id, handover.proposed_by_id):
        raise Forbidden(
            _("Only the person who proposed the handover may cancel it."),
            _denied(actor, "handover", handover.pk, handover.plan.citizen_id),
        )


def notifications_visible_to(actor: Actor) -> QuerySet:
    """A person's own inbox, within the plan consent rule.

    A notification about a plan is listed only while its plan is within the acting
    organisation's reach (or, for one about a handover, while the organisation it is offered
    to is covered by consent); break-the-glass does not count, as the inbox is a work list,
    not a way to read a plan. Notifications about no plan are the person's own and stay.
    """
    from apps.notifications.models import Notification

    return plan_objects_in_reach(
        Notification.objects.filter(recipient=actor.user),
        actor,
        receiving_organisation="handover__to_organisation",
        break_glass=False,
        planless=True,
    )


def access_notification(actor: Actor, notification_id: Any) -> Any:
    """The acting person's notification, if within reach; else 404 (recorded with the
    citizen it concerns, if any)."""
    from apps.notifications.models import Notification

    pk = audit.object_pk(notification_id)
    notification = notifications_visible_to(actor).filter(pk=pk).first() if pk else None
    if notification is None:
        citizen_id = audit.citizen_of_object(Notification.objects, pk, "plan__citizen_id")
        raise NotVisible(_denied(actor, "notification", notification_id, citizen_id, Action.UPDATE))
    return notification
