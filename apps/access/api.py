"""DRF pieces that put every API request to citizen data through the access module."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import generics, permissions
from rest_framework.request import Request

from apps.access import audit
from apps.access.context import Actor, actor_from_request
from apps.core import parsers
from apps.core.exceptions import ApplicationError
from apps.core.parsers import IfMatch


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

    def versions_held(self) -> IfMatch | None:
        """The versions ``If-None-Match`` names (``*``: any); None when absent."""
        return self._entity_tags(
            "If-None-Match",
            _('If-None-Match must hold an ETag of the plan, such as "3".'),
            "invalid_if_none_match",
        )

    def expected_version(self) -> IfMatch | None:
        """The versions ``If-Match`` names (``*``: any); None when absent. The service checks
        it after the access check, so nobody learns from a 428 or 412 that a plan exists."""
        return self._entity_tags(
            "If-Match", _('If-Match must hold the plan\'s ETag, such as "3".'), "invalid_if_match"
        )

    def _entity_tags(self, header: str, message: str, code: str) -> IfMatch | None:
        """A header of entity tags; a malformed one is a 400 naming the header."""
        try:
            return parsers.parse_if_match(self.request.headers.get(header, ""))
        except parsers.InvalidValue as exc:
            raise ApplicationError(message, code=code, fields={header: [str(exc)]}) from exc
