"""``/api/v1/plans/{id}/discharge-tasks/``: the discharge agreement of the plan's admissions.

Read by the plan's readers; kept by the caseworkers of the participating organisations, each
write with the plan's version in ``If-Match`` (as goals and agreements).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers, status
from rest_framework.response import Response

from apps.access.api import AccessView
from apps.coordination import discharge
from apps.coordination.models import DischargeTask
from apps.core.api import fields as strict
from apps.plans.api.views import _with_etag


class DischargeTaskSerializer(strict.ModelSerializer):
    """One task of a discharge agreement: what, who (and for which organisation), by when."""

    admission = strict.IdField(
        source="admission_id", help_text="The admission (a hospital event) of this plan."
    )
    responsible = strict.IdField(
        source="responsible_id",
        help_text="A caseworker of an organisation that takes part in the plan.",
    )
    responsible_organisation = strict.IdField(
        source="responsible_organisation_id",
        required=False,
        allow_null=True,
        help_text="The organisation the responsible person acts for; needed when they work "
        "for several on the plan, otherwise theirs.",
    )
    done = serializers.BooleanField(required=False)

    class Meta:
        model = DischargeTask
        fields = [
            "id",
            "plan",
            "admission",
            "description",
            "responsible",
            "responsible_organisation",
            "due",
            "done",
            "done_at",
            "created_by",
            "created",
            "updated",
        ]
        read_only_fields = ["id", "plan", "done_at", "created_by", "created", "updated"]


def _input(data: serializers.Serializer) -> dict[str, Any]:
    """Validated values under the service's names (ids for the service to check)."""
    return {key.removesuffix("_id"): value for key, value in data.validated_data.items()}


class DischargeTaskList(AccessView):
    """The plan's discharge agreement (GET) and a task added to it (POST)."""

    serializer_class = DischargeTaskSerializer
    whole_list = creates = True
    etag_methods = ("GET", "POST")
    if_match_methods = ("POST",)

    def get(self, request, plan_pk):  # type: ignore[no-untyped-def]
        plan, tasks = discharge.discharge_tasks_list(actor=self.actor, plan_id=plan_pk)
        body = {"results": DischargeTaskSerializer(tasks, many=True).data, "next": None}
        return _with_etag(Response(body), plan)

    def post(self, request, plan_pk):  # type: ignore[no-untyped-def]
        data = DischargeTaskSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = discharge.discharge_task_save(
            actor=self.actor,
            plan_id=plan_pk,
            expected_version=self.expected_version(),
            data=_input(data),
        )
        body = DischargeTaskSerializer(task).data
        return _with_etag(Response(body, status=status.HTTP_201_CREATED), task.plan)


class DischargeTaskDetail(AccessView):
    """One task: read, change (PATCH, ``done`` included), take off the agreement."""

    serializer_class = DischargeTaskSerializer
    etag_methods = ("GET", "PATCH", "DELETE")
    if_match_methods = ("PATCH", "DELETE")

    def get(self, request, plan_pk, pk):  # type: ignore[no-untyped-def]
        task = discharge.discharge_task_get(actor=self.actor, plan_id=plan_pk, task_id=pk)
        return _with_etag(Response(DischargeTaskSerializer(task).data), task.plan)

    def patch(self, request, plan_pk, pk):  # type: ignore[no-untyped-def]
        data = DischargeTaskSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        task = discharge.discharge_task_save(
            actor=self.actor,
            plan_id=plan_pk,
            expected_version=self.expected_version(),
            task_id=pk,
            data=_input(data),
        )
        return _with_etag(Response(DischargeTaskSerializer(task).data), task.plan)

    def delete(self, request, plan_pk, pk):  # type: ignore[no-untyped-def]
        plan = discharge.discharge_task_delete(
            actor=self.actor,
            plan_id=plan_pk,
            expected_version=self.expected_version(),
            task_id=pk,
        )
        return _with_etag(Response(status=status.HTTP_204_NO_CONTENT), plan)
