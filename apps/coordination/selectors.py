"""Reads for the coordination pages. Each takes a plan the caller already has through
``apps.access`` (``access_plan`` and friends), so nothing here widens what anyone sees."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from apps.citizens.services import organisations_covered
from apps.coordination.models import Handover, PlanSnapshot, Review
from apps.organisations.models import Membership, Organisation
from apps.plans.models import Plan


def handover_receivers(*, plan: Plan) -> list[Membership]:
    """Who the coordinator role of ``plan`` may be offered to, as (person, organisation) pairs.

    The rule of ``apps.access.handovers.handover_receiver_check``, as a query: a caseworker of
    an organisation the citizen's consent covers now (an organisation on the plan is covered;
    one that is not on it yet joins when it accepts), except the coordinator as they act now.
    """
    covered = organisations_covered(citizen=plan.citizen)
    return list(
        Membership.objects.filter(role=Membership.Role.CASEWORKER, organisation_id__in=covered)
        .exclude(
            Q(user_id=plan.coordinator_user_id)
            & Q(organisation_id=plan.coordinator_organisation_id)
        )
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__first_name", "user__last_name", "user__username")
    )


def plan_pending_handover(*, plan: Plan) -> Handover | None:
    return plan.handovers.filter(state=Handover.State.PROPOSED).first()


def plan_reviews(*, plan: Plan) -> QuerySet[Review]:
    """The plan's reviews, newest meeting first, with who recorded them and the frozen version."""
    return Review.objects.filter(plan=plan).select_related(
        "snapshot", "recorded_by", "recorded_for"
    )


def plan_snapshot(*, plan: Plan, review_id: int) -> PlanSnapshot | None:
    return (
        PlanSnapshot.objects.filter(plan=plan, review_id=review_id)
        .select_related("review", "review__recorded_by", "review__recorded_for")
        .first()
    )


def names(
    *, user_ids: Iterable[int | None], organisation_ids: Iterable[int | None]
) -> tuple[dict[int, str], dict[int, str]]:
    """People's and organisations' names by id, for showing frozen plans (which keep ids)."""
    users = {
        u.pk: u.get_full_name() or u.get_username()
        for u in get_user_model().objects.filter(pk__in={i for i in user_ids if i})
    }
    organisations = dict(
        Organisation.objects.filter(pk__in={i for i in organisation_ids if i}).values_list(
            "pk", "name"
        )
    )
    return users, organisations
