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
from apps.access.checks import Action, access_citizen, access_plan
from apps.access.context import Actor
from apps.citizens.models import Citizen
from apps.citizens.services import organisations_by_id, organisations_covered
from apps.core.exceptions import (
    Conflict,
    PreconditionFailed,
    PreconditionRequired,
    invalid,
)
from apps.core.parsers import IfMatch
from apps.organisations.models import Membership, Organisation
from apps.plans import faststart
from apps.plans.models import (
    LIFE_DOMAINS,
    TEXT_LIMIT,
    Participation,
    Plan,
)

User = get_user_model()
COORDINATE = "coordinate"

# The version a write expects: from If-Match in the API, a plain number from code.
ExpectedVersion = int | IfMatch | None


def review_date_validate(value: datetime.date | None, *, field: str = "next_review") -> None:
    """A review lies ahead, and no more than six months ahead (Sundhedsstyrelsen's guideline)."""
    if value is None:
        return
    today = timezone.localdate()
    if value < today:
        raise invalid(field, _("The review date must not lie in the past."))
    if value > today + relativedelta(months=settings.KIP_REVIEW_MAX_MONTHS):
        raise invalid(field, _("The next review must be at most six months ahead."))


def assessment_validate(value: Any, field: str = "assessment") -> dict[str, str]:
    """Texts by life domain: what is hard (``assessment``) or what works (``strengths``)."""
    if not isinstance(value, dict):
        raise invalid(field, _("The assessment is an object of life domains."))
    unknown = sorted(set(value) - set(LIFE_DOMAINS))
    if unknown:
        raise invalid(
            field,
            _("Unknown life domain: %(names)s.") % {"names": ", ".join(unknown)},
        )
    for key, text in value.items():
        if not isinstance(text, str) or len(text) > TEXT_LIMIT:
            raise invalid(field, _("%(name)s: text of at most 4000 characters.") % {"name": key})
    return value


# The citizen's own words on the plan: what matters to them, their hopes, their resources.
CITIZEN_WORDS = ("what_matters", "hopes", "resources")


def _words(value: Any, field: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > TEXT_LIMIT:
        raise invalid(field, _("At most %(n)s characters.") % {"n": TEXT_LIMIT})
    return text


def _coordinator(
    user_id: Any, organisation_id: Any, participants: Sequence[Organisation]
) -> tuple[Any, Organisation]:
    if organisation_id not in {o.pk for o in participants}:
        raise invalid(
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
        raise invalid(
            "coordinator",
            _("The coordinator must be a caseworker of the organisation they act for."),
        )
    return membership.user, membership.organisation


def _require_covered(citizen: Citizen, organisations: Sequence[Organisation], field: str) -> None:
    """Each organisation is active (a deactivated one joins no plan) and covered by consent."""
    inactive = [o.name for o in organisations if not o.active]
    if inactive:
        raise invalid(
            field,
            _("Deactivated organisations take part in no new plans: %(names)s.")
            % {"names": ", ".join(inactive)},
            "organisation_inactive",
        )
    covered = organisations_covered(citizen=citizen)
    missing = [o.name for o in organisations if o.pk not in covered]
    if missing:
        raise invalid(
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
        raise invalid("participants", _("Your own organisation must take part in the plan."))
    _require_covered(citizen, participants, "participants")
    user, organisation = _coordinator(
        coordinator_user_id, coordinator_organisation_id, participants
    )
    review_date_validate(next_review)
    if status not in (Plan.Status.DRAFT, Plan.Status.ACTIVE):
        raise invalid("status", _("A new plan is a draft or active."))
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
            raise invalid("status", _("A draft can be made active; close a plan with close."))
        changes["status"] = data["status"]
    return _version_bump(plan, expected_version, **changes)


@transaction.atomic
def plan_close(
    *, actor: Actor, plan_id: int, expected_version: ExpectedVersion, reason: str
) -> Plan:
    plan = plan_for_write(actor, plan_id, COORDINATE, expected_version)
    if reason not in Plan.ClosedReason.values:
        raise invalid("reason", _("Choose a reason for closing the plan."))
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
        raise invalid("organisation", _("The organisation does not take part."))
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
