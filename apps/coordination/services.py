"""Handover of the coordinator role: an explicit state machine.

Until a handover is accepted the old coordinator stays responsible, so a plan is never
without one. Every transition goes through ``_transition``, which locks the plan and then the
handover (the same order everywhere, so two transitions never deadlock) and checks the move
against ``ALLOWED``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.access import audit, grants
from apps.access.checks import Action
from apps.access.context import Actor
from apps.access.handovers import (
    access_handover,
    access_plan_for_handover,
    handover_answer_check,
    handover_cancel_check,
    handover_receiver_check,
)
from apps.citizens.services import organisations_covered
from apps.coordination import transitions
from apps.coordination.models import Handover
from apps.core.exceptions import ApplicationError, Conflict
from apps.notifications.models import Notification
from apps.notifications.services import notification_create
from apps.organisations.models import Membership
from apps.plans.models import Effort, Participation, Plan

State = Handover.State
K = Notification.Kind

# The allowed moves. Terminal states have none.
ALLOWED: dict[str, frozenset[str]] = {
    State.PROPOSED: frozenset({State.ACCEPTED, State.DECLINED, State.CANCELLED, State.EXPIRED}),
    State.ACCEPTED: frozenset(),
    State.DECLINED: frozenset(),
    State.CANCELLED: frozenset(),
    State.EXPIRED: frozenset(),
}


def _not_pending(handover: Handover) -> Conflict:
    return Conflict(
        _("The handover is %(state)s and can no longer change.")
        % {"state": handover.get_state_display()},
        code="handover_not_pending",
        fields={"state": [handover.state]},
    )


def _pending_exists() -> Conflict:
    message = _("The plan already has a pending handover.")
    return Conflict(message, code="handover_pending_exists", fields={"plan": [message]})


def _plan_open(plan: Plan) -> None:
    if plan.status == Plan.Status.CLOSED:
        raise Conflict(_("The plan is closed."), code="plan_closed")


@transaction.atomic
def handover_propose(
    *,
    actor: Actor,
    plan_id: int,
    to_user_id: int,
    to_organisation_id: int | None = None,
    note: str = "",
    transition: str | None = None,
) -> Handover:
    """Offer the coordinator role to a caseworker; they are told at once. ``transition``
    marks the handover as a step on the citizen's path (a ``Transition.Kind``), which counts
    once the handover is accepted (``apps.coordination.transitions``)."""
    from apps.notifications.reminders import handover_expires_at

    plan = access_plan_for_handover(actor, plan_id)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _plan_open(plan)
    if to_organisation_id is None:
        orgs = list(
            Membership.objects.filter(
                user_id=to_user_id, role=Membership.Role.CASEWORKER
            ).values_list("organisation_id", flat=True)
        )
        if len(orgs) != 1:
            message = _("Name the organisation the new coordinator will act for.")
            raise ApplicationError(
                message, code="organisation_required", fields={"to_organisation": [message]}
            )
        to_organisation_id = orgs[0]
    covered = organisations_covered(citizen=plan.citizen)
    receiver = handover_receiver_check(
        plan=plan, user_id=to_user_id, organisation_id=to_organisation_id, covered=covered
    )
    if len(note) > 2000:
        raise ApplicationError(_("At most 2000 characters."), fields={"note": [_("Too long.")]})
    kind = transitions.transition_kind(transition)
    if Handover.objects.filter(plan=plan, state=State.PROPOSED).exists():
        raise _pending_exists()
    now = timezone.now()
    try:
        with transaction.atomic():
            handover = Handover.objects.create(
                plan=plan,
                # An open plan always has its coordinator pair (a database constraint).
                from_user_id=plan.coordinator_user_id,  # type: ignore[misc]
                from_organisation_id=plan.coordinator_organisation_id,  # type: ignore[misc]
                to_user=receiver.user,
                to_organisation=receiver.organisation,
                proposed_by=actor.user,
                note=note.strip(),
                expires_at=handover_expires_at(now),
            )
    except IntegrityError as exc:  # a twin request won the partial unique constraint
        raise _pending_exists() from exc
    audit.record(
        actor,
        Action.HANDOVER,
        "handover",
        handover.pk,
        citizen_id=plan.citizen_id,
        detail={"transition": "proposed", "to_user": receiver.user.pk},
    )
    if kind is not None:
        transitions.handover_transition_mark(actor, handover, kind)
    notification_create(
        kind=K.HANDOVER_PROPOSED,
        recipient=receiver.user,
        plan=plan,
        handover=handover,
        due=timezone.localdate(now),
    )
    return handover


def _transition(
    *,
    handover_id: int,
    to_state: str,
    check: Callable[[Handover], None] | None = None,
    **fields: Any,
) -> tuple[Handover, Plan]:
    """Lock plan then handover, check the move, write it. Call inside a transaction."""
    plan_id = Handover.objects.filter(pk=handover_id).values_list("plan_id", flat=True).get()
    plan = Plan.objects.select_for_update().get(pk=plan_id)
    handover = Handover.objects.select_for_update().get(pk=handover_id)
    if check is not None:
        check(handover)
    if to_state not in ALLOWED[handover.state]:
        raise _not_pending(handover)
    handover.state = to_state
    handover.decided_at = timezone.now()
    for name, value in fields.items():
        setattr(handover, name, value)
    handover.save(update_fields=["state", "decided_at", *fields])
    transitions.handover_transition_drop(handover)
    return handover, plan


def _record_transition(actor: Actor, handover: Handover, plan: Plan) -> None:
    """The audit event of a decided handover, in the transaction that decided it."""
    audit.record(
        actor,
        Action.HANDOVER,
        "handover",
        handover.pk,
        citizen_id=plan.citizen_id,
        detail={"transition": handover.state},
    )


def _live(handover: Handover) -> None:
    if handover.state == State.PROPOSED and handover.expires_at <= timezone.now():
        raise Conflict(
            _("The handover has expired."),
            code="handover_expired",
            fields={"state": [State.EXPIRED]},
        )


@transaction.atomic
def handover_accept(*, actor: Actor, handover_id: int, receiving_note: str = "") -> Handover:
    """The receiver takes over: the coordinator switches in the same transaction. A handover
    marked as a transition becomes a step on the citizen's path today, with the receiving
    side's note (``receiving_note``)."""
    visible = access_handover(actor, handover_id, Action.HANDOVER, record=False)
    handover_answer_check(actor, visible)
    receiving_note = transitions.transition_note(receiving_note, "receiving_note")

    def check(handover: Handover) -> None:
        _live(handover)

    handover, plan = _transition(
        handover_id=visible.pk, to_state=State.ACCEPTED, check=check, decided_by=actor.user
    )
    _plan_open(plan)
    if plan.coordinator_user_id != handover.from_user_id:
        raise Conflict(_("The plan's coordinator changed meanwhile."), code="coordinator_changed")
    if not plan.participations.filter(organisation_id=handover.to_organisation_id).exists():
        if handover.to_organisation_id not in organisations_covered(citizen=plan.citizen):
            message = _("The citizen's consent no longer covers this organisation.")
            raise Conflict(message, code="consent_missing", fields={"to_organisation": [message]})
        Participation.objects.create(
            plan=plan, organisation_id=handover.to_organisation_id, added_by=actor.user
        )
        grants.participation_grant(plan=plan, organisation=handover.to_organisation)
    Plan.objects.filter(pk=plan.pk).update(
        coordinator_user_id=handover.to_user_id,
        coordinator_organisation_id=handover.to_organisation_id,
        version=F("version") + 1,
        updated=timezone.now(),
    )
    _record_transition(actor, handover, plan)
    transitions.handover_transition_accept(actor, handover, plan, receiving_note)
    today = timezone.localdate()
    recipients = {handover.from_user_id, handover.proposed_by_id} | set(
        Effort.objects.filter(plan=plan).values_list("responsible_id", flat=True)
    )
    recipients.discard(handover.to_user_id)
    for user_id in sorted(recipients):
        notification_create(
            kind=K.HANDOVER_ACCEPTED, recipient=user_id, plan=plan, handover=handover, due=today
        )
    return handover


