"""``/api/v1/plans/{id}/network/``: the people who matter to the citizen, on the plan.

Read by the plan's readers; kept by the caseworkers of the participating organisations, each
write with the plan's version in ``If-Match`` (as goals and agreements).
"""

from __future__ import annotations

from rest_framework.response import Response

from apps.plans import network
from apps.plans.api.serializers import NetworkMemberSerializer
from apps.plans.api.views import _PartDetail, _PartList, _with_etag
from apps.plans.models import NetworkMember


class NetworkList(_PartList):
    """The citizen's network on the plan (GET) and a person added to it (POST)."""

    serializer_class = NetworkMemberSerializer
    model = NetworkMember
    save = staticmethod(network.network_member_save)


class NetworkDetail(_PartDetail):
    """One person of the citizen's network: read, change (PATCH), take off the plan."""

    serializer_class = NetworkMemberSerializer
    model = NetworkMember
    save = staticmethod(network.network_member_save)
    id_kwarg = "member_id"
    etag_methods = ("GET", "PATCH", "DELETE")

    def get(self, request, plan_pk, pk):  # type: ignore[no-untyped-def]
        member = network.network_member_get(actor=self.actor, plan_id=plan_pk, member_id=pk)
        return _with_etag(Response(NetworkMemberSerializer(member).data), member.plan)
