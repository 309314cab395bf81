"""What the audit endpoints answer and read: the one definition the views render with and the
OpenAPI schema documents."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.audit import selectors
from apps.audit.models import AccessEvent, BreakGlass
from apps.core.api import fields as strict


class EventSerializer(strict.ModelSerializer):
    """One access event of the trail."""

    actor = serializers.IntegerField(source="actor_id", allow_null=True, read_only=True)
    organisation = serializers.IntegerField(
        source="organisation_id", allow_null=True, read_only=True
    )
    # ``citizen_shown`` (apps/audit/selectors.py): not on the refusal of someone else's attempt.
    citizen = serializers.SerializerMethodField()
    detail = serializers.DictField(read_only=True)

    class Meta:
        model = AccessEvent
        fields = [
            "id",
            "at",
            "actor",
            "organisation",
            "action",
            "object_type",
            "object_id",
            "citizen",
            "purpose",
            "outcome",
            "detail",
            "request_id",
            "client_address",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_citizen(self, event: AccessEvent) -> int | None:
        return getattr(event, "citizen_shown", event.citizen_id)


class UnusualEventSerializer(EventSerializer):
    """An event worth a second look, and why: refused, break-the-glass, or off the plan."""

    reason = serializers.SerializerMethodField()

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "reason"]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "enum": ["denied", "break_glass", "outside_plan"]})
    def get_reason(self, event: AccessEvent) -> str:
        return selectors.unusual_reason(event)


class BreakGlassSerializer(strict.ModelSerializer):
    """A break-the-glass grant: who, for which plan, why, until when, and its review."""

    actor = serializers.IntegerField(source="actor_id", read_only=True)
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    plan = serializers.IntegerField(source="plan_id", read_only=True)
    citizen = serializers.IntegerField(source="citizen_id", read_only=True)
    reviewed_by = serializers.IntegerField(source="reviewed_by_id", allow_null=True, read_only=True)

    class Meta:
        model = BreakGlass
        fields = [
            "id",
            "actor",
            "organisation",
            "plan",
            "citizen",
            "reason",
            "created_at",
            "expires_at",
            "reviewed_by",
            "reviewed_at",
            "review_note",
        ]
        read_only_fields = fields


class AccessReportEntrySerializer(serializers.Serializer):
    """One use of the citizen's data (an answer only: every field is read-only)."""

    at = serializers.DateTimeField(read_only=True)
    organisation = serializers.CharField(
        allow_null=True, read_only=True, help_text="The organisation's name"
    )
    organisation_id = serializers.IntegerField(allow_null=True, read_only=True)
    action = serializers.ChoiceField(choices=AccessEvent.Action.choices, read_only=True)
    action_label = serializers.CharField(read_only=True)
    object_type = serializers.CharField(read_only=True)
    purpose = serializers.CharField(allow_blank=True, read_only=True)
    # Not read-only, or the schema would make it required: it is left out where the service
    # does not name staff (the serializer only ever writes answers).
    staff = strict.CharField(
        allow_null=True, required=False, help_text="Only where the service names staff"
    )


class AccessReportSerializer(serializers.Serializer):
    """Every allowed use of the citizen's data (the citizen's right of access)."""

    citizen = serializers.IntegerField(source="citizen.pk", read_only=True)
    entries = AccessReportEntrySerializer(many=True, read_only=True)

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        # "staff" is left out, not null, when the service does not name staff.
        if not instance.get("staff_names"):
            for entry in data["entries"]:
                entry.pop("staff", None)
        return data


class BreakGlassInput(serializers.Serializer):
    cpr = strict.CharField(required=False, allow_blank=True, default="")
    reason = strict.CharField(required=False, allow_blank=True, default="")


class ReviewInput(serializers.Serializer):
    note = strict.CharField(required=False, allow_blank=True, default="", max_length=2000)
