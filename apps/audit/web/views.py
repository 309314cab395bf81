"""The manager's audit pages (trail, CSV export, unusual access) and the citizen's access report.

Each page does what its API counterpart does (``apps/audit/api/views.py``): the same manager
check, the same validation, the same selectors, and the same audit record of the query itself;
a refusal raises through ``apps.access`` and the middleware records it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.access import audit
from apps.access.checks import Forbidden
from apps.access.context import Actor
from apps.audit import selectors
from apps.audit.api.views import (
    AUDIT_PURPOSE,
    access_report_for,
    csv_export_response,
    require_manager,
)
from apps.audit.models import AccessEvent
from apps.audit.web.forms import TrailFilterForm, raw_asked
from apps.audit.web.paging import PageError, keyset_page, page_params, trail_rows
from apps.audit.web.report import report_rows
from apps.web.decorators import acting

Action = AccessEvent.Action
DENIED = AccessEvent.Outcome.DENIED


def _refused_query(actor: Actor, action: str, asked: dict[str, str]) -> None:
    # As the API records an invalid query: denied, with what was asked.
    audit.write(
        [
            audit.event(
                actor,
                action,
                "accessevent",
                outcome=DENIED,
                purpose=AUDIT_PURPOSE,
                detail={"query": asked},
            )
        ]
    )


def _own_organisation_only(actor: Actor, filters: dict[str, Any], action: str, asked: Any) -> None:
    if filters.get("organisation") not in (None, actor.organisation.pk):
        raise Forbidden(
            _("You may read the trail of your own organisation only."),
            audit.event(
                actor,
                action,
                "accessevent",
                outcome=DENIED,
                purpose=AUDIT_PURPOSE,
                detail={"query": asked},
            ),
        )


def _params(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else request.GET


def _trail_form(request: HttpRequest, actor: Actor, action: str) -> TrailFilterForm:
    require_manager(actor, action, {"query": raw_asked(_params(request))})
    return TrailFilterForm(_params(request), actor=actor)


def _render(request: HttpRequest, page: str, partial: str, context: dict, status: int = 200):  # type: ignore[no-untyped-def]
    template = partial if request.htmx else page  # type: ignore[attr-defined]
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@acting
def trail(request: HttpRequest, actor: Actor) -> HttpResponse:
    """``/audit/``: the trail the manager may see, filtered, newest first, a page at a time.

    The filter form posts (a CPR number typed into it stays out of every URL) and leads on to
    the page's own address, where the filters stand with the citizen by id.
    """
    form = _trail_form(request, actor, Action.LIST)
    context: dict[str, Any] = {"form": form}
    try:
        before, after = page_params(request.GET)
    except PageError as exc:
        form.is_valid()
        form.add_error(None, str(exc))
    if not form.is_valid():
        _refused_query(actor, Action.LIST, raw_asked(_params(request)))
        return _render(request, "audit/trail.html", "audit/_trail.html", context, 400)
    if request.method == "POST" or request.GET.get("citizen"):
        response = HttpResponseRedirect(f"{request.path}?{urlencode(form.query_string())}")
        response.status_code = 303  # see the page the filters lead to, with a GET
        return response
    filters, asked = form.filters(), form.asked()
    _own_organisation_only(actor, filters, Action.LIST, asked)
    events = selectors.events_filter(selectors.events_visible_to(actor), filters)
    page = keyset_page(events, before=before, after=after)
    rows, named = trail_rows(actor, page.events)
    detail: dict[str, Any] = {"query": asked, "shown": len(page.events)}
    if named:
        detail["citizens_named"] = named
    audit.record(
        actor,
        Action.LIST,
        "accessevent",
        citizen_id=filters.get("citizen"),
        purpose=AUDIT_PURPOSE,
        detail=detail,
    )
    query = form.query_string()
    context.update(
        rows=rows,
        page=page,
        filtered=bool(filters),
        query=urlencode(query),
        newer_url=_page_url(request, query, after=page.newer),
        older_url=_page_url(request, query, before=page.older),
        csv_url=f"{reverse('audit:trail-csv')}?{urlencode(query)}",
    )
    return _render(request, "audit/trail.html", "audit/_trail.html", context)


def _page_url(request: HttpRequest, query: dict[str, str], **cursor: int | None) -> str | None:
    name, value = next(iter(cursor.items()))
    if value is None:
        return None
    return f"{request.path}?{urlencode({**query, name: value})}"


@acting
def trail_csv(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The filtered trail as CSV: the API's export, with the same record of it."""
    form = _trail_form(request, actor, Action.EXPORT)
    if not form.is_valid():
        _refused_query(actor, Action.EXPORT, raw_asked(request.GET))
        return render(request, "audit/trail.html", {"form": form}, status=400)
    filters, asked = form.filters(), form.asked()
    _own_organisation_only(actor, filters, Action.EXPORT, asked)
    events = selectors.events_filter(selectors.events_visible_to(actor), filters)
    # A streamed response: rows leave as they are read, however large the export.
    return csv_export_response(actor, events, filters=filters, asked=asked)  # type: ignore[return-value]


@acting
def unusual(request: HttpRequest, actor: Actor) -> HttpResponse:
    """``/audit/unusual/``: refused attempts, break-the-glass use, reads off the plan."""
    require_manager(actor, Action.LIST, {"query": {}})
    try:
        before, after = page_params(request.GET)
    except PageError as exc:
        return render(request, "audit/unusual.html", {"error": str(exc)}, status=400)
    page = keyset_page(selectors.events_unusual(actor), before=before, after=after)
    rows, named = trail_rows(actor, page.events, reasons=True)
    detail: dict[str, Any] = {"query": {}, "shown": len(page.events), "unusual": True}
    if named:
        detail["citizens_named"] = named
    audit.record(actor, Action.LIST, "accessevent", purpose=AUDIT_PURPOSE, detail=detail)
    context = {
        "rows": rows,
        "page": page,
        "newer_url": _page_url(request, {}, after=page.newer),
        "older_url": _page_url(request, {}, before=page.older),
    }
    return render(request, "audit/unusual.html", context)


@acting
def access_report(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """The citizen's access report, for a caseworker with access to the citizen (the API's
    rule: others get 404, or 403 when they see the citizen but may not hand it out)."""
    report = access_report_for(actor, pk, bookkeeping=False)
    citizen = report["citizen"]
    try:
        back_url = reverse("citizens:citizen", args=[citizen.pk])
    except NoReverseMatch:
        back_url = reverse("web:home")
    context = {
        "citizen": citizen,
        "rows": report_rows(report["entries"]),
        "staff_names": report["staff_names"],
        "back_url": back_url,
    }
    return render(request, "audit/access_report_page.html", context)
