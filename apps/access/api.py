"""DRF pieces that put every API request to citizen data through the access module."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import generics, permissions
from rest_framework.request import Request

from apps.access import audit
from apps.access.context import Actor, actor_from_request
from apps.core.exceptions import ApplicationError


class ActsForOrganisation(permissions.IsAuthenticated):
    """Authenticated, and acting for one of the user's organisations (``X-Organisation``)."""

    acts_for_organisation = True  # the schema documents the header (apps/core/api/schema.py)

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        actor_from_request(request)  # raises 400/403 with a clear code
        return True


class AccessView(generics.GenericAPIView):
    """Base for views of citizen data: the actor, audited lists, and ``If-Match``."""

    permission_classes = [ActsForOrganisation]
    list_action: str = audit.Action.LIST

    @property
    def actor(self) -> Actor:
        return actor_from_request(self.request)

    def paginate_and_record(self, queryset: Any) -> Any:
        """One page of objects; one audit event per object shown."""
        page = self.paginate_queryset(queryset)
        audit.record_objects(self.actor, self.list_action, page or [])
        return page

    def expected_version(self) -> int | None:
        """The version in ``If-Match``; None when absent (the service answers 428 for that,
        after the access check, so nobody learns from a 428 that a plan exists)."""
        raw = self.request.headers.get("If-Match", "").strip()
        if not raw:
            return None
        value = raw.removeprefix("W/").strip('"')
        if not value.isdigit():
            raise ApplicationError(
                _('If-Match must hold the plan\'s ETag, such as "3".'),
                code="invalid_if_match",
                fields={"If-Match": [_("Not a version.")]},
            )
        return int(value)
