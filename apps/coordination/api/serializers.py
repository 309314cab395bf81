from rest_framework import serializers

from apps.coordination.models import Handover, HospitalEvent, Review
from apps.core.api import fields as strict


class HandoverSerializer(strict.ModelSerializer):
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
    to_user = strict.IdField()
    to_organisation = strict.IdField(required=False, allow_null=True)
    note = strict.CharField(max_length=2000, required=False, allow_blank=True, default="")


class HandoverDeclineSerializer(serializers.Serializer):
    reason = strict.CharField(max_length=2000)


class ReviewSerializer(strict.ModelSerializer):
    snapshot_version = strict.IntegerField(source="snapshot.plan_version", read_only=True)

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
            "citizen_took_part",
            "citizen_view",
        ]
        read_only_fields = fields


class ReviewCreateSerializer(serializers.Serializer):
    held_on = strict.DateField()
    outcome = serializers.ChoiceField(choices=Review.Outcome.choices)
    participants = serializers.ListField(
        child=strict.CharField(max_length=200), required=False, max_length=50
    )
    notes = strict.CharField(max_length=8000, required=False, allow_blank=True, default="")
    next_review = strict.DateField(required=False, allow_null=True)
    citizen_took_part = serializers.BooleanField(required=False, default=False)
    citizen_view = strict.CharField(max_length=4000, required=False, allow_blank=True, default="")


class SnapshotSerializer(serializers.Serializer):
    review = strict.IntegerField(source="review_id")
    plan_version = strict.IntegerField()
    data = serializers.JSONField()  # type: ignore[assignment]  # the snapshot, named by the API
    created = strict.DateTimeField()


class ReviewDiffSerializer(serializers.Serializer):
    """What changed from review ``a``'s frozen plan to review ``b``'s."""

    a = strict.IntegerField(read_only=True)
    b = strict.IntegerField(read_only=True)
    changes = serializers.DictField(read_only=True)  # type: ignore[assignment]  # see snapshot_diff


class HospitalEventSerializer(strict.ModelSerializer):
    class Meta:
        model = HospitalEvent
        fields = ["id", "plan", "kind", "occurred_on", "notes", "recorded_by", "created"]
        read_only_fields = ["id", "plan", "recorded_by", "created"]
