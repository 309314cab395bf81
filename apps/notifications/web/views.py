"""The inbox: my notifications, newest first, each with the citizen it concerns (as far as
the access rules let the acting organisation see it), a link, and mark-as-read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from apps.access import audit
from apps.access.checks import Action, plans_visible_to
from apps.access.context import Actor
from apps.access.handovers import access_notification, handovers_visible_to
from apps.notifications import selectors
from apps.notifications.models import Notification
from apps.notifications.services import notification_mark_read, notifications_mark_all_read
from apps.notifications.web.texts import notification_sentence
from apps.web.decorators import acting

PAGE_SIZE = 50
# Notifications about a handover link to it; the others to their plan.
HANDOVER_KINDS = {k for k in Notification.Kind.values if k.startswith("handover_")}


@dataclass
class Row:
    notification: Notification
    sentence: str
    citizen: Any  # the Citizen, or None when the acting organisation may not see the plan
    plan_id: int | None  # set when the plan page may be opened
    handover_id: int | None  # set when the handover page may be opened


@acting
@require_GET
def inbox(request: HttpRequest, actor: Actor) -> HttpResponse:
    queryset = selectors.inbox(actor=actor).order_by("-id")
    before = request.GET.get("before", "")
    if before.isdigit():
        queryset = queryset.filter(pk__lt=int(before))
    items = list(queryset[: PAGE_SIZE + 1])
    more, items = len(items) > PAGE_SIZE, items[:PAGE_SIZE]
    # Who each is about, through the access rules: the plan if the acting organisation may
    # see it, else the handover if the person is named on it (a receiver's organisation
    # joins the plan only when it accepts).
    plans = {
        p.pk: p
        for p in plans_visible_to(actor)
        .filter(pk__in={n.plan_id for n in items if n.plan_id})
        .select_related("citizen")
    }
    handovers = {
        h.pk: h
        for h in handovers_visible_to(actor)
        .filter(pk__in={n.handover_id for n in items if n.handover_id})
        .select_related("plan__citizen")
    }
    rows, shown = [], {}
    for n in items:
        plan, handover = plans.get(n.plan_id or 0), handovers.get(n.handover_id or 0)
        source = plan or handover
        if source is not None:
            shown[(type(source), source.pk)] = source
        citizen = plan.citizen if plan else (handover.plan.citizen if handover else None)
        rows.append(
            Row(
                notification=n,
                sentence=notification_sentence(n),
                citizen=citizen,
                plan_id=plan.pk if plan else None,
                handover_id=handover.pk if handover and n.kind in HANDOVER_KINDS else None,
            )
        )
    # Naming the citizen is a read of their data: one list event per plan or handover named.
    audit.record_objects(actor, Action.LIST, shown.values())
    context = {"rows": rows, "older": items[-1].pk if more else None}
    return render(request, "notifications/inbox.html", context)


@acting
@require_POST
def mark_read(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    notification = access_notification(actor, pk)  # 404 (recorded) if not mine, within reach
    notification = notification_mark_read(notification=notification)
    if request.htmx:  # type: ignore[attr-defined]
        # The row's status, and the header's count out of band: no citizen data in either.
        return render(request, "notifications/_marked.html", {"notification": notification})
    return redirect("notifications:inbox")


@acting
@require_POST
def mark_all_read(request: HttpRequest, actor: Actor) -> HttpResponse:
    count = notifications_mark_all_read(actor=actor)
    messages.success(
        request,
        ngettext(
            "%(count)s notification marked as read.",
            "%(count)s notifications marked as read.",
            count,
        )
        % {"count": count},
    )
    return redirect("notifications:inbox")
