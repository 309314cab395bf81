"""A plan's parts: goals in the citizen's own words, agreements until the next meeting, and
each organisation's efforts. Every write goes through the plan's version (``If-Match``) like a
write to the plan itself, and is checked and audited by ``apps.access``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.access.checks import Action, access_effort
from apps.access.context import Actor
from apps.core.exceptions import NotFound, invalid
from apps.core.parsers import as_id
from apps.organisations.models import Organisation
from apps.plans import faststart
from apps.plans.models import Agreement, Effort, Goal, Plan
from apps.plans.services import ExpectedVersion, _version_bump, plan_for_write

User = get_user_model()


def part_write(actor: Actor, plan_id: int, expected_version: ExpectedVersion) -> Plan:
    plan = plan_for_write(actor, plan_id, Action.UPDATE, expected_version)
    return _version_bump(plan, expected_version)


def required_text(value: Any, field: str, limit: int) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise invalid(field, _("This field is required."))
    if len(text) > limit:
        raise invalid(field, _("At most %(n)s characters.") % {"n": limit})
    return text


@transaction.atomic
def goal_save(
    *,
    actor: Actor,
    plan_id: int,
    expected_version: ExpectedVersion,
    goal_id: int | None = None,
    data: dict,
) -> Goal:
    """Create or change a goal in the citizen's own words."""
    plan = part_write(actor, plan_id, expected_version)
    goal = Goal(plan=plan) if goal_id is None else part_of(Goal, plan, goal_id)
    if goal_id is None or "text" in data:
        goal.text = required_text(data.get("text"), "text", 2000)
    if "priority" in data:
        goal.priority = data["priority"]
    if "outcome" in data:
        _goal_end(goal, data["outcome"] or "", data.get("outcome_on"))
    elif "status" in data:
        if data["status"] not in Goal.Status.values:
            raise invalid("status", _("Unknown status."))
        if data["status"] != goal.status:
            # An end by status alone: the outcome of the same name, today.
            outcome = "" if data["status"] == Goal.Status.OPEN else data["status"]
            _goal_end(goal, outcome, data.get("outcome_on"))
    elif "outcome_on" in data:
        raise invalid("outcome_on", _("A date is given with an outcome."))
    goal.save()
    return goal


# How a goal ended decides its status: reached (or partly), or no longer pursued.
_STATUS_OF_OUTCOME = {
    Goal.Outcome.REACHED: Goal.Status.REACHED,
    Goal.Outcome.PARTLY_REACHED: Goal.Status.REACHED,
    Goal.Outcome.CHANGED: Goal.Status.DROPPED,
    Goal.Outcome.DROPPED: Goal.Status.DROPPED,
}


def _goal_end(goal: Goal, outcome: str, outcome_on: datetime.date | None) -> None:
    """End a goal with an outcome and a date (today unless given), or reopen it (no outcome).
    An ended goal is reopened before it can end otherwise; it stays in the plan's history."""
    if not outcome:
        goal.outcome, goal.outcome_on, goal.status = "", None, Goal.Status.OPEN
        return
    if outcome not in Goal.Outcome.values:
        raise invalid("outcome", _("Unknown outcome."))
    if goal.outcome:
        raise invalid("outcome", _("The goal has already ended. Reopen it first."), "goal_ended")
    day = outcome_on or timezone.localdate()
    if day > timezone.localdate():
        raise invalid("outcome_on", _("This date cannot lie in the future."), "date_in_future")
    goal.outcome, goal.outcome_on = outcome, day
    goal.status = _STATUS_OF_OUTCOME[Goal.Outcome(outcome)]


@transaction.atomic
def agreement_save(
    *,
    actor: Actor,
    plan_id: int,
    expected_version: ExpectedVersion,
    agreement_id: int | None = None,
    data: dict,
) -> Agreement:
    """Create or change an agreement until the next meeting."""
    plan = part_write(actor, plan_id, expected_version)
    agreement = (
        Agreement(plan=plan) if agreement_id is None else part_of(Agreement, plan, agreement_id)
    )
    if agreement_id is None or "text" in data:
        agreement.text = required_text(data.get("text"), "text", 2000)
    if "responsible" in data:
        agreement.responsible = _plan_person(
            plan, data["responsible"], "responsible", required=False
        )
    for field in ("due", "done"):
        if field in data:
            setattr(agreement, field, data[field])
    agreement.save()
    return agreement


@transaction.atomic
def plan_part_delete(
    *, actor: Actor, plan_id: int, expected_version: ExpectedVersion, model: type, part_id: int
) -> Plan:
    plan = part_write(actor, plan_id, expected_version)
    if model is Effort:
        access_effort(actor, plan, part_id, Action.DELETE).delete()
    else:
        part_of(model, plan, part_id).delete()
    return plan


@transaction.atomic
def effort_save(
    *,
    actor: Actor,
    plan_id: int,
    expected_version: ExpectedVersion,
    effort_id: int | None = None,
    data: dict,
) -> Effort:
    """Create or change an effort of the acting organisation, with one responsible person."""
    plan = part_write(actor, plan_id, expected_version)
    if effort_id is None:
        effort = Effort(plan=plan, organisation=actor.organisation)
    else:
        effort = access_effort(actor, plan, effort_id, Action.UPDATE)
    was_active = effort.status == Effort.Status.ACTIVE
    if effort_id is None or "description" in data:
        effort.description = required_text(data.get("description"), "description", 4000)
    if effort_id is None or "responsible" in data:
        effort.responsible = _plan_person(
            plan, data.get("responsible"), "responsible", organisation=effort.organisation
        )
    for field in ("starts_on", "ends_on"):
        if field in data:
            setattr(effort, field, data[field])
    if "status" in data:
        if data["status"] not in Effort.Status.values:
            raise invalid("status", _("Unknown status."))
        effort.status = data["status"]
    if effort.starts_on and effort.ends_on and effort.ends_on < effort.starts_on:
        raise invalid("ends_on", _("An effort cannot end before it starts."))
    goals = _plan_goals(plan, data["goals"]) if "goals" in data else None
    effort.save()
    if goals is not None:
        effort.goals.set(goals)
    faststart.first_effort_record(plan=plan, effort=effort, was_active=was_active)
    return effort


def _plan_goals(plan: Plan, goal_ids: Any) -> list[Goal]:
    """The goals an effort serves: goals of the same plan, each named once."""
    ids = [as_id(value) for value in goal_ids or []]
    goals = list(Goal.objects.filter(plan=plan, pk__in=[pk for pk in ids if pk is not None]))
    if None in ids or len(goals) != len(ids):
        raise invalid("goals", _("Choose goals of this plan, each once."))
    return goals


def part_of(model: Any, plan: Plan, part_id: Any) -> Any:
    obj = model.objects.filter(plan=plan, pk=part_id).first()
    if obj is None:
        raise NotFound(_("Not found."))
    return obj


def _plan_person(
    plan: Plan,
    user_id: Any,
    field: str,
    *,
    organisation: Organisation | None = None,
    required: bool = True,
) -> Any:
    """A person who works for the plan's organisations (or for ``organisation``)."""
    if user_id in (None, ""):
        if required:
            raise invalid(field, _("Name the responsible person."))
        return None
    orgs = (
        [organisation.pk]
        if organisation
        else list(plan.participations.values_list("organisation_id", flat=True))
    )
    pk = as_id(user_id)
    user = (
        None
        if pk is None
        else User.objects.filter(pk=pk, memberships__organisation_id__in=orgs).first()
    )
    if user is None:
        raise invalid(field, _("The responsible person must work for an organisation on the plan."))
    return user
