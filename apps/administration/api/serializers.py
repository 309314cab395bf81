from django.contrib.auth import get_user_model
from rest_framework import serializers

from apps.organisations.models import Membership, Organisation, RoleHistory


class StaffSerializer(serializers.ModelSerializer):
    """A person of the acting organisation, with their role there."""

    id = serializers.IntegerField(source="user.id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.CharField(source="user.email", read_only=True)
    first_name = serializers.CharField(source="user.first_name", read_only=True)
    last_name = serializers.CharField(source="user.last_name", read_only=True)
    is_active = serializers.BooleanField(source="user.is_active", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "username", "email", "first_name", "last_name", "role", "is_active"]


class StaffCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class AdministratorCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)


class RoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class ImportSerializer(serializers.Serializer):
    csv = serializers.CharField(max_length=200_000, trim_whitespace=False)
    dry_run = serializers.BooleanField(default=True)


class ImportRowSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    # The row as read and its field errors (names that shadow Serializer attributes on purpose).
    data = serializers.DictField(child=serializers.CharField(allow_blank=True))  # type: ignore[assignment]
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField())
    )
    user_id = serializers.IntegerField(allow_null=True)


class ImportReportSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    ok = serializers.BooleanField()
    rows = ImportRowSerializer(many=True)


class LeaverSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    organisation_id = serializers.IntegerField()
    handovers_cancelled = serializers.ListField(child=serializers.IntegerField())
    plans = serializers.ListField(child=serializers.IntegerField())
    efforts = serializers.ListField(child=serializers.IntegerField())
    agreements = serializers.ListField(child=serializers.IntegerField())


class RolePeriodSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)

    class Meta:
        model = RoleHistory
        fields = ["user", "username", "name", "role", "started_at", "ended_at"]


class OrganisationAdminSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "slug", "kind", "sector", "active", "deactivated_at"]
        read_only_fields = ["id", "active", "deactivated_at"]
        extra_kwargs = {"slug": {"required": False, "validators": []}}


class UserRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["id", "username"]
