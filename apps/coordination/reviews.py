"""Reviews (opfølgning): record the meeting, freeze the agreed plan, set the next date.
Hospital events, which prompt the coordinator to review, live in ``apps.coordination.hospital``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.access import audit
from apps.access.checks import Action, access_plan
from apps.access.context import Actor
from apps.coordination.models import (
    MEETING_RATINGS,
    DischargeTask,
    GoalRating,
    PlanSnapshot,
    Review,
)
from apps.core.exceptions import NotFound, invalid
from apps.plans.models import Goal, Plan

# The plans app's compare-and-bump: one rule for every plan write (If-Match, 412 when stale).
from apps.plans.services import ExpectedVersion, _version_bump, plan_for_write, review_date_validate

COORDINATE = "coordinate"


def plan_snapshot_data(plan: Plan) -> dict[str, Any]:
    """The plan detail as JSON: assessment, goals, efforts, agreements, the citizen's network,
    the discharge agreements' tasks, participants, coordinator, next review.

    Snapshots frozen before a key was added lack it; readers take a missing list as empty."""

    def day(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "version": plan.version,
        "status": plan.status,
        "coordinator": {
            "user": plan.coordinator_user_id,
            "organisation": plan.coordinator_organisation_id,
        },
        "participants": sorted(plan.participations.values_list("organisation_id", flat=True)),
        "next_review": day(plan.next_review),
        "what_matters": plan.what_matters,
        "hopes": plan.hopes,
        "resources": plan.resources,
        "assessment": dict(sorted((plan.assessment or {}).items())),
        "strengths": dict(sorted((plan.strengths or {}).items())),
        "goals": [
            {
                "id": g.pk,
                "text": g.text,
                "priority": g.priority,
                "status": g.status,
                "outcome": g.outcome or None,
                "outcome_on": day(g.outcome_on),
            }
            for g in plan.goals.order_by("id")
        ],
        "efforts": [
            {
                "id": e.pk,
                "organisation": e.organisation_id,
                "responsible": e.responsible_id,
                "description": e.description,
                "goals": sorted(g.pk for g in e.goals.all()),
                "status": e.status,
                "starts_on": day(e.starts_on),
                "ends_on": day(e.ends_on),
            }
            for e in plan.efforts.order_by("id").prefetch_related("goals")
        ],
        "agreements": [
            {
                "id": a.pk,
                "text": a.text,
                "responsible": a.responsible_id,
                "due": day(a.due),
                "done": a.done,
            }
            for a in plan.agreements.order_by("id")
        ],
        # The people who matter to the citizen, and what they may be told, as agreed.
        "network": [
            {
                "id": m.pk,
                "name": m.name,
                "relation": m.relation,
                "contact": m.contact,
                "may_be_told": m.may_be_told,
                "takes_part": m.takes_part,
            }
            for m in plan.network.order_by("id")
        ],
        # Who does what on and after the day of discharge, for each admission.
        "discharge_tasks": [
            {
                "id": t.pk,
                "admitted_on": day(t.admission.occurred_on),
                "description": t.description,
                "responsible": t.responsible_id,
                "responsible_organisation": t.responsible_organisation_id,
                "due": day(t.due),
                "done": t.done,
            }
            for t in DischargeTask.objects.filter(plan=plan)
            .select_related("admission")
            .order_by("id")
        ],
    }


@transaction.atomic
def review_record(
    *,
    actor: Actor,
    plan_id: int,
    expected_version: ExpectedVersion,
    held_on: dt.date,
    outcome: str,
    participants: list[str] | None = None,
    notes: str = "",
    next_review: dt.date | None = None,
    citizen_took_part: bool = False,
    citizen_view: str = "",
    citizen_agreed: bool = False,
    ratings: list[dict[str, Any]] | None = None,
    meeting_rating: dict[str, Any] | None = None,
) -> Review:
    """The coordinator records a review meeting; the plan is frozen as agreed and its next
    review date set (at most six months ahead; none only when the outcome is to close).
    ``participants`` names who took part (organisations and people); whether the citizen
    did, agreed to the plan, and their own view are recorded beside them.

    ``ratings``: for open goals of the plan, ``{goal, citizen, professional, note,
    citizen_note}`` with ratings 0-10 (either may be missing); ``meeting_rating``: the
    citizen's rating of the meeting, ``heard``, ``what_matters``, ``approach``, ``overall``
    (0-10 each, each optional). Both are part of the frozen version."""
    plan = plan_for_write(actor, plan_id, COORDINATE, expected_version)
    if held_on > timezone.localdate():
        raise invalid("held_on", _("A review cannot be dated in the future."), "date_in_future")
    if outcome not in Review.Outcome.values:
        raise invalid("outcome", _("Choose an outcome."))
    if next_review is None and outcome != Review.Outcome.CLOSE:
        raise invalid("next_review", _("Agree the date of the next review."), "required")
    review_date_validate(next_review)
    participants = [str(p).strip() for p in participants or [] if str(p).strip()]
    if len(participants) > 50 or any(len(p) > 200 for p in participants):
        raise invalid("participants", _("At most 50 names of at most 200 characters."))
    if len(notes) > 8000:
        raise invalid("notes", _("At most %(n)s characters.") % {"n": 8000})
    if len(citizen_view) > 4000:
        raise invalid("citizen_view", _("At most %(n)s characters.") % {"n": 4000})
    goal_ratings = _ratings(plan, ratings or [])
    meeting = _meeting_rating(meeting_rating or {})
    changes = {"next_review": next_review} if next_review is not None else {}
    plan = _version_bump(plan, expected_version, **changes)
    review = Review.objects.create(
        plan=plan,
        held_on=held_on,
        outcome=outcome,
        notes=notes.strip(),
        participants=participants,
        citizen_took_part=bool(citizen_took_part),
        citizen_view=citizen_view.strip(),
        citizen_agreed=bool(citizen_agreed),
        next_review=next_review,
        recorded_by=actor.user,
        recorded_for=actor.organisation,
        **meeting,
    )
    GoalRating.objects.bulk_create(GoalRating(review=review, **r) for r in goal_ratings)
    data = plan_snapshot_data(plan)
    data["review"] = review_snapshot_data(review)
    PlanSnapshot.objects.create(plan=plan, review=review, plan_version=plan.version, data=data)
    audit.record(
        actor,
        Action.CREATE,
        "review",
        review.pk,
        citizen_id=plan.citizen_id,
        detail={"outcome": outcome},
    )
    return review


def _rating_value(value: Any, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise invalid(field, _("A rating is a whole number from 0 to 10."))
    return value


def _ratings(plan: Plan, ratings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ratings of the plan's open goals, one per goal, each 0-10."""
    open_goals = set(
        Goal.objects.filter(plan=plan, status=Goal.Status.OPEN).values_list("pk", flat=True)
    )
    seen: set[int] = set()
    result = []
    for rating in ratings:
        goal = rating.get("goal")
        if goal not in open_goals or goal in seen:
            raise invalid("ratings", _("Rate open goals of this plan, each once."))
        seen.add(goal)
        note, citizen_note = rating.get("note") or "", rating.get("citizen_note") or ""
        if len(note) > 500 or len(citizen_note) > 500:
            raise invalid("ratings", _("At most %(n)s characters.") % {"n": 500})
        result.append(
            {
                "goal_id": goal,
                "citizen": _rating_value(rating.get("citizen"), "ratings"),
                "professional": _rating_value(rating.get("professional"), "ratings"),
                "note": note.strip(),
                "citizen_note": citizen_note.strip(),
            }
        )
    return result


