"""Everything the plan page and its sections show, read in a fixed number of queries.

The plan comes through ``apps.access`` (404/403 and the audit event); what the page may offer
the actor (``Controls``) is asked of ``apps.access`` too, so a control is shown exactly when the
service behind it would accept the write.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from apps.access import audit
from apps.access.checks import Action, access_plan, is_coordinator, may_write_plan
from apps.access.context import Actor
from apps.audit.models import BreakGlass
from apps.citizens.services import organisations_covered
from apps.coordination.discharge import DischargeAgreements, discharge_agreements
from apps.coordination.models import GoalRating, Handover, HospitalEvent, Review
from apps.coordination.path import CitizenPath, citizen_path
from apps.notifications.workdays import working_days_between
from apps.organisations.models import Membership, Organisation
from apps.plans.faststart import FastStart, fast_start_view
from apps.plans.models import LIFE_DOMAINS, Agreement, Effort, Goal, Participation, Plan
from apps.plans.web.consents import ConsentNotice, consent_notices
from apps.plans.web.progress import progress_chart
from apps.web.mywork import review_state

COORDINATE = "coordinate"
# The plan page shows the latest few; the coordination pages hold the full lists.
RECENT = 10


@dataclass(frozen=True)
class Controls:
    """What the actor may do on this plan; the page shows only these controls."""

    edit: bool = False  # goals, assessment, agreements, own efforts, hospital events
    coordinate: bool = False  # participants, next review, reviews, close
    handover: bool = False  # propose a handover (coordinator, or a manager of its organisation)


@dataclass(frozen=True)
class Coverage:
    organisation: Organisation
    takes_part: bool
    covered: bool
    coordinates: bool


@dataclass(frozen=True)
class Domain:
    """One life domain of the assessment: what is hard and what works, in the plan's words."""

    key: str
    label: str
    hard: str
    works: str


@dataclass
class PlanPage:
    plan: Plan
    actor: Actor
    may: Controls
    coverage: list[Coverage]
    addable: list[Organisation]  # covered by consent, not on the plan: the coordinator may add
    uncovered: list[Organisation]  # not covered by consent: cannot take part
    assessment: list[tuple[str, str, str]]  # (key, label, text)
    review: str | None  # "overdue" | "due" | "upcoming" | None
    review_working_days: int
    today: dt.date
    domains: list[Domain] = field(default_factory=list)
    hospital_events: list[HospitalEvent] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    handover: Handover | None = None
    glass: BreakGlass | None = None  # the grant, when the plan is seen through break-the-glass
    glass_reason: str | None = None
    discharge: DischargeAgreements | None = None  # admissions and their discharge agreements
    fast_start: FastStart | None = None  # the "Hurtig start" box
    consent_notices: list[ConsentNotice] = field(default_factory=list)  # consent running out
    path: CitizenPath | None = None  # "Borgerens vej": the citizen's path over time

    @property
    def review_days_late(self) -> int:
        return -self.review_working_days

    @property
    def open_goals(self) -> list[Goal]:
        return [g for g in self.plan.goals.all() if not g.outcome]

    @property
    def ended_goals(self) -> list[Goal]:
        ended = [g for g in self.plan.goals.all() if g.outcome]
        return sorted(ended, key=lambda g: (g.outcome_on or self.today, g.pk), reverse=True)

    @property
    def has_words(self) -> bool:
        return bool(self.plan.what_matters or self.plan.hopes or self.plan.resources)

    def may_edit_effort(self, effort: Effort) -> bool:
        return self.may.edit and effort.organisation_id == self.actor.organisation.pk


def plan_for_page(
    actor: Actor, plan_id: Any, action: str = Action.VIEW, *, record: bool = True
) -> Plan:
    """The plan through ``apps.access`` (404 unseen, 403 for a write the actor may not take).

    A page that shows the plan records one view (``break_glass`` when seen through a grant),
    also when it was asked for a form: the form shows the plan's data.
    """
    plan = access_plan(actor, plan_id, action, record=False)
    if record:
        audit.record_objects(actor, Action.VIEW, [plan])
    return plan


