"""The audit trail for managers, the citizen's access report, and break-the-glass.

Each request here is itself audited: one event per query of the trail (``list``, or
``export`` for CSV) with its criteria, one per grant shown, and the refusal of every invalid
or forbidden attempt.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, renderers, status
from rest_framework.response import Response

from apps.access import audit
from apps.access.api import AccessView
from apps.access.checks import Forbidden, access_citizen
from apps.access.context import Actor
from apps.audit import breakglass, selectors
from apps.audit.api.queries import EVENT_QUERY_NAMES, EventQuery, raw_query
from apps.audit.api.serializers import (
    AccessReportSerializer,
    BreakGlassInput,
    BreakGlassSerializer,
    EventSerializer,
    ReviewInput,
    UnusualEventSerializer,
)
from apps.audit.models import AccessEvent
from apps.core.api.schema import error_response
from apps.core.exports import spreadsheet_cell

Action = AccessEvent.Action
DENIED = AccessEvent.Outcome.DENIED
AUDIT_PURPOSE = "audit_review"
CSV_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "organisation_id",
    "action",
    "object_type",
    "object_id",
    "citizen_id",
    "purpose",
    "outcome",
    "request_id",
    "client_address",
)


class CSVRenderer(renderers.BaseRenderer):
    """Lets ``?format=csv`` through content negotiation; the view streams the body itself
    (errors are JSON whatever the format: apps/core/api/errors.py)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"
    methods = ("GET", "HEAD")  # only the export itself (apps/core/api/policy.py)

    def render(self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None):  # type: ignore[no-untyped-def]
        return b"" if data is None else str(data).encode()


class PrintableHTMLRenderer(renderers.TemplateHTMLRenderer):
    format = "html"
    methods = ("GET", "HEAD")  # only the page itself (apps/core/api/policy.py)


def _denied_event(actor: Actor, action: str, object_type: str, **kw: Any) -> dict[str, Any]:
    return audit.event(actor, action, object_type, outcome=DENIED, purpose=AUDIT_PURPOSE, **kw)


def require_manager(actor: Actor, action: str, detail: dict[str, Any]) -> None:
    if not actor.is_manager:
        raise Forbidden(
            _("Only managers may read the audit trail."),
            _denied_event(actor, action, "accessevent", detail=detail),
        )


class _TrailView(AccessView):
    serializer_class = EventSerializer

    def query(self, action: str) -> tuple[dict[str, Any], dict[str, str]]:
        """Validated filters; every refusal is recorded with what was asked."""
        actor = self.actor
        asked = raw_query(self.request.query_params, EVENT_QUERY_NAMES)
        require_manager(actor, action, {"query": asked})
        query = EventQuery(data=self.request.query_params)
        if not query.is_valid():
            error = exceptions.ValidationError(query.errors)
            error.audit_event = _denied_event(  # type: ignore[attr-defined]
                actor, action, "accessevent", detail={"query": asked}
            )
            raise error
        filters = dict(query.validated_data)
        if filters.get("organisation") not in (None, actor.organisation.pk):
            raise Forbidden(
                _("You may read the trail of your own organisation only."),
                _denied_event(actor, action, "accessevent", detail={"query": asked}),
            )
        return filters, asked

    def wants_csv(self) -> bool:
        return getattr(self.request.accepted_renderer, "format", "") == "csv"


class EventList(_TrailView):
    """``GET /api/v1/audit/events/``: the trail a manager may see; ``?format=csv`` exports it."""

    renderer_classes = [renderers.JSONRenderer, CSVRenderer]

    @extend_schema(
        parameters=[EventQuery],
        responses={
            (200, "application/json"): EventSerializer(many=True),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="With ?format=csv: every matching event"
            ),
        },
    )
    def get(self, request):  # type: ignore[no-untyped-def]
        csv_export = self.wants_csv()
        action = Action.EXPORT if csv_export else Action.LIST
        filters, asked = self.query(action)
        events = selectors.events_filter(selectors.events_visible_to(self.actor), filters)
        if csv_export:
            return csv_export_response(self.actor, events, filters=filters, asked=asked)
        page = self.paginate_queryset(events)
        audit.record(
            self.actor,
            Action.LIST,
            "accessevent",
            citizen_id=filters.get("citizen"),
            purpose=AUDIT_PURPOSE,
            detail={"query": asked, "shown": len(page)},
        )
        return self.get_paginated_response(EventSerializer(page, many=True).data)


