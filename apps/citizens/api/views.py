from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from apps.access.api import AccessView
from apps.access.checks import Action, access_citizen, citizens_visible_to
from apps.citizens import selectors, services
from apps.citizens.api.serializers import (
    CitizenCreateSerializer,
    CitizenDetailSerializer,
    CitizenSerializer,
    ConsentCreateSerializer,
    ConsentSerializer,
)
from apps.citizens.models import Consent


class CitizenList(AccessView):
    serializer_class = CitizenSerializer

    @extend_schema(parameters=[OpenApiParameter("cpr", str, description="Find one citizen by CPR")])
    def get(self, request):  # type: ignore[no-untyped-def]
        queryset = citizens_visible_to(self.actor).order_by("-id")
        number = request.query_params.get("cpr")
        if number is not None:
            return self._search(number)
        page = self.paginate_and_record(queryset)
        return self.get_paginated_response(CitizenSerializer(page, many=True).data)

    def _search(self, number):  # type: ignore[no-untyped-def]
        # The criteria are recorded, never the CPR in clear text (see the selector).
        found = selectors.citizen_search_cpr(actor=self.actor, number=number)
        return Response({"results": CitizenSerializer(found, many=True).data, "next": None})

    @extend_schema(request=CitizenCreateSerializer, responses={201: CitizenDetailSerializer})
    def post(self, request):  # type: ignore[no-untyped-def]
        data = CitizenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        citizen = services.citizen_register(
            actor=self.actor,
            cpr_number=data.validated_data["cpr"],
            name=data.validated_data["name"],
        )
        return Response(CitizenDetailSerializer(citizen).data, status=status.HTTP_201_CREATED)


class CitizenDetail(AccessView):
    serializer_class = CitizenDetailSerializer

    def get(self, request, pk):  # type: ignore[no-untyped-def]
        citizen = access_citizen(self.actor, pk)
        return Response(CitizenDetailSerializer(citizen).data)


class ConsentList(AccessView):
    serializer_class = ConsentSerializer

    def get(self, request, citizen_pk):  # type: ignore[no-untyped-def]
        citizen = access_citizen(
            self.actor, citizen_pk, Action.VIEW, object_type="consent", object_id=""
        )
        consents = Consent.objects.filter(citizen=citizen).prefetch_related("organisations")
        page = self.paginate_and_record(consents.order_by("-id"))  # one event per consent
        return self.get_paginated_response(ConsentSerializer(page, many=True).data)

    @extend_schema(request=ConsentCreateSerializer, responses={201: ConsentSerializer})
    def post(self, request, citizen_pk):  # type: ignore[no-untyped-def]
        data = ConsentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consent = services.consent_give(
            actor=self.actor,
            citizen_id=citizen_pk,
            organisation_ids=data.validated_data["organisations"],
            form=data.validated_data["form"],
            given_at=data.validated_data.get("given_at"),
            expires_at=data.validated_data.get("expires_at"),
        )
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)


class ConsentWithdraw(AccessView):
    serializer_class = ConsentSerializer

    @extend_schema(request=None)
    def post(self, request, citizen_pk, pk):  # type: ignore[no-untyped-def]
        consent = services.consent_withdraw(actor=self.actor, citizen_id=citizen_pk, consent_id=pk)
        return Response(ConsentSerializer(consent).data)
