"""``/api/v1/plans/{id}/network/``: the people who matter to the citizen, on the plan.

Read by the plan's readers; kept by the caseworkers of the participating organisations, each
write with the plan's version in ``If-Match`` (as goals and agreements).
"""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response

from apps.access.api import AccessView
from apps.plans import network
from apps.plans.api.serializers import NetworkMemberSerializer
from apps.plans.api.views import _PartList, _with_etag
from apps.plans.models import NetworkMember


class NetworkList(_PartList):
    """The citizen's network on the plan (GET) and a person added to it (POST)."""

    serializer_class = NetworkMemberSerializer
    model = NetworkMember
    save = staticmethod(network.network_member_save)

    def get(self, request, plan_pk):  # type: ignore[no-untyped-def]
        plan, members = network.network_list(actor=self.actor, plan_id=plan_pk)
        body = {"results": NetworkMemberSerializer(members, many=True).data, "next": None}
        return _with_etag(Response(body), plan)


class NetworkDetail(AccessView):
    """One person of the citizen's network: read, change (PATCH), take off the plan."""

    serializer_class = NetworkMemberSerializer
    etag_methods = ("GET", "PATCH", "DELETE")
    if_match_methods = ("PATCH", "DELETE")

    def get(self, request, plan_pk, pk):  # type: ignore[no-untyped-def]
        member = network.network_member_get(actor=self.actor, plan_id=plan_pk, member_id=pk)
        return _with_etag(Response(NetworkMemberSerializer(member).data), member.plan)

    def patch(self, request, plan_pk, pk):  # type: ignore[no-untyped-def]
        data = NetworkMemberSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        member = network.network_member_save(
            actor=self.actor,
            plan_id=plan_pk,
            expected_version=self.expected_version(),
            member_id=pk,
            data=dict(data.validated_data),
        )
        return _with_etag(Response(NetworkMemberSerializer(member).data), member.plan)

    def delete(self, request, plan_pk, pk):  # type: ignore[no-untyped-def]
        plan = network.network_member_delete(
            actor=self.actor,
            plan_id=plan_pk,
            expected_version=self.expected_version(),
            member_id=pk,
        )
        return _with_etag(Response(status=status.HTTP_204_NO_CONTENT), plan)
