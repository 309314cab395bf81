from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from apps.access.api import AccessView
from apps.access.checks import access_plan
from apps.coordination import transitions
from apps.core.api.params import query_id
from apps.core.api.schema import error_response
from apps.core.exceptions import ApplicationError
from apps.plans import parts, selectors, services
from apps.plans.api.serializers import (
    AgreementSerializer,
    EffortSerializer,
    GoalSerializer,
    ParticipantChangeSerializer,
    ParticipantSerializer,
    PlanCloseSerializer,
    PlanCreateSerializer,
    PlanDetailSerializer,
    PlanSerializer,
    PlanUpdateSerializer,
)
from apps.plans.models import Agreement, Effort, Goal, Plan


def _with_etag(response: Response, plan: Plan) -> Response:
    response["ETag"] = plan.etag
    return response


class PlanList(AccessView):
    serializer_class = PlanSerializer
    etag_methods = ("POST",)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status", str, enum=Plan.Status.values, description="Only this status"
            ),
            OpenApiParameter(
                "citizen", {"type": "integer", "minimum": 1}, description="Only this citizen's"
            ),
        ],
        responses=PlanSerializer(many=True),
    )
    def get(self, request):  # type: ignore[no-untyped-def]
        filters = {key: request.query_params.get(key, "") for key in ("status", "citizen")}
        if filters["status"] and filters["status"] not in Plan.Status.values:
            raise ApplicationError(_("Unknown status."), fields={"status": [_("Unknown status.")]})
        if filters["citizen"]:
            filters["citizen"] = str(query_id(request.query_params, "citizen"))
        page = self.paginate_and_record(selectors.plan_pages(actor=self.actor, filters=filters))
        return self.get_paginated_response(PlanSerializer(page, many=True).data)

    @extend_schema(
        request=PlanCreateSerializer,
        # 404: the citizen named in the body is not one the actor may see.
        responses={201: PlanDetailSerializer, 404: error_response("404")},
    )
    def post(self, request):  # type: ignore[no-untyped-def]
        data = PlanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        plan = services.plan_create(
            actor=self.actor,
            citizen_id=values["citizen"],
            coordinator_user_id=values["coordinator"]["user"],
            coordinator_organisation_id=values["coordinator"]["organisation"],
            participant_ids=values["participants"],
            next_review=values.get("next_review"),
            status=values["status"],
            assessment=values.get("assessment"),
            strengths=values.get("strengths"),
            words={key: values[key] for key in services.CITIZEN_WORDS if key in values},
        )
        body = PlanDetailSerializer(selectors.plan_detail_prefetch(plan)).data
        return _with_etag(Response(body, status=status.HTTP_201_CREATED), plan)


class PlanDetail(AccessView):
    serializer_class = PlanDetailSerializer
    etag_methods = ("GET", "PATCH")
    if_match_methods = ("PATCH",)
    if_none_match_methods = ("GET",)

    def get(self, request, pk):  # type: ignore[no-untyped-def]
        held = self.versions_held()
        plan = selectors.access_plan_detail(self.actor, pk)
        if held is not None and held.matches(plan.version):
            # The client holds this version (every write bumps it): no body, the read recorded.
            return _with_etag(Response(status=status.HTTP_304_NOT_MODIFIED), plan)
        return _with_etag(Response(PlanDetailSerializer(plan).data), plan)

    @extend_schema(request=PlanUpdateSerializer)
    def patch(self, request, pk):  # type: ignore[no-untyped-def]
        data = PlanUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        plan = services.plan_update(
            actor=self.actor,
            plan_id=pk,
            expected_version=self.expected_version(),
            data=dict(data.validated_data),
        )
        plan = selectors.plan_detail_prefetch(plan)
        return _with_etag(Response(PlanDetailSerializer(plan).data), plan)


class PlanClose(AccessView):
    serializer_class = PlanDetailSerializer
    etag_methods = if_match_methods = ("POST",)

    @extend_schema(request=PlanCloseSerializer)
    def post(self, request, pk):  # type: ignore[no-untyped-def]
        data = PlanCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.plan_close(
            actor=self.actor,
            plan_id=pk,
            expected_version=self.expected_version(),
            reason=data.validated_data["reason"],
        )
        plan = selectors.plan_detail_prefetch(plan)
        return _with_etag(Response(PlanDetailSerializer(plan).data), plan)


