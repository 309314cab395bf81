from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from apps.access.api import AccessView
from apps.access.checks import access_plan
from apps.access.handovers import access_handover, handovers_visible_to
from apps.coordination import effect, hospital, reviews, services
from apps.coordination.api.serializers import (
    EffectQuerySerializer,
    EffectReportSerializer,
    HandoverAcceptSerializer,
    HandoverDeclineSerializer,
    HandoverProposeSerializer,
    HandoverSerializer,
    HospitalEventSerializer,
    ProgressSerializer,
    ReviewCreateSerializer,
    ReviewDiffSerializer,
    ReviewSerializer,
    SnapshotSerializer,
)
from apps.coordination.models import Handover, HospitalEvent, PlanSnapshot, Review
from apps.core.api.params import query_choice


class PlanHandoverList(AccessView):
    serializer_class = HandoverSerializer
    whole_list = True

    def get(self, request, plan_pk):  # type: ignore[no-untyped-def]
        plan = access_plan(self.actor, plan_pk)
        items = plan.handovers.select_related("transition")[:50]
        return Response({"results": HandoverSerializer(items, many=True).data, "next": None})

    @extend_schema(request=HandoverProposeSerializer, responses={201: HandoverSerializer})
    def post(self, request, plan_pk):  # type: ignore[no-untyped-def]
        data = HandoverProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        handover = services.handover_propose(
            actor=self.actor,
            plan_id=plan_pk,
            to_user_id=values["to_user"],
            to_organisation_id=values.get("to_organisation"),
            note=values.get("note", ""),
            transition=values.get("transition"),
        )
        return Response(HandoverSerializer(handover).data, status=status.HTTP_201_CREATED)


class HandoverList(AccessView):
    """My handovers: to me, from me, or proposed by me."""

    serializer_class = HandoverSerializer
    list_action: str = "list"

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "state", str, enum=Handover.State.values, description="Only this state"
            )
        ],
        responses=HandoverSerializer(many=True),
    )
    def get(self, request):  # type: ignore[no-untyped-def]
        queryset = handovers_visible_to(self.actor).select_related("transition")
        state = query_choice(request.query_params, "state", Handover.State.values)
        if state:
            queryset = queryset.filter(state=state)
        page = self.paginate_and_record(queryset)  # one event per handover, with its citizen
        return self.get_paginated_response(HandoverSerializer(page, many=True).data)


class HandoverDetail(AccessView):
    serializer_class = HandoverSerializer

    def get(self, request, pk):  # type: ignore[no-untyped-def]
        return Response(HandoverSerializer(access_handover(self.actor, pk)).data)


class HandoverAccept(AccessView):
    serializer_class = HandoverSerializer

    @extend_schema(request=HandoverAcceptSerializer)
    def post(self, request, pk):  # type: ignore[no-untyped-def]
        data = HandoverAcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        handover = services.handover_accept(
            actor=self.actor,
            handover_id=pk,
            receiving_note=data.validated_data["receiving_note"],
        )
        return Response(HandoverSerializer(handover).data)


class HandoverDecline(AccessView):
    serializer_class = HandoverSerializer

    @extend_schema(request=HandoverDeclineSerializer)
    def post(self, request, pk):  # type: ignore[no-untyped-def]
        data = HandoverDeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        handover = services.handover_decline(
            actor=self.actor, handover_id=pk, reason=data.validated_data["reason"]
        )
        return Response(HandoverSerializer(handover).data)


class HandoverCancel(AccessView):
    serializer_class = HandoverSerializer

    @extend_schema(request=None)
    def post(self, request, pk):  # type: ignore[no-untyped-def]
        handover = services.handover_cancel(actor=self.actor, handover_id=pk)
        return Response(HandoverSerializer(handover).data)


class ReviewList(AccessView):
    serializer_class = ReviewSerializer
    whole_list = True
    etag_methods = ("GET", "POST")
    if_match_methods = ("POST",)

    def get(self, request, plan_pk):  # type: ignore[no-untyped-def]
        plan = access_plan(self.actor, plan_pk)
        items = (
            Review.objects.filter(plan=plan).select_related("snapshot").prefetch_related("ratings")
        )
        response = Response({"results": ReviewSerializer(items, many=True).data, "next": None})
        response["ETag"] = plan.etag
        return response

    @extend_schema(request=ReviewCreateSerializer, responses={201: ReviewSerializer})
    def post(self, request, plan_pk):  # type: ignore[no-untyped-def]
        data = ReviewCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["ratings"] = [
            {**rating, "goal": rating.pop("goal_id")} for rating in values.get("ratings", [])
        ]
        review = reviews.review_record(
            actor=self.actor,
            plan_id=plan_pk,
            expected_version=self.expected_version(),
            **values,
        )
        response = Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)
        response["ETag"] = review.plan.etag
        return response


class ReviewSnapshot(AccessView):
    serializer_class = SnapshotSerializer

    def get(self, request, plan_pk, pk):  # type: ignore[no-untyped-def]
        plan = access_plan(self.actor, plan_pk)
        snapshot = PlanSnapshot.objects.filter(plan=plan, review_id=pk).first()
        if snapshot is None:
            from apps.core.exceptions import NotFound

            raise NotFound(_("Not found."))
        return Response(SnapshotSerializer(snapshot).data)


class ReviewDiff(AccessView):
    serializer_class = ReviewDiffSerializer

    def get(self, request, plan_pk, a, b):  # type: ignore[no-untyped-def]
        return Response(
            reviews.review_diff(actor=self.actor, plan_id=plan_pk, review_a=a, review_b=b)
        )


class HospitalEventList(AccessView):
    serializer_class = HospitalEventSerializer
    whole_list = creates = True

    def get(self, request, plan_pk):  # type: ignore[no-untyped-def]
        plan = access_plan(self.actor, plan_pk)
        items = HospitalEvent.objects.filter(plan=plan)[:200]
        return Response({"results": HospitalEventSerializer(items, many=True).data, "next": None})

    def post(self, request, plan_pk):  # type: ignore[no-untyped-def]
        data = HospitalEventSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = hospital.hospital_event_record(
            actor=self.actor,
            plan_id=plan_pk,
            kind=data.validated_data["kind"],
            occurred_on=data.validated_data["occurred_on"],
            notes=data.validated_data.get("notes", ""),
        )
        return Response(HospitalEventSerializer(event).data, status=status.HTTP_201_CREATED)


class GoalProgress(AccessView):
    """A goal's ratings, the citizen's and the professional's, across the plan's reviews."""

    serializer_class = ProgressSerializer
    whole_list = True

    def get(self, request, plan_pk, pk):  # type: ignore[no-untyped-def]
        points = reviews.goal_progress(actor=self.actor, plan_id=plan_pk, goal_id=pk)
        return Response({"results": ProgressSerializer(points, many=True).data, "next": None})


class EffectReport(AccessView):
    """The effect of the plans the manager's organisation takes part in, for a period."""

    serializer_class = EffectReportSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day (included)"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (included)"),
        ]
    )
    def get(self, request):  # type: ignore[no-untyped-def]
        query = EffectQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        report = effect.effect_report_read(actor=self.actor, **query.validated_data)
        return Response(EffectReportSerializer(report).data)
