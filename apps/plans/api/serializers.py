from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from apps.coordination.models import Transition
from apps.core.api import fields as strict
from apps.plans.faststart import days_to_first_effort
from apps.plans.models import TEXT_LIMIT, Agreement, Effort, Goal, NetworkMember, Plan


class CoordinatorSerializer(serializers.Serializer):
    user = strict.IdField()
    organisation = strict.IdField()


class PlanSerializer(strict.ModelSerializer):
    coordinator = serializers.SerializerMethodField()
    participants = serializers.SerializerMethodField()
    days_to_first_effort = serializers.SerializerMethodField(
        help_text="Fast start: calendar days from motivated_on to first_effort_on."
    )

    class Meta:
        model = Plan
        fields = [
            "id",
            "citizen",
            "status",
            "closed_reason",
            "coordinator",
            "participants",
            "next_review",
            "motivated_on",
            "first_effort_due",
            "first_effort_on",
            "days_to_first_effort",
            "version",
            "created",
            "updated",
        ]
        # Fast start: motivated_on is written through PATCH; the rest follows from it.
        read_only_fields = ["first_effort_due", "first_effort_on"]

    def get_days_to_first_effort(self, plan: Plan) -> int | None:
        return days_to_first_effort(plan)

    def get_coordinator(self, plan: Plan) -> dict | None:
        if plan.coordinator_user_id is None:
            return None
        return {"user": plan.coordinator_user_id, "organisation": plan.coordinator_organisation_id}

    def get_participants(self, plan: Plan) -> list[int]:
        # Prefetched by the selector; sorted here, not with another query.
        return sorted(p.organisation_id for p in plan.participations.all())


class GoalSerializer(strict.ModelSerializer):
    # The efforts that serve the goal (read; an effort names its goals).
    efforts = serializers.SerializerMethodField()

    class Meta:
        model = Goal
        fields = [
            "id",
            "text",
            "priority",
            "status",
            "outcome",
            "outcome_on",
            "efforts",
            "created",
            "updated",
        ]
        read_only_fields = ["id", "efforts", "created", "updated"]
        extra_kwargs = {"outcome": {"allow_blank": True, "allow_null": True}}

    def get_efforts(self, goal: Goal) -> list[int]:
        return sorted(effort.pk for effort in goal.efforts.all())

    def to_representation(self, goal: Goal) -> dict:
        body = super().to_representation(goal)
        body["outcome"] = body["outcome"] or None
        return body


class GoalIdsField(serializers.ListField):
    """Goal ids: read from the (prefetched) relation, written as given; the service checks
    they are goals of the same plan (400 naming ``goals``)."""

    child = strict.IdField()

    def to_representation(self, data: Any) -> list[int]:
        return sorted(goal.pk for goal in data.all())


class EffortSerializer(strict.ModelSerializer):
    goals = GoalIdsField(max_length=50, required=False)

    class Meta:
        model = Effort
        fields = [
            "id",
            "organisation",
            "responsible",
            "description",
            "goals",
            "status",
            "starts_on",
            "ends_on",
            "created",
            "updated",
        ]
        read_only_fields = ["id", "organisation", "created", "updated"]


class AgreementSerializer(strict.ModelSerializer):
    class Meta:
        model = Agreement
        fields = ["id", "text", "responsible", "due", "done", "created", "updated"]
        read_only_fields = ["id", "created", "updated"]


class NetworkMemberSerializer(strict.ModelSerializer):
    """A person in the citizen's network (not a user of the service)."""

    class Meta:
        model = NetworkMember
        fields = [
            "id",
            "name",
            "relation",
            "contact",
            "may_be_told",
            "takes_part",
            "created",
            "updated",
        ]
        read_only_fields = ["id", "created", "updated"]


class PlanDetailSerializer(PlanSerializer):
    goals = GoalSerializer(many=True, read_only=True)
    efforts = EffortSerializer(many=True, read_only=True)
    agreements = AgreementSerializer(many=True, read_only=True)
    network = NetworkMemberSerializer(many=True, read_only=True)

    class Meta(PlanSerializer.Meta):
        fields = [
            *PlanSerializer.Meta.fields,
            "what_matters",
            "hopes",
            "resources",
            "assessment",
            "strengths",
            "goals",
            "efforts",
            "agreements",
            "network",
        ]


def _domains() -> serializers.DictField:
    return serializers.DictField(
        child=strict.CharField(allow_blank=True, max_length=TEXT_LIMIT), required=False
    )


def _words() -> strict.CharField:
    return strict.CharField(allow_blank=True, max_length=TEXT_LIMIT, required=False)


class PlanCreateSerializer(serializers.Serializer):
    citizen = strict.IdField()
    coordinator = CoordinatorSerializer()
    participants = serializers.ListField(child=strict.IdField(), min_length=1, max_length=20)
    next_review = strict.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(
        choices=[Plan.Status.DRAFT, Plan.Status.ACTIVE], default=Plan.Status.DRAFT
    )
    assessment = _domains()
    strengths = _domains()
    what_matters = _words()
    hopes = _words()
    resources = _words()


class PlanUpdateSerializer(serializers.Serializer):
    next_review = strict.DateField(required=False, allow_null=True)
    # Fast start: the day the citizen was motivated (null clears it before a first effort);
    # first_effort_due follows from it and is not written.
    motivated_on = strict.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=Plan.Status.choices, required=False)
    assessment = _domains()
    strengths = _domains()
    what_matters = _words()
    hopes = _words()
    resources = _words()

    def validate(self, attrs: dict) -> dict:
        # The fast-start deadline and start follow from motivated_on: sent, they would be
        # silently dropped, so the client is told instead.
        for name in ("first_effort_due", "first_effort_on"):
            if isinstance(self.initial_data, dict) and name in self.initial_data:
                raise serializers.ValidationError(
                    {name: [_("Read only: it follows from motivated_on.")]}, code="read_only"
                )
        return attrs


class PlanCloseSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Plan.ClosedReason.choices)


class ParticipantChangeSerializer(serializers.Serializer):
    """A change of participants may be marked as a transition on the citizen's path."""

    transition = serializers.ChoiceField(
        choices=Transition.Kind.choices,
        required=False,
        allow_null=True,
        write_only=True,
        help_text="Mark the change as a transition on the citizen's path (with the "
        "organisation joining or leaving).",
    )
    note = strict.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        write_only=True,
        help_text="The transition's note (only with transition).",
    )


class ParticipantSerializer(ParticipantChangeSerializer):
    organisation = strict.IdField()
