from rest_framework import serializers

from apps.core.api import fields as strict
from apps.plans.models import Agreement, Effort, Goal, Plan


class CoordinatorSerializer(serializers.Serializer):
    user = strict.IdField()
    organisation = strict.IdField()


class PlanSerializer(strict.ModelSerializer):
    coordinator = serializers.SerializerMethodField()
    participants = serializers.SerializerMethodField()

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
            "version",
            "created",
            "updated",
        ]

    def get_coordinator(self, plan: Plan) -> dict | None:
        if plan.coordinator_user_id is None:
            return None
        return {"user": plan.coordinator_user_id, "organisation": plan.coordinator_organisation_id}

    def get_participants(self, plan: Plan) -> list[int]:
        # Prefetched by the selector; sorted here, not with another query.
        return sorted(p.organisation_id for p in plan.participations.all())


class GoalSerializer(strict.ModelSerializer):
    class Meta:
        model = Goal
        fields = ["id", "text", "priority", "status", "created", "updated"]
        read_only_fields = ["id", "created", "updated"]


class EffortSerializer(strict.ModelSerializer):
    class Meta:
        model = Effort
        fields = [
            "id",
            "organisation",
            "responsible",
            "description",
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


class PlanDetailSerializer(PlanSerializer):
    goals = GoalSerializer(many=True, read_only=True)
    efforts = EffortSerializer(many=True, read_only=True)
    agreements = AgreementSerializer(many=True, read_only=True)

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "assessment", "goals", "efforts", "agreements"]


class PlanCreateSerializer(serializers.Serializer):
    citizen = strict.IdField()
    coordinator = CoordinatorSerializer()
    participants = serializers.ListField(child=strict.IdField(), min_length=1, max_length=20)
    next_review = strict.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(
        choices=[Plan.Status.DRAFT, Plan.Status.ACTIVE], default=Plan.Status.DRAFT
    )
    assessment = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=4000), required=False
    )


class PlanUpdateSerializer(serializers.Serializer):
    next_review = strict.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=Plan.Status.choices, required=False)
    assessment = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=4000), required=False
    )


class PlanCloseSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Plan.ClosedReason.choices)


class ParticipantSerializer(serializers.Serializer):
    organisation = strict.IdField()
