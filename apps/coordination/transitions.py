"""Transitions: the steps on the citizen's path between places and sectors (from shelter to
own housing, from hospital to home ...), where what one side knows must reach the other.

A transition rides on what already changes hands, or stands on its own:

- a handover of the coordinator role marked as one (``handover_propose(transition=...)``).
  The Transition row is written with the proposal, linked to the handover, and counts only
  once the handover is accepted: accepting dates it to that day and adds the receiving side's
  note in the same transaction; a handover declined, cancelled or expired takes its row with
  it (``handover_transition_drop``), so it leaves no transition. Keeping the intended kind on
  its own row (rather than in the handover's note or the audit trail) needs no new column and
  keeps the handover's note the person's own words;
- an organisation joining or leaving the plan (``participant_add_marked``,
  ``participant_remove_marked``): the row names the organisation;
- recorded by the coordinator on its own (``transition_record``).

Only "shown" transitions (``transitions_of``) are read anywhere: those on their own, on a
change of participants, or on an accepted handover.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.access import audit
from apps.access.checks import Action, access_plan
from apps.access.context import Actor
from apps.citizens.services import organisations_by_id
from apps.coordination.models import Handover, Transition
from apps.core.exceptions import invalid
from apps.core.parsers import as_id
from apps.organisations.models import Organisation
from apps.plans import services as plan_services
from apps.plans.models import Plan
from apps.plans.services import COORDINATE, ExpectedVersion, _version_bump, plan_for_write

OBJECT = "transition"
NOTE_LIMIT = 2000
Kind = Transition.Kind


def transition_kind(value: Any, field: str = "transition") -> str | None:
    """The kind of transition asked for: None when not asked (missing or blank), else one of
    ``Transition.Kind`` or a 400 naming ``field``."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value not in Kind.values:
        raise invalid(field, _("Choose a kind of transition from the list."))
    return value


def transition_note(value: Any, field: str = "note") -> str:
    """A note of at most ``NOTE_LIMIT`` characters, trimmed; a 400 naming ``field`` if longer."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid(field, _("Write the note as text."))
    if len(value) > NOTE_LIMIT:
        raise invalid(field, _("At most %(n)s characters.") % {"n": NOTE_LIMIT})
    return value.strip()


def plan_began(plan: Plan) -> dt.date:
    """The first day of the plan: nothing on its path lies before it."""
    return timezone.localdate(plan.created)


def transitions_of(plan: Plan) -> QuerySet[Transition]:
    """The plan's transitions as its path shows them, oldest first: on their own, on a change
    of participants, or on an accepted handover (one still proposed is not a step yet)."""
    return (
        Transition.objects.filter(plan=plan)
        .filter(Q(handover__isnull=True) | Q(handover__state=Handover.State.ACCEPTED))
        .select_related(
            "organisation",
            "recorded_by",
            "recorded_for",
            "handover__from_user",
            "handover__from_organisation",
            "handover__to_user",
            "handover__to_organisation",
            "handover__decided_by",
        )
        .order_by("occurred_on", "id")
    )


def _record(actor: Actor, action: str, plan: Plan, items: Iterable[Transition]) -> None:
    """One event per transition; through a break-the-glass grant, recorded as such."""
    glass = audit.break_glass_reason(plan)
    audit.write(
        [
            audit.event(
                actor,
                Action.BREAK_GLASS if glass else action,
                OBJECT,
                item.pk,
                citizen_id=plan.citizen_id,
                purpose=glass,
                detail={"read": action} if glass else None,
            )
            for item in items
        ]
    )


def transitions_list(*, actor: Actor, plan_id: Any) -> tuple[Plan, list[Transition]]:
    """The plan's transitions, oldest first, for whoever reads the plan (404 otherwise)."""
    plan = access_plan(actor, plan_id)
    items = list(transitions_of(plan))
    _record(actor, Action.LIST, plan, items)
    return plan, items


def _occurred_on(plan: Plan, value: Any) -> dt.date:
    if not isinstance(value, dt.date):
        raise invalid("occurred_on", _("Enter the date of the transition."), "required")
    if value > timezone.localdate():
        raise invalid("occurred_on", _("This date cannot lie in the future."), "date_in_future")
    began = plan_began(plan)
    if value < began:
        raise invalid(
            "occurred_on",
            _("The plan began on %(day)s; a transition cannot lie before it.")
            % {"day": date_format(began)},
            "before_plan",
        )
    return value


def _organisation(value: Any) -> Organisation | None:
    if value is None or value == "":
        return None
    pk = as_id(value)
    if pk is None:
        raise invalid("organisation", _("Unknown organisation: %(ids)s.") % {"ids": value})
    (organisation,) = organisations_by_id([pk], "organisation")
    return organisation


