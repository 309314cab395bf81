from rest_framework import serializers

from apps.citizens.cpr import formatted
from apps.citizens.models import Citizen, Consent
from apps.core.api import fields as strict


class CitizenSerializer(strict.ModelSerializer):
    """A citizen with the CPR masked (``DDMMYY-xxxx``): lists, search results."""

    cpr = serializers.CharField(source="cpr_masked", read_only=True)

    class Meta:
        model = Citizen
        fields = ["id", "name", "cpr", "birth_date", "registered_for", "created"]


class CitizenDetailSerializer(CitizenSerializer):
    """The citizen view of someone with access: the whole CPR number."""

    cpr = serializers.SerializerMethodField()  # type: ignore[assignment]

    def get_cpr(self, citizen: Citizen) -> str:
        return formatted(citizen.cpr_digits)


class CitizenCreateSerializer(serializers.Serializer):
    cpr = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=200)


class ConsentSerializer(strict.ModelSerializer):
    organisations = strict.PrimaryKeyRelatedField(many=True, read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = Consent
        fields = [
            "id",
            "citizen",
            "organisations",
            "form",
            "given_at",
            "expires_at",
            "withdrawn_at",
            "recorded_by",
            "recorded_for",
        ]


class ConsentCreateSerializer(serializers.Serializer):
    organisations = serializers.ListField(child=strict.IdField(), min_length=1, max_length=20)
    form = serializers.ChoiceField(choices=Consent.Form.choices)
    given_at = strict.DateTimeField(required=False)
    expires_at = strict.DateTimeField(required=False, allow_null=True)
