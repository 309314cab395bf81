"""The demo's earlier review meetings on Mette Jensen's plan: rated goals and meetings to show
at first start, her next review still due today, and nothing added by a second run."""

from __future__ import annotations

from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.utils import timezone

from apps.access.context import actor_for
from apps.coordination.models import GoalRating, PlanSnapshot, Review
from apps.coordination.reviews import goal_progress
from apps.plans.models import Plan


def test_mette_jensens_plan_has_two_rated_reviews_and_is_still_due_today(db, settings):
    settings.KIP_DEMO_PASSWORD = "demo-password-for-tests"
    call_command("seed_demo", force=True, verbosity=0)
    counts = (Review.objects.count(), GoalRating.objects.count(), PlanSnapshot.objects.count())
    call_command("seed_demo", force=True, verbosity=0)
    assert (
        (
            Review.objects.count(),
            GoalRating.objects.count(),
            PlanSnapshot.objects.count(),
        )
        == counts
        == (2, 2, 2)
    )

    plan = Plan.objects.select_related("coordinator_user").get(citizen__name="Mette Jensen")
    today = timezone.localdate()
    assert plan.next_review == today
    reviews = list(plan.reviews.order_by("held_on"))
    assert [r.held_on for r in reviews] == [
        today - relativedelta(months=5),
        today - relativedelta(months=2),
    ]
    assert all(r.citizen_agreed and r.citizen_took_part for r in reviews)
    assert all(r.heard is not None and r.overall is not None for r in reviews)
    actor = actor_for(plan.coordinator_user, plan.coordinator_organisation_id)
    progress = goal_progress(actor=actor, plan_id=plan.pk, goal_id=plan.goals.get().pk)
    assert [(p["citizen"], p["professional"]) for p in progress] == [(3, 4), (5, 6)]


def test_mette_jensens_plan_began_before_its_first_meeting(db, settings):
    """The citizen's path lists the plan's start first, not after meetings held before it."""
    settings.KIP_DEMO_PASSWORD = "demo-password-for-tests"
    call_command("seed_demo", force=True, verbosity=0)
    plan = Plan.objects.get(citizen__name="Mette Jensen")
    first = plan.reviews.order_by("held_on").first()
    assert first is not None
    assert timezone.localtime(plan.created).date() < first.held_on
