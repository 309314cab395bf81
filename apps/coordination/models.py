"""Coordination: handover of the coordinator role, reviews with snapshots, hospital events."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.organisations.models import Organisation
from apps.plans.models import Goal, Plan

MEETING_RATINGS = ("heard", "what_matters", "approach", "overall")


class Handover(models.Model):
    class State(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        CANCELLED = "cancelled", _("cancelled")
        EXPIRED = "expired", _("expired")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="handovers")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="handovers_given"
    )
    from_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="handovers_received"
    )
    to_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PROPOSED
    )
    decline_reason = models.TextField(_("reason for declining"), max_length=2000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan"], condition=Q(state="proposed"), name="handover_one_pending_per_plan"
            ),
            models.CheckConstraint(
                condition=Q(state="proposed", decided_at__isnull=True)
                | (~Q(state="proposed") & Q(decided_at__isnull=False)),
                name="handover_decided_has_time",
            ),
        ]
        indexes = [
            # The sweep reads pending handovers by creation / expiry.
            models.Index(
                fields=["created"], condition=Q(state="proposed"), name="handover_pending_idx"
            ),
            models.Index(fields=["to_user", "-id"], name="handover_to_user_idx"),
            models.Index(fields=["from_user", "-id"], name="handover_from_user_idx"),
        ]

    def __str__(self) -> str:
        return f"Handover {self.pk} ({self.state})"


class Review(models.Model):
    """A review meeting (opfølgning) with the plan frozen as it was agreed."""

    class Outcome(models.TextChoices):
        CONTINUE = "continue", _("continue")
        CHANGE = "change", _("change the plan")
        CLOSE = "close", _("close the plan")
        REASSESS = "reassess", _("reassess")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField(_("held on"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    notes = models.TextField(_("notes"), max_length=8000, blank=True)
    participants = models.JSONField(_("participants"), default=list, blank=True)
    citizen_took_part = models.BooleanField(_("the citizen took part"), default=False)
    # The citizen's own view of how things are going, in their words (a meeting without it is
    # a meeting about the citizen, not with them).
    citizen_view = models.TextField(_("the citizen's own view"), max_length=4000, blank=True)
    citizen_agreed = models.BooleanField(_("the citizen agreed to the plan"), default=False)
    # The citizen's rating of the meeting itself (0-10 each, after FIT's session scale): was I
    # heard, did we talk about what matters to me, did the way we worked suit me, overall.
    heard = models.PositiveSmallIntegerField(_("heard and understood"), null=True, blank=True)
    what_matters = models.PositiveSmallIntegerField(
        _("talked about what matters to me"), null=True, blank=True
    )
    approach = models.PositiveSmallIntegerField(
        _("the way we worked suited me"), null=True, blank=True
    )
    overall = models.PositiveSmallIntegerField(_("overall"), null=True, blank=True)
    next_review = models.DateField(_("next review"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_for = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"{name}__lte": 10}) | Q(**{f"{name}__isnull": True}),
                name=f"review_{name}_0_10",
            )
            for name in MEETING_RATINGS
        ]
        indexes = [models.Index(fields=["plan", "held_on"], name="review_plan_held_idx")]

    def __str__(self) -> str:
        return f"Review {self.pk} of plan {self.plan_id}"


class GoalRating(models.Model):
    """At a review, where a goal stands (0-10): the citizen's rating ("hvor er du nu?") and,
    separately, the professional's, each with a short note."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="ratings")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="ratings")
    citizen = models.PositiveSmallIntegerField(_("the citizen's rating"), null=True, blank=True)
    professional = models.PositiveSmallIntegerField(
        _("the professional's rating"), null=True, blank=True
    )
    citizen_note = models.CharField(_("the citizen's note"), max_length=500, blank=True)
    note = models.CharField(_("the professional's note"), max_length=500, blank=True)

    class Meta:
        ordering = ["goal_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "goal"], name="rating_one_per_goal"),
            models.CheckConstraint(
                condition=(Q(citizen__lte=10) | Q(citizen__isnull=True))
                & (Q(professional__lte=10) | Q(professional__isnull=True)),
                name="rating_0_10",
            ),
        ]
        indexes = [models.Index(fields=["goal", "review"], name="rating_goal_review_idx")]

    def __str__(self) -> str:
        return f"Rating of goal {self.goal_id} at review {self.review_id}"


class PlanSnapshot(models.Model):
    """Read-only JSON of the plan detail as agreed at a review."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="snapshots")
    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="snapshot")
    plan_version = models.PositiveIntegerField()
    data = models.JSONField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Snapshot {self.pk} of plan {self.plan_id}"


class HospitalEvent(models.Model):
    """Admission to or discharge from a psychiatric ward (psykiatriloven § 13 a-c)."""

    class Kind(models.TextChoices):
        ADMISSION = "admission", _("admission")
        DISCHARGE = "discharge", _("discharge")
        EXPECTED_DISCHARGE = "expected_discharge", _("expected discharge")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="hospital_events")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    notes = models.TextField(_("notes"), max_length=4000, blank=True)
    # An admission within KIP_READMISSION_DAYS of a discharge (genindlæggelse).
    readmission = models.BooleanField(_("readmission"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_for = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(readmission=False) | Q(kind="admission"),
                name="hospital_readmission_is_admission",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} on plan {self.plan_id}"


class DischargeTask(models.Model):
    """One line of a discharge agreement (psykiatriloven § 13 a-c): who does what on the day
    of discharge and the first week (housing, medicine, an appointment, a contact person)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="discharge_tasks")
    # The admission the agreement is made for.
    admission = models.ForeignKey(
        HospitalEvent, on_delete=models.PROTECT, related_name="discharge_tasks"
    )
    description = models.TextField(_("what is to be done"), max_length=2000)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The organisation the responsible person acts for (whose manager hears when it is missed).
    responsible_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    due = models.DateField(_("due"))
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("discharge task")
        verbose_name_plural = _("discharge agreement")
        ordering = ["due", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done=False, done_at__isnull=True) | Q(done=True, done_at__isnull=False),
                name="discharge_task_done_has_time",
            )
        ]
        indexes = [
            # The sweep reads open tasks by due date.
            models.Index(
                fields=["due"], condition=Q(done=False), name="discharge_task_open_due_idx"
            )
        ]

    def __str__(self) -> str:
        return f"Discharge task {self.pk} of plan {self.plan_id}"


class Transition(models.Model):
    """A step on the citizen's path between places or sectors, where "the red thread" must
    not be lost: marked on a handover or a change of participants, or recorded on its own."""

    class Kind(models.TextChoices):
        SHELTER_TO_HOUSING = "shelter_to_housing", _("from shelter to own housing")
        HOSPITAL_TO_HOME = "hospital_to_home", _("from hospital to home")
        TREATMENT_TO_WORK = "treatment_to_work", _("from treatment to work or education")
        YOUTH_TO_ADULT = "youth_to_adult", _("from youth to adult services")
        OTHER = "other", _("other transition")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="transitions")
    kind = models.CharField(_("transition"), max_length=32, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    # What the transition rode on, if anything: a handover of the coordinator role, or an
    # organisation joining or leaving the plan.
    handover = models.OneToOneField(
        Handover, on_delete=models.PROTECT, null=True, blank=True, related_name="transition"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)
    # The receiving side's note: what they will carry on.
    receiving_note = models.TextField(_("the receiving side's note"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_for = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")
        ordering = ["occurred_on", "id"]
        indexes = [models.Index(fields=["plan", "occurred_on"], name="transition_plan_idx")]

    def __str__(self) -> str:
        return f"{self.kind} on plan {self.plan_id}"
