from rest_framework.pagination import CursorPagination
from rest_framework.response import Response


class Cursor(CursorPagination):
    """Cursor pagination: stable under inserts and never counts the whole table."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200

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
