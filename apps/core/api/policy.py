"""What the API speaks: JSON out (CSV or print only where a view offers it), JSON in.

- Content negotiation: a format nobody offers (``?format=api``, ``Accept: text/html`` on a
  JSON endpoint) is a 406 in the error shape, naming ``format`` or ``Accept``. The browsable
  API is not served: its forms introspect views that have no querysets; the OpenAPI docs live
  at ``/api/docs/``.
- ``OPTIONS`` describes the endpoint without building serializers or touching objects.
- An id in a path is 1 to 2**63-1 in ASCII digits (``apps.core.converters``); anything else
  under ``/api/`` that no endpoint answers is a JSON 404 (``apps.core.api.views``).

Kept apart from views: DRF's ``APIView`` reads these classes from the settings on import.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, metadata, negotiation
from rest_framework.request import Request


class NotAcceptable(exceptions.NotAcceptable):
    def __init__(self, detail: str, field: str, available_renderers: Any = None) -> None:
        super().__init__(detail, available_renderers=available_renderers)
        self.fields = {field: [str(self.detail)]}


def _method_allowed(request: Request) -> bool:
    view = (request.parser_context or {}).get("view")
    if view is None:
        return True
    method = (request.method or "").lower()
    return method in view.http_method_names and hasattr(view, method)


class ContentNegotiation(negotiation.DefaultContentNegotiation):
    """Both directions of every request, before authentication and the view.

    The answer: a renderer the client accepts, or a 406 naming ``format`` or ``Accept``. The
    body: parsed here, once, if there is one, so that a body the API cannot read is refused
    by every endpoint, also by one that takes no body (DRF parses lazily, when a view first
    reads ``request.data``, and an action such as a consent withdrawal would go ahead).
    """

    def select_renderer(self, request: Request, renderers: Any, format_suffix: Any = None) -> Any:
        # A method the view does not take answers 405 in JSON, whatever format or Accept ask
        # for (negotiation comes first in DRF, and would answer 406 instead).
        if not _method_allowed(request):
            json = next(renderer for renderer in renderers if renderer.format == "json")
            return json, json.media_type
        # An export (a CSV file, a page to print) is what a view's GET makes; for any other
        # method (OPTIONS, ...) it is not on offer, and the answer is JSON or a 406.
        renderers = [
            renderer
            for renderer in renderers
            if request.method in getattr(renderer, "methods", (request.method,))
        ]
        chosen = self._renderer(request, renderers, format_suffix)
        if request.stream is not None:
            request.data  # noqa: B018 - parse now; errors answer as the parser's 400/413/415
        return chosen

    def _renderer(self, request: Request, renderers: Any, format_suffix: Any = None) -> Any:
        fmt = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if fmt and not any(renderer.format == fmt for renderer in renderers):
            offered = ", ".join(sorted({str(r.format) for r in renderers}))
            raise NotAcceptable(
                _("This endpoint answers in these formats: %(formats)s.") % {"formats": offered},
                "format",
                renderers,
            )
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except (exceptions.NotAcceptable, Http404) as exc:
            offered = ", ".join(renderer.media_type for renderer in renderers)
            raise NotAcceptable(
                _("This endpoint answers with %(types)s.") % {"types": offered},
                "Accept",
                renderers,
            ) from exc


class Metadata(metadata.BaseMetadata):
    """``OPTIONS``: the endpoint's name, description and media types, nothing from objects."""

    def determine_metadata(self, request: Request, view: Any) -> dict[str, Any]:
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
        }