def plan_page(actor: Actor, plan: Plan, *, today: dt.date | None = None) -> PlanPage:
    """Read every section of the plan page for ``plan`` (already checked by ``apps.access``)."""
    today = today or timezone.localdate()
    prefetch_related_objects(
        [plan],
        "citizen",
        "coordinator_user",
        "coordinator_organisation",
        Prefetch(
            "participations",
            queryset=Participation.objects.select_related("organisation").order_by(
                "organisation__name"
            ),
        ),
        "goals",
        Prefetch(
            "efforts",
            queryset=Effort.objects.select_related("organisation", "responsible")
            .prefetch_related("goals")
            .order_by("organisation__name", "id"),
        ),
        Prefetch("agreements", queryset=Agreement.objects.select_related("responsible")),
        "network",
    )
    open_plan = plan.status != Plan.Status.CLOSED
    glass = bool(audit.break_glass_reason(plan))
    coordinating = is_coordinator(actor, plan)
    may = Controls(
        edit=open_plan and may_write_plan(actor, plan),
        coordinate=open_plan and may_write_plan(actor, plan, COORDINATE),
        handover=open_plan
        and not glass
        and (
            (actor.is_caseworker and coordinating)
            or (actor.is_manager and actor.organisation.pk == plan.coordinator_organisation_id)
        ),
    )
    covered = organisations_covered(citizen=plan.citizen)
    participating = {p.organisation_id for p in plan.participations.all()}
    coverage = [
        Coverage(
            organisation=p.organisation,
            takes_part=True,
            covered=p.organisation_id in covered,
            coordinates=p.organisation_id == plan.coordinator_organisation_id,
        )
        for p in plan.participations.all()
    ]
    others = [o for o in Organisation.objects.order_by("name") if o.pk not in participating]
    state = review_state(plan.next_review, today) if plan.next_review else None
    days = working_days_between(today, plan.next_review) if plan.next_review else 0
    page = PlanPage(
        plan=plan,
        actor=actor,
        may=may,
        coverage=coverage,
        addable=[o for o in others if o.pk in covered],
        uncovered=[o for o in others if o.pk not in covered],
        assessment=[
            (key, str(label), plan.assessment.get(key, "")) for key, label in LIFE_DOMAINS.items()
        ],
        domains=[
            Domain(
                key,
                str(label),
                plan.assessment.get(key, ""),
                plan.strengths.get(key, ""),
            )
            for key, label in LIFE_DOMAINS.items()
        ],
        review=state if plan.status == Plan.Status.ACTIVE else None,
        review_working_days=days,
        today=today,
    )
    page.hospital_events = list(
        HospitalEvent.objects.filter(plan=plan).select_related("recorded_by", "recorded_for")[
            :RECENT
        ]
    )
    page.reviews = list(Review.objects.filter(plan=plan).select_related("recorded_by")[:RECENT])
    page.handover = (
        Handover.objects.filter(plan=plan, state=Handover.State.PROPOSED)
        .select_related("from_user", "from_organisation", "to_user", "to_organisation")
        .first()
    )
    if glass:
        page.glass_reason = audit.break_glass_reason(plan)
        page.glass = (
            BreakGlass.objects.active()
            .filter(actor_id=actor.user.pk, organisation_id=actor.organisation.pk, plan=plan)
            .order_by("-expires_at")
            .first()
        )
    page.discharge = discharge_agreements(plan, page.hospital_events, today=today)
    page.path = citizen_path(plan)
    page.fast_start = fast_start_view(plan, today)
    page.consent_notices = consent_notices(
        citizen_id=plan.citizen_id,
        participants={p.organisation_id: p.organisation for p in plan.participations.all()},
    )
    _agreement_organisations(plan, participating)
    _goal_efforts_and_progress(plan)
    return page


def _goal_efforts_and_progress(plan: Plan) -> None:
    """Each goal's ``serving`` (the efforts that serve it, with their organisations) and
    ``progress`` (the chart of its ratings across reviews, None without ratings), read for the
    whole plan at once: one query for the ratings, whatever the number of goals."""
    goals = list(plan.goals.all())
    serving: dict[int, list[Effort]] = {g.pk: [] for g in goals}
    for effort in plan.efforts.all():
        for goal in effort.goals.all():
            serving.setdefault(goal.pk, []).append(effort)
    ratings: dict[int, list[GoalRating]] = {}
    for rating in (
        GoalRating.objects.filter(review__plan=plan)
        .select_related("review")
        .order_by("review__held_on", "review_id")
    ):
        ratings.setdefault(rating.goal_id, []).append(rating)
    for goal in goals:
        goal.serving = serving.get(goal.pk, [])  # type: ignore[attr-defined]
        goal.progress = progress_chart(goal, ratings.get(goal.pk, []))  # type: ignore[attr-defined]


def _agreement_organisations(plan: Plan, participating: set[int]) -> None:
    """Each agreement's ``responsible_organisation``: whom its person works for on this plan."""
    agreements = list(plan.agreements.all())
    people = {a.responsible_id for a in agreements if a.responsible_id}
    found: dict[int, Organisation] = {}
    if people:
        memberships = (
            Membership.objects.filter(user_id__in=people, organisation_id__in=participating)
            .select_related("organisation")
            .order_by("organisation__name")
        )
        for membership in memberships:
            found.setdefault(membership.user_id, membership.organisation)
    for agreement in agreements:
        agreement.responsible_organisation = found.get(agreement.responsible_id or 0)  # type: ignore[attr-defined]
