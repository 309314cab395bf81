"""Administration API: staff (local administrators), organisations (system administrators)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.access.administration import access_staff, require_local_admin, require_system_admin
from apps.access.api import AccessView
from apps.access.context import Actor
from apps.administration import imports, organisations, selectors, staff
from apps.administration.api import serializers as s
from apps.core.exceptions import ApplicationError, NotFound
from apps.organisations.models import Membership, Organisation


class StaffList(AccessView):
    """The people of the acting organisation (its local administrator only)."""

    serializer_class = s.StaffSerializer

    @extend_schema(responses=s.StaffSerializer(many=True))
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


class StaffImport(AccessView):
    serializer_class = s.ImportReportSerializer

    @extend_schema(request=s.ImportSerializer, responses=s.ImportReportSerializer)
    def post(self, request: Request) -> Response:
        require_local_admin(self.actor)
        data = s.ImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = imports.staff_import(
            actor=self.actor,
            rows=imports.csv_rows(data.validated_data["csv"], field="csv"),
            dry_run=data.validated_data["dry_run"],
        )
        body = s.ImportReportSerializer(
            {"dry_run": report.dry_run, "ok": report.ok, "rows": report.rows}
        ).data
        if report.ok or report.dry_run:
            return Response(body)
        # Nothing was imported: the error shape of every refusal, with the report beside it.
        problems = [
            _("Line %(line)s: %(errors)s")
            % {
                "line": row.line,
                "errors": " ".join(e for errors in row.errors.values() for e in errors),
            }
            for row in report.rows
            if row.errors
        ]
        return Response(
            {
                "code": "import_invalid",
                "detail": _("Nothing was imported: some rows need correcting."),
                "fields": {"csv": problems},
                **body,
            },
            status=status.HTTP_400_BAD_REQUEST,
        )


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


class StaffInvite(AccessView):
    """``POST /api/v1/admin/users/{id}/invite/``: a new link to choose a password."""

    serializer_class = s.StaffSerializer

    @extend_schema(request=None, responses=s.StaffSerializer)
    def post(self, request: Request, pk: int) -> Response:
        user = staff.staff_invite_again(actor=self.actor, user_id=pk)
        membership = user.memberships.get(organisation=self.actor.organisation)
        return Response(s.StaffSerializer(membership).data)


class IsSystemAdmin(permissions.IsAuthenticated):
    """A system administrator; anyone else is refused, and the refusal recorded."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not super().has_permission(request, view):
            return False
        require_system_admin(request)
        return True


def _system_actor(request: Request) -> Actor:
    return require_system_admin(request)


def _plain(data: Any) -> dict[str, Any]:
    """The request body as one value per name (a form posts lists; JSON may be no object)."""
    if hasattr(data, "dict"):
        return data.dict()
    if isinstance(data, dict):
        return data
    message = _("Send an object with the fields.")
    raise ApplicationError(message, fields={"non_field_errors": [message]})


def _organisation(pk: int) -> Organisation:
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None:
        raise NotFound(_("Not found."))
    return organisation


class OrganisationAdminList(GenericAPIView):
    permission_classes = [IsSystemAdmin]
    serializer_class = s.OrganisationAdminSerializer

    @extend_schema(responses=s.OrganisationAdminSerializer(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(Organisation.objects.all())
        return self.get_paginated_response(s.OrganisationAdminSerializer(page, many=True).data)

    @extend_schema(
        request=s.OrganisationAdminSerializer, responses={201: s.OrganisationAdminSerializer}
    )
    def post(self, request: Request) -> Response:
        organisation = organisations.organisation_create(
            actor=_system_actor(request), data=_plain(request.data)
        )
        return Response(
            s.OrganisationAdminSerializer(organisation).data, status=status.HTTP_201_CREATED
        )


class OrganisationAdminDetail(APIView):
    permission_classes = [IsSystemAdmin]
    serializer_class = s.OrganisationAdminSerializer

    def get(self, request: Request, pk: int) -> Response:
        return Response(s.OrganisationAdminSerializer(_organisation(pk)).data)

    @extend_schema(request=s.OrganisationAdminSerializer, responses=s.OrganisationAdminSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        organisation = organisations.organisation_update(
            actor=_system_actor(request),
            organisation_id=_organisation(pk).pk,
            data=_plain(request.data),
        )
        return Response(s.OrganisationAdminSerializer(organisation).data)


class OrganisationAdminDeactivate(APIView):
    permission_classes = [IsSystemAdmin]
    serializer_class = s.OrganisationAdminSerializer

    @extend_schema(request=s.ReasonSerializer, responses=s.OrganisationAdminSerializer)
    def post(self, request: Request, pk: int) -> Response:
        organisation_id = _organisation(pk).pk
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = organisations.organisation_deactivate(
            actor=_system_actor(request),
            organisation_id=organisation_id,
            reason=data.validated_data["reason"],
        )
        return Response(s.OrganisationAdminSerializer(organisation).data)


class OrganisationAdministrators(APIView):
    """``/api/v1/admin/organisations/{id}/administrators/``: the organisation's local
    administrators; ``POST`` invites one (the first one, who then manages its people)."""

    permission_classes = [IsSystemAdmin]
    serializer_class = s.StaffSerializer

    def get(self, request: Request, pk: int) -> Response:
        admins = selectors.local_admins(organisation=_organisation(pk))
        return Response({"results": s.StaffSerializer(admins, many=True).data, "next": None})

    @extend_schema(request=s.AdministratorCreateSerializer, responses={201: s.StaffSerializer})
    def post(self, request: Request, pk: int) -> Response:
        organisation = _organisation(pk)
        data = s.AdministratorCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = staff.organisation_admin_invite(
            actor=_system_actor(request),
            organisation_id=organisation.pk,
            data=dict(data.validated_data),
        )
        membership = user.memberships.get(organisation=organisation)
        return Response(s.StaffSerializer(membership).data, status=status.HTTP_201_CREATED)
