"""Review pages: record a meeting (freezing the agreed plan), the agreed versions, one of them,
and what changed between two. Each calls the service or access check the API calls and is
audited as the API is: a view of the plan for what shows it, the service's own events for a
recorded review."""

from __future__ import annotations

import itertools

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from apps.access import audit
from apps.access.checks import Action, access_plan
from apps.access.context import Actor
from apps.coordination import reviews, selectors
from apps.coordination.models import PlanSnapshot
from apps.coordination.reviews import COORDINATE
from apps.coordination.web.common import allowed
from apps.coordination.web.forms import ReviewForm, errors_onto
from apps.coordination.web.frozen import names_for, snapshot_view
from apps.coordination.web.plandiff import diff_view
from apps.core.exceptions import ApplicationError, NotFound, PreconditionFailed
from apps.organisations.models import Organisation
from apps.plans.models import Goal, Plan
from apps.web.decorators import acting


def _may_record(actor: Actor, plan: Plan) -> bool:
    return plan.status != Plan.Status.CLOSED and allowed(
        lambda: access_plan(actor, plan.pk, COORDINATE, record=False)
    )


def _open_goals(plan: Plan) -> list[Goal]:
    """The goals a meeting rates: the plan's open ones, as ``review_record`` accepts them."""
    return list(plan.goals.filter(status=Goal.Status.OPEN).order_by("priority", "id"))


@acting
@require_GET
def review_list(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """The agreed versions, newest first, with a choice of two to compare."""
    plan = access_plan(actor, pk)
    items = list(selectors.plan_reviews(plan=plan))
    for newer, older in itertools.pairwise(items):
        newer.previous = older  # type: ignore[attr-defined]
    status, compare_error = 200, None
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    if a or b:
        known = {str(r.pk) for r in items}
        if a in known and b in known and a != b:
            return redirect("coordination:review-diff", plan.pk, int(a), int(b))
        status, compare_error = 400, _("Choose two different agreed versions to compare.")
    context = {
        "plan": plan,
        "reviews": items,
        "may_record": _may_record(actor, plan),
        "compare_error": compare_error,
        "a": a,
        "b": b,
    }
    return render(request, "coordination/review_list.html", context, status=status)


@acting
@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """The coordinator records a review meeting; others are refused as by the API (403)."""
    plan = access_plan(actor, pk, COORDINATE, record=False)
    organisations = list(Organisation.objects.filter(participations__plan=plan).order_by("name"))
    goals = _open_goals(plan)
    status = 200
    if request.method == "POST":
        form = ReviewForm(request.POST, organisations=organisations, goals=goals)
        if form.is_valid():
            data = form.cleaned_data
            try:
                review = reviews.review_record(
                    actor=actor,
                    plan_id=plan.pk,
                    expected_version=data["version"],
                    held_on=data["held_on"],
                    outcome=data["outcome"],
                    participants=form.participants(),
                    citizen_took_part=data["citizen_took_part"],
                    citizen_view=data["citizen_view"],
                    citizen_agreed=data["citizen_agreed"],
                    ratings=form.ratings(),
                    meeting_rating=form.meeting_rating(),
                    notes=data["notes"],
                    next_review=data["next_review"],
                )
            except PreconditionFailed:
                # Someone changed the plan while the form was open: the frozen version would
                # not be the one the meeting saw. Keep what was typed, offer the new version.
                plan.refresh_from_db()
                goals = _open_goals(plan)
                fresh = request.POST.copy()
                fresh["version"] = str(plan.version)
                form = ReviewForm(fresh, organisations=organisations, goals=goals)
                form.is_valid()
                form.add_error(
                    None,
                    _(
                        "The plan was changed by someone else while you filled in the form. "
                        "Look at the plan, then save again to freeze it as it is now."
                    ),
                )
                status = 409
            except ApplicationError as error:
                errors_onto(form, error, {"participants": "people"})
                status = error.status_code
            else:
                messages.success(
                    request,
                    _("The review is recorded and the plan frozen as agreed (version %(v)s).")
                    % {"v": review.snapshot.plan_version},
                )
                return redirect("coordination:reviews", plan.pk)
        else:
            status = 400
    else:
        form = ReviewForm(
            initial={"version": plan.version, "held_on": timezone.localdate()},
            organisations=organisations,
            goals=goals,
        )
    audit.record_objects(actor, Action.VIEW, [plan])  # the form shows the plan
    context = {"plan": plan, "form": form, "closed": plan.status == Plan.Status.CLOSED}
    return render(request, "coordination/review_new.html", context, status=status)


@acting
@require_GET
def review_detail(request: HttpRequest, actor: Actor, pk: int, review: int) -> HttpResponse:
    """One agreed version, readable: the meeting and the plan as it was frozen."""
    plan = access_plan(actor, pk)
    snapshot = selectors.plan_snapshot(plan=plan, review_id=review)
    if snapshot is None:
        raise Http404
    names = names_for([snapshot.data])
    items = list(selectors.plan_reviews(plan=plan).values_list("pk", flat=True))
    position = items.index(snapshot.review_id)
    context = {
        "plan": plan,
        "review": snapshot.review,
        "snapshot": snapshot,
        "frozen": snapshot_view(snapshot.data, names),
        "previous": items[position + 1] if position + 1 < len(items) else None,
    }
    return render(request, "coordination/review_detail.html", context)


@acting
@require_GET
def review_compare(request: HttpRequest, actor: Actor, pk: int, a: int, b: int) -> HttpResponse:
    """What changed from agreed version ``a`` to ``b``, as text with additions and removals."""
    try:
        result = reviews.review_diff(actor=actor, plan_id=pk, review_a=a, review_b=b)
    except NotFound as error:
        raise Http404 from error
    # review_diff checked access and recorded the view; this only fetches what it compared.
    plan = access_plan(actor, pk, record=False)
    snapshots = {
        s.review_id: s
        for s in PlanSnapshot.objects.filter(plan=plan, review_id__in=[a, b]).select_related(
            "review"
        )
    }
    before, after = snapshots[a], snapshots[b]
    names = names_for([before.data, after.data])
    context = {
        "plan": plan,
        "before": before,
        "after": after,
        "sections": diff_view(result["changes"], after.data, names, before.data),
    }
    return render(request, "coordination/review_diff.html", context)
