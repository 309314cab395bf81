from django.contrib.auth import get_user_model
from rest_framework import serializers

from apps.core.api import fields as strict
from apps.organisations.models import Membership, Organisation, RoleHistory


class StaffSerializer(strict.ModelSerializer):
    """A person of the acting organisation, with their role there."""

    id = strict.IntegerField(source="user.id", read_only=True)
    username = strict.CharField(source="user.username", read_only=True)
    email = strict.CharField(source="user.email", read_only=True)
    first_name = strict.CharField(source="user.first_name", read_only=True)
    last_name = strict.CharField(source="user.last_name", read_only=True)
    is_active = serializers.BooleanField(source="user.is_active", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "username", "email", "first_name", "last_name", "role", "is_active"]


class StaffCreateSerializer(serializers.Serializer):
    username = strict.CharField(max_length=150)
    email = strict.EmailField()
    first_name = strict.CharField(max_length=150, required=False, allow_blank=True)
    last_name = strict.CharField(max_length=150, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class AdministratorCreateSerializer(serializers.Serializer):
    username = strict.CharField(max_length=150)
    email = strict.EmailField()
    first_name = strict.CharField(max_length=150, required=False, allow_blank=True)
    last_name = strict.CharField(max_length=150, required=False, allow_blank=True)


class RoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices)
    reason = strict.CharField(max_length=500, required=False, allow_blank=True)


class ReasonSerializer(serializers.Serializer):
    reason = strict.CharField(max_length=500)


class ImportSerializer(serializers.Serializer):
    csv = strict.CharField(max_length=200_000, trim_whitespace=False)
    dry_run = serializers.BooleanField(default=True)


class ImportRowSerializer(serializers.Serializer):
    line = strict.IntegerField()
    # The row as read and its field errors (names that shadow Serializer attributes on purpose).
    data = serializers.DictField(child=strict.CharField(allow_blank=True))  # type: ignore[assignment]
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=strict.CharField())
    )
    user_id = strict.IntegerField(allow_null=True)


class ImportReportSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    ok = serializers.BooleanField()
    rows = ImportRowSerializer(many=True)


class LeaverSerializer(serializers.Serializer):
    user_id = strict.IntegerField()
    organisation_id = strict.IntegerField()
    handovers_cancelled = serializers.ListField(child=strict.IntegerField())
    plans = serializers.ListField(child=strict.IntegerField())
    efforts = serializers.ListField(child=strict.IntegerField())
    agreements = serializers.ListField(child=strict.IntegerField())
    discharge_tasks = serializers.ListField(child=strict.IntegerField())


class RolePeriodSerializer(strict.ModelSerializer):
    username = strict.CharField(source="user.username", read_only=True)
    name = strict.CharField(source="user.get_full_name", read_only=True)

    class Meta:
        model = RoleHistory
        fields = ["user", "username", "name", "role", "started_at", "ended_at"]


class OrganisationAdminSerializer(strict.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "slug", "kind", "sector", "active", "deactivated_at"]
        read_only_fields = ["id", "active", "deactivated_at"]
        extra_kwargs = {"slug": {"required": False, "validators": []}}


class UserRefSerializer(strict.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["id", "username"]
