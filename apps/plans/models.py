from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from apps.citizens.models import Citizen
from apps.core.models import TimeStamped
from apps.organisations.models import Organisation

# The whole life, as the citizen lives it. The keys of the first six domains are kept as they
# were ("employment" now reads as work and education, "network" as leisure and network), so
# every plan and every frozen version written before stays valid as it is.
LIFE_DOMAINS = {
    "family": _("family and relationships"),
    "employment": _("work and education"),
    "network": _("leisure and network"),
    "physical_health": _("physical health"),
    "mental_health": _("mental health"),
    "substance_use": _("substance use"),
    "housing": _("housing"),
    "finances": _("finances"),
    "daily_living": _("daily living"),
}
TEXT_LIMIT = 4000


class Plan(TimeStamped):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        CLOSED = "closed", _("closed")

    class ClosedReason(models.TextChoices):
        GOALS_REACHED = "goals_reached", _("goals reached")
        NO_LONGER_NEEDED = "no_longer_needed", _("coordination no longer needed")
        CITIZEN_DECLINED = "citizen_declined", _("the citizen declined")
        MOVED = "moved", _("the citizen moved away")
        DECEASED = "deceased", _("the citizen died")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("consent withdrawn")

    citizen = models.ForeignKey(Citizen, on_delete=models.PROTECT, related_name="plans")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    closed_reason = models.CharField(
        _("reason for closing"), max_length=32, choices=ClosedReason.choices, blank=True
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # The coordinator (tovholder): a person and the organisation they act for, as one pair.
    coordinator_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="coordinated_plans",
    )
    coordinator_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, related_name="coordinated_plans"
    )
    organisations = models.ManyToManyField(  # type: ignore[var-annotated]
        Organisation, through="Participation", related_name="plans"
    )
    # The shared view of the citizen's life, per life domain (LIFE_DOMAINS): what is hard
    # (assessment) and what works (strengths), one text each.
    assessment = models.JSONField(_("assessment"), default=dict, blank=True)
    strengths = models.JSONField(_("what works"), default=dict, blank=True)
    # The citizen's own words: what matters to them, their hopes, their resources (personal
    # and in their network). The plan starts from these, not only from problems.
    what_matters = models.TextField(_("what matters to the citizen"), blank=True)
    hopes = models.TextField(_("hopes and dreams"), blank=True)
    resources = models.TextField(_("resources"), blank=True)
    next_review = models.DateField(_("next review"), null=True, blank=True)
    # Fast start: the day a caseworker saw the citizen motivated and ready, the deadline for
    # the first effort to start (working days after it), and the day one did start.
    motivated_on = models.DateField(_("motivated on"), null=True, blank=True)
    first_effort_due = models.DateField(_("first effort due"), null=True, blank=True)
    first_effort_on = models.DateField(_("first effort started on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.UniqueConstraint(
                fields=["citizen"],
                condition=~Q(status="closed"),
                name="plan_one_open_per_citizen",
            ),
            models.CheckConstraint(
                condition=Q(coordinator_user__isnull=True, coordinator_organisation__isnull=True)
                | Q(coordinator_user__isnull=False, coordinator_organisation__isnull=False),
                name="plan_coordinator_is_a_pair",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(coordinator_user__isnull=False),
                name="plan_active_has_coordinator",
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False)
                | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="plan_closed_has_time",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="plan_version_positive"),
            models.CheckConstraint(
                condition=Q(first_effort_due__isnull=True) | Q(motivated_on__isnull=False),
                name="plan_fast_start_has_motivation",
            ),
        ]
        indexes = [
            # The reminder sweep reads open plans by review date.
            models.Index(
                fields=["next_review"],
                condition=Q(status="active"),
                name="plan_active_next_review_idx",
            ),
            # The fast-start sweep reads plans still waiting for their first effort.
            models.Index(
                fields=["first_effort_due"],
                condition=Q(status="active", first_effort_on__isnull=True),
                name="plan_fast_start_idx",
            ),
            # The inactivity sweep reads active plans by their last change.
            models.Index(
                fields=["updated"], condition=Q(status="active"), name="plan_active_updated_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Plan {self.pk}"

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


class Participation(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="participations")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="participations"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "organisation"], name="participation_unique_plan_organisation"
            )
        ]
        indexes = [models.Index(fields=["organisation", "plan"], name="participation_org_plan_idx")]

    def __str__(self) -> str:
        return f"{self.organisation_id} in plan {self.plan_id}"


class Goal(TimeStamped):
    """A goal in the citizen's own words."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        REACHED = "reached", _("reached")
        DROPPED = "dropped", _("dropped")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("reached")
        PARTLY_REACHED = "partly_reached", _("partly reached")
        CHANGED = "changed", _("changed by the citizen")
        DROPPED = "dropped", _("dropped")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    text = models.TextField(_("goal in the citizen's own words"), max_length=2000)
    priority = models.PositiveSmallIntegerField(_("priority"), default=1)
    # Open, or ended; how it ended is the outcome, which the status follows (reached or
    # partly reached: reached; changed or dropped: dropped).
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, blank=True, default=""
    )
    outcome_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        ordering = ["priority", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="", outcome_on__isnull=True, status="open")
                | (~Q(outcome="") & Q(outcome_on__isnull=False) & ~Q(status="open")),
                name="goal_outcome_ends_it",
            )
        ]


class Effort(TimeStamped):
    """What one organisation does, with one named responsible person."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        ACTIVE = "active", _("active")
        ENDED = "ended", _("ended")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="efforts")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("description"), max_length=4000)
    # The goals this effort serves (goals of the same plan; the service checks that).
    goals = models.ManyToManyField(Goal, related_name="efforts", blank=True)  # type: ignore[var-annotated]
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="effort_ends_after_start",
            )
        ]


class Agreement(TimeStamped):
    """Who does what until the next meeting."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="agreements")
    text = models.TextField(_("agreement"), max_length=2000)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due = models.DateField(_("due"), null=True, blank=True)
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The sweep reads open agreements by due date.
            models.Index(
                fields=["due"],
                condition=Q(done=False, due__isnull=False),
                name="agreement_open_due_idx",
            )
        ]


class NetworkMember(TimeStamped):
    """A person who matters to the citizen (a relative, a friend, a neighbour): not a user of
    the service, but on the plan with what the citizen agrees they may be told."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="network")
    name = models.CharField(_("name"), max_length=200)
    relation = models.CharField(_("relation to the citizen"), max_length=100)
    contact = models.CharField(_("how to reach them"), max_length=200, blank=True)
    may_be_told = models.TextField(_("what they may be told"), max_length=2000, blank=True)
    takes_part = models.BooleanField(_("takes part in meetings"), default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("person in the network")
        verbose_name_plural = _("the citizen's network")
        constraints = [
            models.CheckConstraint(
                condition=~Q(name="") & ~Q(relation=""), name="network_member_named_related"
            )
        ]

    def __str__(self) -> str:
        return f"{self.relation} on plan {self.plan_id}"


# django-guardian with direct foreign keys: one row per organisation (group) and plan.
class PlanGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Plan, on_delete=models.CASCADE)


class PlanUserObjectPermission(UserObjectPermissionBase):
    # Never granted (access is per organisation), but it keeps guardian off its generic table.
    content_object = models.ForeignKey(Plan, on_delete=models.CASCADE)