def csv_export_response(
    actor: Actor, events: Any, *, filters: dict[str, Any], asked: dict[str, Any]
) -> StreamingHttpResponse:
    """The filtered trail as CSV, recorded as an export with what was asked (API and page)."""
    audit.record(
        actor,
        Action.EXPORT,
        "accessevent",
        citizen_id=filters.get("citizen"),
        purpose=AUDIT_PURPOSE,
        detail={"query": asked, "format": "csv"},
    )
    response = StreamingHttpResponse(
        _csv_lines(events.order_by("id")), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="audit-events.csv"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(events: Any) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    # The citizen as the manager may see it (see ``selectors.events_visible_to``).
    columns = ["citizen_shown" if c == "citizen_id" else c for c in CSV_COLUMNS]
    for row in events.values_list(*columns).iterator(chunk_size=2000):
        values = list(row)
        values[1] = values[1].isoformat()
        yield writer.writerow([spreadsheet_cell(v) for v in values])


class UnusualList(_TrailView):
    """``GET /api/v1/audit/unusual/``: denied attempts, break-the-glass, reads off the plan."""

    serializer_class = UnusualEventSerializer

    @extend_schema(parameters=[EventQuery], responses=UnusualEventSerializer(many=True))
    def get(self, request):  # type: ignore[no-untyped-def]
        filters, asked = self.query(Action.LIST)
        events = selectors.events_filter(selectors.events_unusual(self.actor), filters)
        page = self.paginate_queryset(events)
        audit.record(
            self.actor,
            Action.LIST,
            "accessevent",
            citizen_id=filters.get("citizen"),
            purpose=AUDIT_PURPOSE,
            detail={"query": asked, "shown": len(page), "unusual": True},
        )
        return self.get_paginated_response(UnusualEventSerializer(page, many=True).data)


# --- the citizen's access report ---------------------------------------------------------------


def access_report_for(actor: Actor, citizen_id: Any, *, bookkeeping: bool = True) -> dict[str, Any]:
    """Build the report for a caseworker with access to the citizen; the request is audited.
    ``bookkeeping=False`` leaves out the service's own rows (``selectors.BOOKKEEPING``)."""
    citizen = access_citizen(
        actor, citizen_id, Action.EXPORT, record=False, object_type="access_report"
    )
    if not actor.is_caseworker:
        raise Forbidden(
            _("A caseworker with access to the citizen hands out the access report."),
            audit.event(
                actor,
                Action.EXPORT,
                "access_report",
                citizen.pk,
                citizen_id=citizen.pk,
                outcome=DENIED,
            ),
        )
    audit.record(
        actor,
        Action.EXPORT,
        "access_report",
        citizen.pk,
        citizen_id=citizen.pk,
        purpose="citizen_right_of_access",
    )
    return {
        "citizen": citizen,
        "entries": selectors.access_report(citizen_id=citizen.pk, bookkeeping=bookkeeping),
        "staff_names": settings.KIP_ACCESS_REPORT_STAFF_NAMES,
    }


class AccessReport(AccessView):
    """``GET /api/v1/citizens/{id}/access-report/`` (JSON, or ``?format=html`` to print)."""

    serializer_class = AccessReportSerializer
    renderer_classes = [renderers.JSONRenderer, PrintableHTMLRenderer]

    @extend_schema(
        responses={
            (200, "application/json"): AccessReportSerializer,
            (200, "text/html"): OpenApiResponse(
                OpenApiTypes.STR, description="With ?format=html: the page to print"
            ),
        }
    )
    def get(self, request, pk):  # type: ignore[no-untyped-def]
        report = access_report_for(self.actor, pk)
        if getattr(request.accepted_renderer, "format", "") == "html":
            return render(request, "audit/access_report.html", report)
        return Response(AccessReportSerializer(report).data)


# --- break-the-glass -------------------------------------------------------------------------


class BreakGlassOpen(AccessView):
    """``POST /api/v1/break-glass/`` {cpr, reason}: read access to the citizen's open plan."""

    serializer_class = BreakGlassSerializer

    @extend_schema(
        request=BreakGlassInput,
        responses={201: BreakGlassSerializer, 404: error_response("404")},
    )
    def post(self, request):  # type: ignore[no-untyped-def]
        data = BreakGlassInput(data=request.data)
        data.is_valid(raise_exception=True)
        grant = breakglass.break_glass_open(
            actor=self.actor,
            cpr_number=data.validated_data["cpr"],
            reason=data.validated_data["reason"],
        )
        return Response(BreakGlassSerializer(grant).data, status=status.HTTP_201_CREATED)


class BreakGlassQueue(AccessView):
    """``GET /api/v1/audit/break-glass/?reviewed=false``: the manager's review queue."""

    serializer_class = BreakGlassSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "reviewed", bool, description="true: reviewed only; false: waiting only"
            )
        ],
        responses=BreakGlassSerializer(many=True),
    )
    def get(self, request):  # type: ignore[no-untyped-def]
        actor = self.actor
        reviewed = request.query_params.get("reviewed")
        require_manager(actor, Action.LIST, {"reviewed": str(reviewed)[:16]})
        grants = breakglass.break_glass_for_review(actor=actor)
        if reviewed is not None:
            if reviewed not in ("true", "false"):
                error = exceptions.ValidationError({"reviewed": [_("Use true or false.")]})
                error.audit_event = _denied_event(  # type: ignore[attr-defined]
                    actor, Action.LIST, "breakglass", detail={"reviewed": reviewed[:16]}
                )
                raise error
            grants = grants.filter(reviewed_at__isnull=reviewed == "false")
        page = self.paginate_queryset(grants.order_by("-id"))
        audit.write(
            [
                audit.event(
                    actor,
                    Action.LIST,
                    "breakglass",
                    g.pk,
                    citizen_id=g.citizen_id,
                    purpose=AUDIT_PURPOSE,
                )
                for g in page
            ]
        )
        return self.get_paginated_response(BreakGlassSerializer(page, many=True).data)


class BreakGlassReview(AccessView):
    """``POST /api/v1/audit/break-glass/{id}/review/``: a manager marks the use reviewed."""

    serializer_class = BreakGlassSerializer

    @extend_schema(request=ReviewInput)
    def post(self, request, pk):  # type: ignore[no-untyped-def]
        data = ReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        grant = breakglass.break_glass_review(
            actor=self.actor, grant_id=pk, note=data.validated_data["note"]
        )
        return Response(BreakGlassSerializer(grant).data)