def _meeting_rating(values: dict[str, Any]) -> dict[str, int | None]:
    unknown = set(values) - set(MEETING_RATINGS)
    if unknown:
        raise invalid(
            "meeting_rating",
            _("Unknown rating: %(names)s.") % {"names": ", ".join(sorted(unknown))},
        )
    return {name: _rating_value(values.get(name), "meeting_rating") for name in MEETING_RATINGS}


def review_snapshot_data(review: Review) -> dict[str, Any]:
    """What the meeting agreed beside the plan: the citizen's part and the ratings."""
    return {
        "held_on": review.held_on.isoformat(),
        "citizen_took_part": review.citizen_took_part,
        "citizen_agreed": review.citizen_agreed,
        "meeting_rating": {name: getattr(review, name) for name in MEETING_RATINGS},
        "ratings": [
            {
                "id": r.goal_id,
                "citizen": r.citizen,
                "professional": r.professional,
                "citizen_note": r.citizen_note,
                "note": r.note,
            }
            for r in review.ratings.order_by("goal_id")
        ],
    }


def goal_progress(*, actor: Actor, plan_id: int, goal_id: int) -> list[dict[str, Any]]:
    """A goal's ratings across the plan's reviews, oldest first (the plan's readers)."""
    plan = access_plan(actor, plan_id)
    if not Goal.objects.filter(plan=plan, pk=goal_id).exists():
        raise NotFound(_("Not found."))
    ratings = (
        GoalRating.objects.filter(goal_id=goal_id, review__plan=plan)
        .select_related("review")
        .order_by("review__held_on", "review_id")
    )
    return [
        {
            "review": r.review_id,
            "held_on": r.review.held_on,
            "citizen": r.citizen,
            "professional": r.professional,
            "citizen_note": r.citizen_note,
            "note": r.note,
        }
        for r in ratings
    ]


