"""Validation of the audit trail's query parameters; errors name the field."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from rest_framework import serializers

from apps.audit.models import AccessEvent
from apps.citizens.models import Citizen
from apps.core import parsers
from apps.core.api.fields import IdField
from apps.organisations.models import Organisation


class Moment(serializers.Field):
    """An ISO date (midnight, local time) or an ISO date-time, in a sane range."""

    def to_internal_value(self, data: Any) -> datetime.datetime:
        try:
            return parsers.parse_moment(data)
        except parsers.InvalidValue as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def to_representation(self, value: Any) -> Any:
        return value


class EventQuery(serializers.Serializer):
    actor = IdField(required=False)
    organisation = IdField(required=False)
    citizen = IdField(required=False)
    action = serializers.ChoiceField(choices=AccessEvent.Action.choices, required=False)
    outcome = serializers.ChoiceField(choices=AccessEvent.Outcome.choices, required=False)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = Moment(required=False)
        fields["to"] = Moment(required=False)
        return fields

    def validate_actor(self, value: int) -> int:
        if not get_user_model().objects.filter(pk=value).exists():
            raise serializers.ValidationError(_("Unknown user."))
        return value

    def validate_organisation(self, value: int) -> int:
        if not Organisation.objects.filter(pk=value).exists():
            raise serializers.ValidationError(_("Unknown organisation."))
        return value

    def validate_citizen(self, value: int) -> int:
        if not Citizen.objects.filter(pk=value).exists():
            raise serializers.ValidationError(_("Unknown citizen."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"to": [_("Must not lie before 'from'.")]})
        return attrs


def raw_query(params: Any, names: tuple[str, ...]) -> dict[str, str]:
    """The parameters as sent, cut short, for the audit record of the query itself."""
    return {name: str(params.get(name))[:64] for name in names if params.get(name) is not None}


EVENT_QUERY_NAMES = ("actor", "organisation", "citizen", "action", "outcome", "from", "to")
