"""Use cases for plans. Each is one transaction that checks access, writes, and audits.

Writes to a plan or any of its parts need the version the client last saw (``If-Match``);
the version is compared and bumped in one UPDATE, so of two writers with the same version
exactly one wins and the other gets 412.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.access import audit, grants
from apps.access.checks import Action, access_citizen, access_effort, access_plan
from apps.access.context import Actor
from apps.citizens.models import Citizen
from apps.citizens.services import organisations_by_id, organisations_covered
from apps.core.exceptions import (
    ApplicationError,
    Conflict,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
)
from apps.core.parsers import IfMatch, as_id
from apps.organisations.models import Membership, Organisation
from apps.plans import faststart
from apps.plans.models import (
    LIFE_DOMAINS,
    TEXT_LIMIT,
    Agreement,
    Effort,
    Goal,
    Participation,
    Plan,
)

User = get_user_model()
COORDINATE = "coordinate"

# The version a write expects: from If-Match in the API, a plain number from code.
ExpectedVersion = int | IfMatch | None


def _invalid(field: str, message: str, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, fields={field: [message]})


def review_date_validate(value: datetime.date | None, *, field: str = "next_review") -> None:
    """A review lies ahead, and no more than six months ahead (Sundhedsstyrelsen's guideline)."""
    if value is None:
        return
    today = timezone.localdate()
    if value < today:
        raise _invalid(field, _("The review date must not lie in the past."))
    if value > today + relativedelta(months=settings.KIP_REVIEW_MAX_MONTHS):
        raise _invalid(field, _("The next review must be at most six months ahead."))


def assessment_validate(value: Any, field: str = "assessment") -> dict[str, str]:
    """Texts by life domain: what is hard (``assessment``) or what works (``strengths``)."""
    if not isinstance(value, dict):
        raise _invalid(field, _("The assessment is an object of life domains."))
    unknown = sorted(set(value) - set(LIFE_DOMAINS))
    if unknown:
        raise _invalid(
            field,
            _("Unknown life domain: %(names)s.") % {"names": ", ".join(unknown)},
        )
    for key, text in value.items():
        if not isinstance(text, str) or len(text) > TEXT_LIMIT:
            raise _invalid(field, _("%(name)s: text of at most 4000 characters.") % {"name": key})
    return value


# The citizen's own words on the plan: what matters to them, their hopes, their resources.
CITIZEN_WORDS = ("what_matters", "hopes", "resources")


def _words(value: Any, field: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > TEXT_LIMIT:
        raise _invalid(field, _("At most %(n)s characters.") % {"n": TEXT_LIMIT})
    return text


def _coordinator(
    user_id: Any, organisation_id: Any, participants: Sequence[Organisation]
) -> tuple[Any, Organisation]:
    if organisation_id not in {o.pk for o in participants}:
        raise _invalid(
            "coordinator",
            _("The coordinator's organisation must take part in the plan."),
            "coordinator_not_participant",
        )
    membership = (
        Membership.objects.select_related("user", "organisation")
        .filter(user_id=user_id, organisation_id=organisation_id, role=Membership.Role.CASEWORKER)
        .first()
    )
    if membership is None:
        raise _invalid(
            "coordinator",
            _("The coordinator must be a caseworker of the organisation they act for."),
        )
    return membership.user, membership.organisation


def _require_covered(citizen: Citizen, organisations: Sequence[Organisation], field: str) -> None:
    """Each organisation is active (a deactivated one joins no plan) and covered by consent."""
    inactive = [o.name for o in organisations if not o.active]
    if inactive:
        raise _invalid(
            field,
            _("Deactivated organisations take part in no new plans: %(names)s.")
            % {"names": ", ".join(inactive)},
            "organisation_inactive",
        )
    covered = organisations_covered(citizen=citizen)
    missing = [o.name for o in organisations if o.pk not in covered]
    if missing:
        raise _invalid(
            field,
            _("The citizen's consent does not cover: %(names)s.") % {"names": ", ".join(missing)},
            "consent_missing",
        )


def plan_create_check(
    *,
    actor: Actor,
    citizen_id: int,
    coordinator_user_id: int,
    coordinator_organisation_id: int,
    participant_ids: Sequence[int],
    next_review: datetime.date | None = None,
    status: str = Plan.Status.DRAFT,
) -> tuple[Citizen, list[Organisation], Any, Organisation]:
    """Every rule ``plan_create`` applies before it writes, without writing: for a guided flow
    that asks step by step and must say at each step what is wrong, by the same rules.

    Returns the citizen, the participants and the coordinator pair.
    """
    citizen = access_citizen(actor, citizen_id, Action.CREATE, record=False)
    participants = organisations_by_id(participant_ids, "participants")
    if actor.organisation not in participants:
        raise _invalid("participants", _("Your own organisation must take part in the plan."))
    _require_covered(citizen, participants, "participants")
    user, organisation = _coordinator(
        coordinator_user_id, coordinator_organisation_id, participants
    )
    review_date_validate(next_review)
    if status not in (Plan.Status.DRAFT, Plan.Status.ACTIVE):
        raise _invalid("status", _("A new plan is a draft or active."))
    if Plan.objects.filter(citizen=citizen).exclude(status=Plan.Status.CLOSED).exists():
        raise _open_plan_exists()
    return citizen, participants, user, organisation


@transaction.atomic
def plan_create(
    *,
    actor: Actor,
    citizen_id: int,
    coordinator_user_id: int,
    coordinator_organisation_id: int,
    participant_ids: Sequence[int],
    next_review: datetime.date | None = None,
    status: str = Plan.Status.DRAFT,
    assessment: dict[str, str] | None = None,
    strengths: dict[str, str] | None = None,
    words: dict[str, str] | None = None,
) -> Plan:
    """Start the citizen's one open plan, shared with organisations within consent.
    ``words``: what matters to the citizen, their hopes and resources (CITIZEN_WORDS)."""
    citizen, participants, user, organisation = plan_create_check(
        actor=actor,
        citizen_id=citizen_id,
        coordinator_user_id=coordinator_user_id,
        coordinator_organisation_id=coordinator_organisation_id,
        participant_ids=participant_ids,
        next_review=next_review,
        status=status,
    )
    assessment = assessment_validate(assessment or {})
    strengths = assessment_validate(strengths or {}, "strengths")
    words = {key: _words((words or {}).get(key, ""), key) for key in CITIZEN_WORDS}
    try:
        with transaction.atomic():
            plan = Plan.objects.create(
                citizen=citizen,
                status=status,
                coordinator_user=user,
                coordinator_organisation=organisation,
                next_review=next_review,
                assessment=assessment,
                strengths=strengths,
                created_by=actor.user,
                **words,
            )
    except IntegrityError as exc:  # another writer opened one a moment ago
        raise _open_plan_exists() from exc
    for participant in participants:
        _participation_add(plan, participant, actor)
    audit.record(actor, Action.CREATE, "plan", plan.pk, citizen_id=citizen.pk)
    return plan


def _open_plan_exists() -> Conflict:
    return Conflict(
        _("The citizen already has an open plan."),
        code="open_plan_exists",
        fields={"citizen": [_("The citizen already has an open plan.")]},
    )


def _participation_add(plan: Plan, organisation: Organisation, actor: Actor) -> None:
    Participation.objects.create(plan=plan, organisation=organisation, added_by=actor.user)
    grants.participation_grant(plan=plan, organisation=organisation)


def plan_for_write(
    actor: Actor,
    plan_id: Any,
    action: str,
    expected_version: ExpectedVersion,
    fields: Sequence[str] = (),
) -> Plan:
    """The plan for a write, checked in this order: may the actor see it (404) and take the
    action (403), is it open (409, naming ``fields``, the input it refuses), did the client
    send the version it saw (428)."""
    plan = access_plan(actor, plan_id, action)
    _open_for_writes(plan, fields)
    _version_required(expected_version)
    return plan


def _version_required(expected_version: ExpectedVersion) -> IfMatch:
    if expected_version is None:
        raise PreconditionRequired(
            _("Send the plan's version in If-Match (take it from the ETag)."),
            fields={"If-Match": [_("This header is required.")]},
        )
    if isinstance(expected_version, IfMatch):
        return expected_version
    return IfMatch(versions=frozenset({expected_version}))


def _version_bump(plan: Plan, expected_version: ExpectedVersion, **changes: Any) -> Plan:
    """Compare and bump the version in one UPDATE, with any field changes; 412 if stale.

    ``If-Match: *`` matches whatever version the plan has; a list of tags, any of them.
    """
    changes["updated"] = timezone.now()
    if_match = _version_required(expected_version)
    current = Plan.objects.filter(pk=plan.pk)
    if not if_match.any:
        current = current.filter(version__in=sorted(if_match.versions))
    updated = current.update(version=F("version") + 1, **changes)
    if not updated:
        raise PreconditionFailed(
            _("The plan was changed by someone else. Reload it and try again."),
            fields={"If-Match": [_("Stale version.")]},
        )
    plan.refresh_from_db()
    return plan


def _open_for_writes(plan: Plan, fields: Sequence[str] = ()) -> None:
    if plan.status == Plan.Status.CLOSED:
        message = _("The plan is closed.")
        raise Conflict(message, code="plan_closed", fields={f: [message] for f in fields})


@transaction.atomic
def plan_update(
    *, actor: Actor, plan_id: int, expected_version: ExpectedVersion, data: dict[str, Any]
) -> Plan:
    """Change the shared sections; the review date and activation are the coordinator's."""
    coordinator_fields = {"next_review", "status"}
    action = COORDINATE if coordinator_fields & data.keys() else Action.UPDATE
    plan = plan_for_write(actor, plan_id, action, expected_version, sorted(data))
    changes: dict[str, Any] = {}
    if "motivated_on" in data:  # fast start: the deadline follows from the day
        changes.update(faststart.fast_start_changes(plan, data["motivated_on"]))
    for field in ("assessment", "strengths"):
        if field in data:
            changes[field] = assessment_validate(data[field], field)
    for field in CITIZEN_WORDS:
        if field in data:
            changes[field] = _words(data[field], field)
    if "next_review" in data:
        review_date_validate(data["next_review"])
        changes["next_review"] = data["next_review"]
    if "status" in data and data["status"] != plan.status:
        if (plan.status, data["status"]) != (Plan.Status.DRAFT, Plan.Status.ACTIVE):
            raise _invalid("status", _("A draft can be made active; close a plan with close."))
        changes["status"] = data["status"]
    return _version_bump(plan, expected_version, **changes)


@transaction.atomic
def plan_close(
    *, actor: Actor, plan_id: int, expected_version: ExpectedVersion, reason: str
) -> Plan:
    plan = plan_for_write(actor, plan_id, COORDINATE, expected_version)
    if reason not in Plan.ClosedReason.values:
        raise _invalid("reason", _("Choose a reason for closing the plan."))
    return _version_bump(
        plan,
        expected_version,
        status=Plan.Status.CLOSED,
        closed_reason=reason,
        closed_at=timezone.now(),
    )


@transaction.atomic
def participant_add(
    *, actor: Actor, plan_id: int, expected_version: ExpectedVersion, organisation_id: int
) -> Plan:
    """The coordinator adds an organisation, within the citizen's consent."""
    plan = plan_for_write(actor, plan_id, COORDINATE, expected_version)
    (organisation,) = organisations_by_id([organisation_id], "organisation")
    if plan.participations.filter(organisation=organisation).exists():
        raise Conflict(_("The organisation already takes part."), code="already_participant")
    _require_covered(plan.citizen, [organisation], "organisation")
    plan = _version_bump(plan, expected_version)
    _participation_add(plan, organisation, actor)
    return plan


@transaction.atomic
def participant_remove(
    *, actor: Actor, plan_id: int, expected_version: ExpectedVersion, organisation_id: int
) -> Plan:
    plan = plan_for_write(actor, plan_id, COORDINATE, expected_version)
    if int(organisation_id) == plan.coordinator_organisation_id:
        raise Conflict(
            _("The coordinator's organisation cannot leave the plan; hand over first."),
            code="coordinator_organisation",
        )
    participation = plan.participations.filter(organisation_id=organisation_id).first()
    if participation is None:
        raise _invalid("organisation", _("The organisation does not take part."))
    plan = _version_bump(plan, expected_version)
    participation.delete()
    grants.participation_revoke(plan=plan, organisation=participation.organisation)
    return plan


def participations_prune_uncovered(*, citizen: Citizen) -> None:
    """After consent is withdrawn: organisations no longer covered leave the open plans."""
    covered = organisations_covered(citizen=citizen)
    for plan in Plan.objects.filter(citizen=citizen).exclude(status=Plan.Status.CLOSED):
        keep = covered | {plan.coordinator_organisation_id or 0}
        stale = plan.participations.exclude(organisation_id__in=keep).select_related("organisation")
        for participation in stale:
            participation.delete()
            grants.participation_revoke(plan=plan, organisation=participation.organisation)
        Plan.objects.filter(pk=plan.pk).update(version=F("version") + 1)


# --- goals, agreements, efforts ----------------------------------------------------------------


def _plan_part_write(actor: Actor, plan_id: int, expected_version: ExpectedVersion) -> Plan:
    plan = plan_for_write(actor, plan_id, Action.UPDATE, expected_version)
    return _version_bump(plan, expected_version)


def _text(value: Any, field: str, limit: int) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise _invalid(field, _("This field is required."))
    if len(text) > limit:
        raise _invalid(field, _("At most %(n)s characters.") % {"n": limit})
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
    plan = _plan_part_write(actor, plan_id, expected_version)
    goal = Goal(plan=plan) if goal_id is None else _part(Goal, plan, goal_id)
    if goal_id is None or "text" in data:
        goal.text = _text(data.get("text"), "text", 2000)
    if "priority" in data:
        goal.priority = data["priority"]
    if "outcome" in data:
        _goal_end(goal, data["outcome"] or "", data.get("outcome_on"))
    elif "status" in data:
        if data["status"] not in Goal.Status.values:
            raise _invalid("status", _("Unknown status."))
        if data["status"] != goal.status:
            # An end by status alone: the outcome of the same name, today.
            outcome = "" if data["status"] == Goal.Status.OPEN else data["status"]
            _goal_end(goal, outcome, data.get("outcome_on"))
    elif "outcome_on" in data:
        raise _invalid("outcome_on", _("A date is given with an outcome."))
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
        raise _invalid("outcome", _("Unknown outcome."))
    if goal.outcome:
        raise _invalid("outcome", _("The goal has already ended. Reopen it first."), "goal_ended")
    day = outcome_on or timezone.localdate()
    if day > timezone.localdate():
        raise _invalid("outcome_on", _("This date cannot lie in the future."), "date_in_future")
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
    plan = _plan_part_write(actor, plan_id, expected_version)
    agreement = (
        Agreement(plan=plan) if agreement_id is None else _part(Agreement, plan, agreement_id)
    )
    if agreement_id is None or "text" in data:
        agreement.text = _text(data.get("text"), "text", 2000)
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
    plan = _plan_part_write(actor, plan_id, expected_version)
    if model is Effort:
        access_effort(actor, plan, part_id, Action.DELETE).delete()
    else:
        _part(model, plan, part_id).delete()
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
    plan = _plan_part_write(actor, plan_id, expected_version)
    if effort_id is None:
        effort = Effort(plan=plan, organisation=actor.organisation)
    else:
        effort = access_effort(actor, plan, effort_id, Action.UPDATE)
    was_active = effort.status == Effort.Status.ACTIVE
    if effort_id is None or "description" in data:
        effort.description = _text(data.get("description"), "description", 4000)
    if effort_id is None or "responsible" in data:
        effort.responsible = _plan_person(
            plan, data.get("responsible"), "responsible", organisation=effort.organisation
        )
    for field in ("starts_on", "ends_on"):
        if field in data:
            setattr(effort, field, data[field])
    if "status" in data:
        if data["status"] not in Effort.Status.values:
            raise _invalid("status", _("Unknown status."))
        effort.status = data["status"]
    if effort.starts_on and effort.ends_on and effort.ends_on < effort.starts_on:
        raise _invalid("ends_on", _("An effort cannot end before it starts."))
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
        raise _invalid("goals", _("Choose goals of this plan, each once."))
    return goals


def _part(model: Any, plan: Plan, part_id: Any) -> Any:
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
            raise _invalid(field, _("Name the responsible person."))
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
        raise _invalid(
            field, _("The responsible person must work for an organisation on the plan.")
        )
    return user