@transaction.atomic
def transition_record(
    *,
    actor: Actor,
    plan_id: Any,
    expected_version: ExpectedVersion,
    kind: Any,
    occurred_on: Any,
    organisation_id: Any = None,
    note: Any = "",
) -> Transition:
    """The coordinator records a transition on its own: its kind, the day it happened (from
    the plan's first day up to today), the organisation it concerns if any, and a note. A plan
    write: the plan's version is checked and bumped."""
    plan = plan_for_write(actor, plan_id, COORDINATE, expected_version)
    chosen = transition_kind(kind, "kind")
    if chosen is None:
        raise invalid("kind", _("Choose a kind of transition from the list."), "required")
    day = _occurred_on(plan, occurred_on)
    organisation = _organisation(organisation_id)
    text = transition_note(note)
    plan = _version_bump(plan, expected_version)
    item = Transition.objects.create(
        plan=plan,
        kind=chosen,
        occurred_on=day,
        organisation=organisation,
        note=text,
        recorded_by=actor.user,
        recorded_for=actor.organisation,
    )
    audit.record(
        actor, Action.CREATE, OBJECT, item.pk, citizen_id=plan.citizen_id, detail={"kind": chosen}
    )
    return item


# --- on a change of participants --------------------------------------------------------------


def _mark_participant_change(
    actor: Actor, plan: Plan, organisation_id: int, kind: str, note: str, change: str
) -> Transition:
    item = Transition.objects.create(
        plan=plan,
        kind=kind,
        occurred_on=timezone.localdate(),
        organisation_id=organisation_id,
        note=note,
        recorded_by=actor.user,
        recorded_for=actor.organisation,
    )
    audit.record(
        actor,
        Action.CREATE,
        OBJECT,
        item.pk,
        citizen_id=plan.citizen_id,
        detail={"kind": kind, "participant": change, "organisation": organisation_id},
    )
    return item


def _participant_mark(transition: Any, note: Any) -> tuple[str | None, str]:
    """The kind and note a change of participants is marked with (no kind: not marked; a
    note needs a kind)."""
    kind = transition_kind(transition)
    text = transition_note(note)
    if kind is None and text:
        raise invalid("transition", _("Choose the kind of transition the note is about."))
    return kind, text


@transaction.atomic
def participant_add_marked(
    *,
    actor: Actor,
    plan_id: Any,
    expected_version: ExpectedVersion,
    organisation_id: int,
    transition: Any = None,
    note: Any = "",
) -> Plan:
    """``participant_add``, marked as a transition when ``transition`` names a kind (then
    with ``note``): the organisation joins and the step is on the path, in one transaction."""
    kind, text = _participant_mark(transition, note)
    plan = plan_services.participant_add(
        actor=actor,
        plan_id=plan_id,
        expected_version=expected_version,
        organisation_id=organisation_id,
    )
    if kind is not None:
        _mark_participant_change(actor, plan, organisation_id, kind, text, "joined")
    return plan


@transaction.atomic
def participant_remove_marked(
    *,
    actor: Actor,
    plan_id: Any,
    expected_version: ExpectedVersion,
    organisation_id: int,
    transition: Any = None,
    note: Any = "",
) -> Plan:
    """``participant_remove``, marked as a transition when ``transition`` names a kind."""
    kind, text = _participant_mark(transition, note)
    plan = plan_services.participant_remove(
        actor=actor,
        plan_id=plan_id,
        expected_version=expected_version,
        organisation_id=organisation_id,
    )
    if kind is not None:
        _mark_participant_change(actor, plan, int(organisation_id), kind, text, "left")
    return plan


# --- on a handover of the coordinator role ----------------------------------------------------


def handover_transition_mark(actor: Actor, handover: Handover, kind: str) -> Transition:
    """With the proposal: the transition the handover is marked as, not shown until it is
    accepted. Called inside ``handover_propose``'s transaction."""
    item = Transition.objects.create(
        plan_id=handover.plan_id,
        kind=kind,
        occurred_on=timezone.localdate(handover.created),
        handover=handover,
        note=handover.note,
        recorded_by=actor.user,
        recorded_for=actor.organisation,
    )
    audit.record(
        actor,
        Action.CREATE,
        OBJECT,
        item.pk,
        citizen_id=handover.plan.citizen_id,
        detail={"kind": kind, "handover": handover.pk},
    )
    return item


def handover_transition_accept(
    actor: Actor, handover: Handover, plan: Plan, receiving_note: str
) -> Transition | None:
    """On acceptance: the handover's transition happens today, with the receiving side's
    note. A receiving note on a handover not marked as a transition has nowhere to go: 400.
    Called inside ``handover_accept``'s transaction (after the handover row is locked)."""
    item = Transition.objects.select_for_update().filter(handover=handover).first()
    if item is None:
        if receiving_note:
            raise invalid(
                "receiving_note",
                _("This handover is not marked as a transition, so it takes no receiving note."),
                "not_a_transition",
            )
        return None
    item.occurred_on = timezone.localdate()
    item.receiving_note = receiving_note
    item.save(update_fields=["occurred_on", "receiving_note"])
    audit.record(
        actor,
        Action.UPDATE,
        OBJECT,
        item.pk,
        citizen_id=plan.citizen_id,
        detail={"kind": item.kind, "handover": handover.pk, "accepted": True},
    )
    return item


def handover_transition_drop(handover: Handover) -> None:
    """A handover that ends without being accepted leaves no transition."""
    if handover.state != Handover.State.ACCEPTED:
        Transition.objects.filter(handover=handover).delete()


def handover_transition_kind(handover: Handover) -> str | None:
    """The kind a handover is marked as, or None (reads the row unless already loaded)."""
    try:
        item = handover.transition
    except Transition.DoesNotExist:
        return None
    return item.kind if item is not None else None
