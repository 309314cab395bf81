"""Administration API: staff (local administrators), organisations (system administrators)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.access.administration import access_staff, require_local_admin, system_actor
from apps.access.api import AccessView
from apps.administration import organisations, selectors, staff
from apps.administration.api import serializers as s
from apps.core.exceptions import ApplicationError, NotFound
from apps.organisations.models import Membership, Organisation


class StaffList(AccessView):
    """The people of the acting organisation (its local administrator only)."""

    serializer_class = s.StaffSerializer

    def get(self, request: Request) -> Response:
        require_local_admin(self.actor)
        page = self.paginate_queryset(selectors.staff_list(actor=self.actor))
        return self.get_paginated_response(s.StaffSerializer(page, many=True).data)

    @extend_schema(request=s.StaffCreateSerializer, responses={201: s.StaffSerializer})
    def post(self, request: Request) -> Response:
        require_local_admin(self.actor)
        data = s.StaffCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = staff.staff_create(actor=self.actor, data=dict(data.validated_data))
        membership = Membership.objects.get(user=user, organisation=self.actor.organisation)
        return Response(s.StaffSerializer(membership).data, status=status.HTTP_201_CREATED)


class StaffDetail(AccessView):
    serializer_class = s.StaffSerializer

    def get(self, request: Request, pk: int) -> Response:
        user = access_staff(self.actor, pk)
        membership = user.memberships.get(organisation=self.actor.organisation)
        return Response(s.StaffSerializer(membership).data)

    @extend_schema(request=s.RoleSerializer, responses=s.StaffSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        access_staff(self.actor, pk)
        data = s.RoleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = staff.staff_set_role(
            actor=self.actor,
            user_id=pk,
            role=data.validated_data["role"],
            reason=data.validated_data.get("reason", ""),
        )
        return Response(s.StaffSerializer(membership).data)


class StaffDeactivate(AccessView):
    serializer_class = s.LeaverSerializer

    @extend_schema(request=s.ReasonSerializer, responses=s.LeaverSerializer)
    def post(self, request: Request, pk: int) -> Response:
        access_staff(self.actor, pk)
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        leaver = staff.user_deactivate(
            actor=self.actor, user_id=pk, reason=data.validated_data["reason"]
        )
        return Response(s.LeaverSerializer(leaver).data)


class StaffEndMembership(AccessView):
    serializer_class = s.LeaverSerializer

    @extend_schema(request=s.ReasonSerializer, responses=s.LeaverSerializer)
    def post(self, request: Request, pk: int) -> Response:
        access_staff(self.actor, pk)
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        leaver = staff.membership_end(
            actor=self.actor, user_id=pk, reason=data.validated_data["reason"]
        )
        return Response(s.LeaverSerializer(leaver).data)


def csv_rows(text: str) -> list[dict[str, str]]:
    """The rows of an import file; a missing column is named as the field ``csv``."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"username", "email", "role"} - set(reader.fieldnames or [])
    if missing:
        message = _("Missing columns: %(columns)s.") % {"columns": ", ".join(sorted(missing))}
        raise ApplicationError(message, fields={"csv": [message]})
    return list(reader)


class StaffImport(AccessView):
    serializer_class = s.ImportReportSerializer

    @extend_schema(request=s.ImportSerializer, responses=s.ImportReportSerializer)
    def post(self, request: Request) -> Response:
        require_local_admin(self.actor)
        data = s.ImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = staff.staff_import(
            actor=self.actor,
            rows=csv_rows(data.validated_data["csv"]),
            dry_run=data.validated_data["dry_run"],
        )
        body = {"dry_run": report.dry_run, "ok": report.ok, "rows": report.rows}
        code = status.HTTP_200_OK if report.ok or report.dry_run else status.HTTP_400_BAD_REQUEST
        return Response(s.ImportReportSerializer(body).data, status=code)


class RolesOn(AccessView):
    """Who held which role in the acting organisation on a date (its managers and local
    administrators)."""

    serializer_class = s.RolePeriodSerializer

    @extend_schema(parameters=[OpenApiParameter("on", str, description="YYYY-MM-DD")])
    def get(self, request: Request) -> Response:
        if not (self.actor.is_manager or self.actor.is_local_admin):
            require_local_admin(self.actor)
        raw = request.query_params.get("on", "")
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            message = _("Give the date as YYYY-MM-DD.")
            raise ApplicationError(message, fields={"on": [message]}) from None
        periods = selectors.roles_on(organisation=self.actor.organisation, day=day)
        return Response({"results": s.RolePeriodSerializer(periods, many=True).data, "next": None})


class IsSystemAdmin(permissions.IsAuthenticated):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return super().has_permission(request, view) and bool(request.user.is_staff)


def _system_actor(request: Request):  # type: ignore[no-untyped-def]
    return system_actor(
        request.user,
        request_id=getattr(request, "request_id", ""),
        client_address=getattr(request, "client_address", None),
    )


class OrganisationAdminList(APIView):
    permission_classes = [IsSystemAdmin]
    serializer_class = s.OrganisationAdminSerializer

    def get(self, request: Request) -> Response:
        items = Organisation.objects.order_by("name")
        return Response(
            {"results": s.OrganisationAdminSerializer(items, many=True).data, "next": None}
        )

    @extend_schema(
        request=s.OrganisationAdminSerializer, responses={201: s.OrganisationAdminSerializer}
    )
    def post(self, request: Request) -> Response:
        organisation = organisations.organisation_create(
            actor=_system_actor(request), data=dict(request.data)
        )
        return Response(
            s.OrganisationAdminSerializer(organisation).data, status=status.HTTP_201_CREATED
        )


class OrganisationAdminDetail(APIView):
    permission_classes = [IsSystemAdmin]
    serializer_class = s.OrganisationAdminSerializer

    def _get(self, pk: int) -> Organisation:
        organisation = Organisation.objects.filter(pk=pk).first()
        if organisation is None:
            raise NotFound(_("Not found."))
        return organisation

    def get(self, request: Request, pk: int) -> Response:
        return Response(s.OrganisationAdminSerializer(self._get(pk)).data)

    @extend_schema(request=s.OrganisationAdminSerializer, responses=s.OrganisationAdminSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        organisation = organisations.organisation_update(
            actor=_system_actor(request), organisation_id=self._get(pk).pk, data=dict(request.data)
        )
        return Response(s.OrganisationAdminSerializer(organisation).data)


class OrganisationAdminDeactivate(APIView):
    permission_classes = [IsSystemAdmin]
    serializer_class = s.OrganisationAdminSerializer

    @extend_schema(request=s.ReasonSerializer, responses=s.OrganisationAdminSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = organisations.organisation_deactivate(
            actor=_system_actor(request),
            organisation_id=OrganisationAdminDetail()._get(pk).pk,
            reason=data.validated_data["reason"],
        )
        return Response(s.OrganisationAdminSerializer(organisation).data)