class ParticipantList(AccessView):
    serializer_class = ParticipantSerializer
    whole_list = creates = True
    etag_methods = ("GET", "POST")
    if_match_methods = ("POST",)

    def get(self, request, plan_pk):  # type: ignore[no-untyped-def]
        plan = access_plan(self.actor, plan_pk)
        orgs = sorted(plan.participations.values_list("organisation_id", flat=True))
        return _with_etag(
            Response({"results": [{"organisation": o} for o in orgs], "next": None}), plan
        )

    def post(self, request, plan_pk):  # type: ignore[no-untyped-def]
        data = ParticipantSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = transitions.participant_add_marked(
            actor=self.actor,
            plan_id=plan_pk,
            expected_version=self.expected_version(),
            organisation_id=data.validated_data["organisation"],
            transition=data.validated_data.get("transition"),
            note=data.validated_data["note"],
        )
        body = {"organisation": data.validated_data["organisation"]}
        return _with_etag(Response(body, status=status.HTTP_201_CREATED), plan)


class ParticipantDetail(AccessView):
    serializer_class = ParticipantSerializer
    etag_methods = if_match_methods = ("DELETE",)
    # The organisation leaving may be marked as a transition, with a note: in a JSON body,
    # not the query string, so the note stays out of the addresses servers log.
    delete_body = True

    @extend_schema(request=ParticipantChangeSerializer)
    def delete(self, request, plan_pk, pk):  # type: ignore[no-untyped-def]
        data = ParticipantChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = transitions.participant_remove_marked(
            actor=self.actor,
            plan_id=plan_pk,
            expected_version=self.expected_version(),
            organisation_id=pk,
            transition=data.validated_data.get("transition"),
            note=data.validated_data["note"],
        )
        return _with_etag(Response(status=status.HTTP_204_NO_CONTENT), plan)


class _PartList(AccessView):
    """Goals, efforts, agreements: list (read) and create (a plan write with If-Match)."""

    model: type
    save: staticmethod
    id_kwarg: str
    prefetch: tuple[str, ...] = ()
    whole_list = creates = True
    etag_methods = ("GET", "POST")
    if_match_methods = ("POST",)

    def get(self, request, plan_pk):  # type: ignore[no-untyped-def]
        plan = access_plan(self.actor, plan_pk)
        items = self.model.objects.filter(plan=plan).prefetch_related(*self.prefetch)
        body = {"results": self.get_serializer(items, many=True).data, "next": None}
        return _with_etag(Response(body), plan)

    def post(self, request, plan_pk):  # type: ignore[no-untyped-def]
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = self.save(
            actor=self.actor,
            plan_id=plan_pk,
            expected_version=self.expected_version(),
            data=_input(data),
        )
        body = self.get_serializer(item).data
        return _with_etag(Response(body, status=status.HTTP_201_CREATED), item.plan)


class _PartDetail(AccessView):
    model: type
    save: staticmethod
    id_kwarg: str
    etag_methods: tuple[str, ...] = ("PATCH", "DELETE")
    if_match_methods: tuple[str, ...] = ("PATCH", "DELETE")

    def patch(self, request, plan_pk, pk):  # type: ignore[no-untyped-def]
        data = self.get_serializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        item = self.save(
            actor=self.actor,
            plan_id=plan_pk,
            expected_version=self.expected_version(),
            data=_input(data),
            **{self.id_kwarg: pk},
        )
        return _with_etag(Response(self.get_serializer(item).data), item.plan)

    def delete(self, request, plan_pk, pk):  # type: ignore[no-untyped-def]
        plan = parts.plan_part_delete(
            actor=self.actor,
            plan_id=plan_pk,
            expected_version=self.expected_version(),
            model=self.model,
            part_id=pk,
        )
        return _with_etag(Response(status=status.HTTP_204_NO_CONTENT), plan)


def _input(data: serializers.Serializer) -> dict:
    """Validated values, with related users as ids for the service to check."""
    values = dict(data.validated_data)
    if values.get("responsible") is not None:
        values["responsible"] = values["responsible"].pk
    return values


class GoalList(_PartList):
    serializer_class = GoalSerializer
    model = Goal
    prefetch = ("efforts",)
    save = staticmethod(parts.goal_save)


class GoalDetail(_PartDetail):
    serializer_class = GoalSerializer
    model = Goal
    save = staticmethod(parts.goal_save)
    id_kwarg = "goal_id"


class EffortList(_PartList):
    serializer_class = EffortSerializer
    model = Effort
    prefetch = ("goals",)
    save = staticmethod(parts.effort_save)


class EffortDetail(_PartDetail):
    serializer_class = EffortSerializer
    model = Effort
    save = staticmethod(parts.effort_save)
    id_kwarg = "effort_id"


class AgreementList(_PartList):
    serializer_class = AgreementSerializer
    model = Agreement
    save = staticmethod(parts.agreement_save)


class AgreementDetail(_PartDetail):
    serializer_class = AgreementSerializer
    model = Agreement
    save = staticmethod(parts.agreement_save)
    id_kwarg = "agreement_id"
