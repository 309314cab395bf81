"""Cursor pagination whose parameters fail as 400s that name them, never silently or as 500s."""

from __future__ import annotations

import binascii
from base64 import b64decode
from collections.abc import Callable
from typing import Any
from urllib import parse

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.pagination import Cursor as Position
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core import parsers

_MAX_CURSOR_LENGTH = 200


class Cursor(CursorPagination):
    """Cursor pagination: stable under inserts and never counts the whole table.

    DRF replaces a ``page_size`` it cannot read (0, -5, ``abc``, too large) with the default,
    and takes a cursor's position as it comes, so a cursor that decodes to garbage reaches the
    database and fails there. Here both are read strictly; the position is an id, as every
    list is ordered by id.
    """

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return int(self.page_size or 1)
        try:
            return parsers.parse_page_size(raw, maximum=self.max_page_size)
        except parsers.InvalidValue as exc:
            raise serializers.ValidationError({self.page_size_query_param: [str(exc)]}) from exc

    def decode_cursor(self, request: Request) -> Position | None:
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            return self._decode(encoded)
        except (ValueError, binascii.Error) as exc:
            message = _("Not a cursor of this list: follow the next link as it is.")
            raise serializers.ValidationError({self.cursor_query_param: [message]}) from exc

    def _decode(self, encoded: str) -> Position:
        if len(encoded) > _MAX_CURSOR_LENGTH:
            raise ValueError("too long")
        text = b64decode(encoded.encode("ascii"), validate=True).decode("ascii")
        tokens = parse.parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
        if set(tokens) - {"o", "r", "p"} or any(len(values) != 1 for values in tokens.values()):
            raise ValueError("unknown or repeated token")
        offset = parsers.parse_integer(tokens.get("o", ["0"])[0], minimum=0)
        if offset > self.offset_cutoff:
            raise ValueError("offset beyond the cutoff")
        reverse = tokens.get("r", ["0"])[0]
        if reverse not in ("0", "1"):
            raise ValueError("not a direction")
        raw_position = tokens.get("p", [None])[0]
        position = None if raw_position is None else parsers.parse_id(raw_position)
        return Position(offset=offset, reverse=reverse == "1", position=position)

    def get_paginated_response(self, data):  # type: ignore[no-untyped-def]
        return Response(
            {"results": data, "next": self.get_next_link(), "previous": self.get_previous_link()}
        )

    def get_paginated_response_schema(self, schema):  # type: ignore[no-untyped-def]
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "results": schema,
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
            if parameter["name"] == self.cursor_query_param:
                parameter["schema"]["maxLength"] = _MAX_CURSOR_LENGTH
        return parameters


# Beyond any id a row can have (ids are 64-bit): the position "before" the first page.
_ABOVE_EVERY_ID = 2**63 - 1


class NewestFirst:
    """A list for ``Cursor`` whose pages newest first come from ``fetch(before, limit)``.

    ``Cursor.paginate_queryset`` asks a queryset for three things: an order, a position to
    start after, and one slice. This answers the walk it takes most, forwards from the top or
    from a next link (``-id``, ids below the position, no offset), with ``fetch``, which can
    run a statement prepared for it; anything else (a previous link, an offset) with the
    queryset ``fallback()`` builds, the same steps applied to it.
    """

    def __init__(
        self,
        fetch: Callable[..., list[Any]],
        fallback: Callable[[], Any],
        steps: tuple[tuple[str, tuple[Any, ...], dict[str, Any]], ...] = (),
    ) -> None:
        self.fetch = fetch
        self.fallback = fallback
        self.steps = steps

    def order_by(self, *fields: str) -> NewestFirst:
        return self._then("order_by", fields, {})

    def filter(self, **lookups: Any) -> NewestFirst:
        return self._then("filter", (), lookups)

    def _then(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> NewestFirst:
        return NewestFirst(self.fetch, self.fallback, (*self.steps, (name, args, kwargs)))

    def __getitem__(self, window: slice) -> list[Any]:
        before = self._before()
        if before is not None and not window.start and window.stop is not None:
            return self.fetch(before=before, limit=window.stop)
        queryset = self.fallback()
        for name, args, kwargs in self.steps:
            queryset = getattr(queryset, name)(*args, **kwargs)
        return list(queryset[window])

    def _before(self) -> int | None:
        """The position a newest-first walk starts below; None for any other walk."""
        match self.steps:
            case (("order_by", ("-id",), {}),):
                return _ABOVE_EVERY_ID
            case (("order_by", ("-id",), {}), ("filter", (), {"id__lt": position})):
                return int(position)
        return None
