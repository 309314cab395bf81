from rest_framework import serializers

from apps.coordination.models import Handover, HospitalEvent, Review


class HandoverSerializer(serializers.ModelSerializer):
    class Meta:
        model = Handover
        fields = [
            "id",
            "plan",
            "state",
            "from_user",
            "from_organisation",
            "to_user",
            "to_organisation",
            "proposed_by",
            "note",
            "decline_reason",
            "decided_by",
            "created",
            "decided_at",
            "expires_at",
        ]
        read_only_fields = fields


class HandoverProposeSerializer(serializers.Serializer):
    to_user = serializers.IntegerField(min_value=1)
    to_organisation = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class HandoverDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ReviewSerializer(serializers.ModelSerializer):
    snapshot_version = serializers.IntegerField(source="snapshot.plan_version", read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "plan",
            "held_on",
            "outcome",
            "participants",
            "notes",
            "next_review",
            "recorded_by",
            "recorded_for",
            "created",
            "snapshot_version",
        ]
        read_only_fields = fields


class ReviewCreateSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    outcome = serializers.ChoiceField(choices=Review.Outcome.choices)
    participants = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=50
    )
    notes = serializers.CharField(max_length=8000, required=False, allow_blank=True, default="")
    next_review = serializers.DateField(required=False, allow_null=True)


class SnapshotSerializer(serializers.Serializer):
    review = serializers.IntegerField(source="review_id")
    plan_version = serializers.IntegerField()
    data = serializers.JSONField()  # type: ignore[assignment]  # the snapshot, named by the API
    created = serializers.DateTimeField()


class ReviewDiffSerializer(serializers.Serializer):
    """What changed from review ``a``'s frozen plan to review ``b``'s."""

    a = serializers.IntegerField()
    b = serializers.IntegerField()
    changes = serializers.DictField()  # type: ignore[assignment]  # by plan field, see snapshot_diff


class HospitalEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = HospitalEvent
        fields = ["id", "plan", "kind", "occurred_on", "notes", "recorded_by", "created"]
        read_only_fields = ["id", "plan", "recorded_by", "created"]