@transaction.atomic
def handover_decline(*, actor: Actor, handover_id: int, reason: str = "") -> Handover:
    """The receiver says no; the old coordinator stays and is told."""
    visible = access_handover(actor, handover_id, Action.HANDOVER, record=False)
    handover_answer_check(actor, visible)
    reason = (reason or "").strip()
    if not reason:
        message = _("Give a reason for declining.")
        raise ApplicationError(message, code="reason_required", fields={"reason": [message]})
    if len(reason) > 2000:
        raise ApplicationError(_("At most 2000 characters."), fields={"reason": [_("Too long.")]})
    handover, plan = _transition(
        handover_id=visible.pk,
        to_state=State.DECLINED,
        check=_live,
        decline_reason=reason,
        decided_by=actor.user,
    )
    _record_transition(actor, handover, plan)
    for user_id in sorted({handover.from_user_id, handover.proposed_by_id}):
        notification_create(
            kind=K.HANDOVER_DECLINED,
            recipient=user_id,
            plan=plan,
            handover=handover,
            due=timezone.localdate(),
        )
    return handover


@transaction.atomic
def handover_cancel(*, actor: Actor, handover_id: int) -> Handover:
    """The proposer withdraws the offer."""
    visible = access_handover(actor, handover_id, Action.HANDOVER, record=False)
    handover_cancel_check(actor, visible)
    handover, plan = _transition(
        handover_id=visible.pk, to_state=State.CANCELLED, decided_by=actor.user
    )
    _record_transition(actor, handover, plan)
    return handover


def handover_cancel_for_leaver(*, handover_id: int, leaver_id: int) -> Handover | None:
    """System move: a pending handover to or from someone who left is cancelled, and the other
    people on it are told. None if it was answered meanwhile."""
    try:
        handover, plan = _transition(handover_id=handover_id, to_state=State.CANCELLED)
    except Conflict:
        return None
    people = {handover.from_user_id, handover.to_user_id, handover.proposed_by_id} - {leaver_id}
    for user_id in sorted(p for p in people if p):
        notification_create(
            kind=K.HANDOVER_CANCELLED,
            recipient=user_id,
            plan=plan,
            handover=handover,
            due=timezone.localdate(),
        )
    return handover


def handovers_expire(*, now: dt.datetime | None = None) -> int:
    """System move: pending handovers past their expiry become expired; both sides are told
    (each only while the citizen's consent covers its organisation)."""
    now = now or timezone.now()
    count = 0
    for pk in Handover.objects.filter(state=State.PROPOSED, expires_at__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            try:
                handover, plan = _transition(handover_id=pk, to_state=State.EXPIRED)
            except Conflict:  # answered meanwhile
                continue
            count += 1
            # Each side is told only while the citizen's consent covers its organisation.
            covered = organisations_covered(citizen=plan.citizen)
            sides = {
                handover.from_user_id: handover.from_organisation_id,
                handover.to_user_id: handover.to_organisation_id,
            }
            told = {user_id for user_id, org_id in sides.items() if org_id in covered}
            for user_id in sorted(told):
                notification_create(
                    kind=K.HANDOVER_EXPIRED,
                    recipient=user_id,
                    plan=plan,
                    handover=handover,
                    due=timezone.localdate(handover.expires_at),
                )
    return count