def _diff_list(before: list[dict], after: list[dict]) -> dict[str, list]:
    old = {item["id"]: item for item in before}
    new = {item["id"]: item for item in after}
    changed = []
    for pk in sorted(old.keys() & new.keys()):
        fields = {
            key: {"before": old[pk].get(key), "after": new[pk].get(key)}
            for key in sorted(old[pk].keys() | new[pk].keys())
            if old[pk].get(key) != new[pk].get(key)
        }
        if fields:
            changed.append({"id": pk, "fields": fields})
    return {
        "added": [new[pk] for pk in sorted(new.keys() - old.keys())],
        "removed": [old[pk] for pk in sorted(old.keys() - new.keys())],
        "changed": changed,
    }


def snapshot_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What changed between two frozen plans: scalar fields, each life domain, and the
    goals, efforts, agreements, the citizen's network and the discharge tasks by id (added,
    removed, changed fields). A list missing from an older snapshot counts as empty."""
    result: dict[str, Any] = {}
    for key in ("status", "coordinator", "participants", "next_review", "version"):
        if before.get(key) != after.get(key):
            result[key] = {"before": before.get(key), "after": after.get(key)}
    for key in ("assessment", "strengths"):
        old, new = before.get(key, {}), after.get(key, {})
        domains = {
            domain: {"before": old.get(domain), "after": new.get(domain)}
            for domain in sorted(old.keys() | new.keys())
            if old.get(domain) != new.get(domain)
        }
        if domains:
            result[key] = domains
    for key in ("what_matters", "hopes", "resources"):
        if before.get(key, "") != after.get(key, ""):
            result[key] = {"before": before.get(key, ""), "after": after.get(key, "")}
    old_r, new_r = before.get("review", {}), after.get("review", {})
    ratings = _diff_list(old_r.get("ratings", []), new_r.get("ratings", []))
    if any(ratings.values()):
        result["ratings"] = ratings
    if old_r.get("meeting_rating") != new_r.get("meeting_rating"):
        result["meeting_rating"] = {
            "before": old_r.get("meeting_rating"),
            "after": new_r.get("meeting_rating"),
        }
    for key in ("goals", "efforts", "agreements", "network", "discharge_tasks"):
        part = _diff_list(before.get(key, []), after.get(key, []))
        if any(part.values()):
            result[key] = part
    return result


def review_diff(*, actor: Actor, plan_id: int, review_a: int, review_b: int) -> dict[str, Any]:
    plan = access_plan(actor, plan_id)
    wanted = PlanSnapshot.objects.filter(plan=plan, review_id__in=[review_a, review_b])
    snapshots = {s.review_id: s for s in wanted}
    for pk, field in ((review_a, "a"), (review_b, "b")):
        if pk not in snapshots:
            raise NotFound(_("No such review on this plan."), fields={field: [str(pk)]})
    return {
        "a": review_a,
        "b": review_b,
        "changes": snapshot_diff(snapshots[review_a].data, snapshots[review_b].data),
    }
