"""What every page's header needs: who acts for which organisation, the unread count, the menu."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException

from apps.access.context import actor_from_request
from apps.notifications import selectors as notifications
from apps.organisations.models import Membership

# (url name, label, who sees it: "all" or "manager")
MENU = [
    ("web:home", _("My work"), "all"),
    ("plans:list", _("Plans"), "all"),
    ("citizens:search", _("Citizens"), "caseworker"),
    ("notifications:inbox", _("Inbox"), "all"),
    ("coordination:handovers", _("Handovers"), "all"),
    ("audit:trail", _("Access log"), "manager"),
    ("audit:overview", _("Overview"), "manager"),
    ("coordination:effect", _("Effect"), "manager"),
    ("administration:staff", _("Employees"), "admin"),
    ("administration:roles", _("Roles"), "manager"),
]


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    try:
        actor = actor_from_request(request)
    except APIException:
        if user.is_staff:  # a system administrator acts for no organisation
            return {
                "menu": [_menu_item(request, "administration:organisations", _("Organisations"))]
            }
        return {"menu": []}
    menu = []
    for name, label, who in MENU:
        if who == "manager" and not actor.is_manager:
            continue
        if who == "caseworker" and not actor.is_caseworker:
            continue
        if who == "admin" and not actor.is_local_admin:
            continue
        if who == "all" and actor.is_local_admin:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # an app whose pages are not installed
            continue
        menu.append(
            {"name": name, "url": url, "label": label, "current": _is_current(request.path, url)}
        )
    if user.is_staff:  # a system administrator who is also a member somewhere
        menu.append(_menu_item(request, "administration:organisations", _("Organisations")))
    return {
        "actor": actor,
        "role_label": Membership.Role(actor.role).label,
        "several_organisations": len(actor.memberships) > 1,
        "menu": menu,
        "inbox_url": next((i["url"] for i in menu if i["name"] == "notifications:inbox"), None),
        "unread_count": notifications.unread_count(actor=actor),
    }


def _menu_item(request: HttpRequest, name: str, label: Any) -> dict[str, Any]:
    url = reverse(name)
    return {"name": name, "url": url, "label": label, "current": _is_current(request.path, url)}


def _is_current(path: str, url: str) -> bool:
    return path == url if url == "/" else path.startswith(url)
