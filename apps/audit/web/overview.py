"""``/overview/``: the manager's charts of overdue reviews, pending handovers and plans."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from apps.access import audit
from apps.access.checks import Forbidden
from apps.access.context import Actor
from apps.audit.charts import bar_chart, line_chart
from apps.audit.models import AccessEvent
from apps.audit.overview import Series, Week, overview
from apps.web.decorators import acting

Action = AccessEvent.Action
PURPOSE = "management_overview"


@acting
def overview_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    if not actor.is_manager:
        raise Forbidden(
            _("Only managers see the overview."),
            audit.event(
                actor, Action.LIST, "overview", outcome=AccessEvent.Outcome.DENIED, purpose=PURPOSE
            ),
        )
    data = overview(actor=actor)
    # Counts only, no citizen named; the look at them is recorded like any other list.
    audit.record(actor, Action.LIST, "overview", purpose=PURPOSE, detail={"weeks": len(data.weeks)})
    context = {
        "overview": data,
        "overdue_rows": _week_rows(data.weeks, data.overdue),
        "pending_rows": _week_rows(data.weeks, data.pending),
        "overdue_chart": line_chart(
            "overdue", _("Overdue reviews per week"), data.weeks, data.overdue
        ),
        "pending_chart": line_chart(
            "pending", _("Pending handovers per week"), data.weeks, data.pending
        ),
        "status_chart": bar_chart(
            "status",
            _("Plans per status"),
            [(label, count) for _value, label, count in data.plans_by_status],
        ),
    }
    return render(request, "audit/overview.html", context)


def _week_rows(weeks: list[Week], series: list[Series]) -> list[dict[str, Any]]:
    """The table alternative: a row per week, a column per organisation."""
    return [
        {"week": week, "values": [one.counts[i] for one in series]} for i, week in enumerate(weeks)
    ]
