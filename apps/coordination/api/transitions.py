"""``/api/v1/plans/{id}/transitions/``: the steps on the citizen's path between places and
sectors. Read by the plan's readers; recorded on its own by the coordinator, with the plan's
version in ``If-Match`` (a transition can also ride on a handover or a change of
participants, through those endpoints)."""

from __future__ import annotations

from rest_framework import serializers, status
from rest_framework.response import Response

from apps.access.api import AccessView
from apps.coordination import transitions
from apps.coordination.models import Transition
from apps.core.api import fields as strict
from apps.plans.api.views import _with_etag


class TransitionSerializer(strict.ModelSerializer):
    """One step: its kind, the day, what it rode on (a handover, an organisation joining or
    leaving the plan) and the notes of the side handing over and of the receiving side."""

    kind = serializers.ChoiceField(choices=Transition.Kind.choices)
    handover = strict.IdField(
        source="handover_id",
        read_only=True,
        allow_null=True,
        help_text="The accepted handover of the coordinator role it was marked on, if any.",
    )
    organisation = strict.IdField(
        source="organisation_id",
        required=False,
        allow_null=True,
        help_text="The organisation joining or leaving the plan with it, if any.",
    )
    note = strict.CharField(
        max_length=transitions.NOTE_LIMIT, required=False, allow_blank=True, default=""
    )

    class Meta:
        model = Transition
        fields = [
            "id",
            "plan",
            "kind",
            "occurred_on",
            "handover",
            "organisation",
            "note",
            "receiving_note",
            "recorded_by",
            "recorded_for",
            "created",
        ]
        read_only_fields = [
            "id",
            "plan",
            "handover",
            "receiving_note",
            "recorded_by",
            "recorded_for",
            "created",
        ]


class TransitionList(AccessView):
    """The plan's transitions, oldest first (GET), and one recorded on its own (POST)."""

    serializer_class = TransitionSerializer
    whole_list = creates = True
    etag_methods = ("GET", "POST")
    if_match_methods = ("POST",)

    def get(self, request, plan_pk):  # type: ignore[no-untyped-def]
        plan, items = transitions.transitions_list(actor=self.actor, plan_id=plan_pk)
        body = {"results": TransitionSerializer(items, many=True).data, "next": None}
        return _with_etag(Response(body), plan)

    def post(self, request, plan_pk):  # type: ignore[no-untyped-def]
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        item = transitions.transition_record(
            actor=self.actor,
            plan_id=plan_pk,
            expected_version=self.expected_version(),
            kind=values["kind"],
            occurred_on=values["occurred_on"],
            organisation_id=values.get("organisation_id"),
            note=values.get("note", ""),
        )
        body = TransitionSerializer(item).data
        return _with_etag(Response(body, status=status.HTTP_201_CREATED), item.plan)
