"""The OpenAPI schema tells what the API answers, errors included.

``ApiSchema`` (``DEFAULT_SCHEMA_CLASS``) adds to every operation the error answers it can give,
all in the one error shape of ``apps/core/api/errors.py``, and the headers it reads and sends:

- 400, 401, 403 and 406 everywhere; 404 where the path names an object; 409 on writes made
  for an organisation (a rule of the domain can refuse them); 413 and 415 where a body is read
  (also by a DELETE whose view says ``delete_body = True``, documented with its body);
  429 where the view throttles;
- ``X-Organisation`` on views whose permission acts for an organisation (the permission class
  says so with ``acts_for_organisation = True``);
- ``If-Match`` (and 412, 428) on the methods a view lists in ``if_match_methods``, and the
  ``ETag`` answer header on those it lists in ``etag_methods``;
- ``If-None-Match`` (and 304) on the methods a view lists in ``if_none_match_methods``.

A view's own ``@extend_schema`` still wins for anything it names.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, build_media_type_object
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import permissions, serializers
from rest_framework.authentication import SessionAuthentication

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every error of the API: a stable code, a human detail, the fields to fix.",
    "required": ["code", "detail", "fields"],
    "properties": {
        "code": {"type": "string", "description": "Stable, for programs: `invalid`, ..."},
        "detail": {"type": "string", "description": "For people, in the request's language."},
        "fields": {
            "type": "object",
            "description": "By input name (body field, query parameter or header): what is wrong.",
            "additionalProperties": {
                "anyOf": [{"type": "array"}, {"type": "object"}, {"type": "string"}]
            },
        },
    },
}

# Plain English, like the rest of the schema: a contract for programmers, the same for all.
ERROR_DESCRIPTIONS: dict[str, str] = {
    "400": "Invalid input; `fields` names what to fix.",
    "401": "Not authenticated, or the token is not valid.",
    "403": "Not allowed: the action on something you may see, or the role.",
    "404": "Not found, or not yours to see.",
    "406": "None of the media types in `Accept` can be served.",
    "409": "A rule of the domain refuses it in the current state.",
    "412": "`If-Match` does not hold the current version.",
    "413": "The request body is too large.",
    "415": "The request body is not JSON.",
    "428": "`If-Match` is required.",
    "429": "Too many requests; try again later.",
}

ETAG_PATTERN = r'^(W/)?"[^"]*"$'

X_ORGANISATION = OpenApiParameter(
    "X-Organisation",
    {"type": "integer", "minimum": 1},
    OpenApiParameter.HEADER,
    description="The organisation you act for (an id from /api/v1/me/); needed with several.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    {"type": "string", "pattern": ETAG_PATTERN},
    OpenApiParameter.HEADER,
    required=True,
    description='The plan\'s current ETag, such as "3".',
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    # Empty counts as not sent.
    {"type": "string", "pattern": r'^(|\*|(W/)?"[^"]*"([ \t]*,[ \t]*(W/)?"[^"]*")*)$'},
    OpenApiParameter.HEADER,
    description='An ETag you hold, such as "3": while the plan is still that version the '
    "answer is 304 without a body (the read is recorded like any other).",
)
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
ETAG_HEADER = {
    "required": True,
    "description": "The plan's version; send it back in If-Match.",
    "schema": {"type": "string", "pattern": ETAG_PATTERN},
}

ERROR_REF = {"$ref": "#/components/schemas/Error"}


def error_response(code: str, description: str | None = None) -> OpenApiResponse:
    """An error answer a view names itself, such as a 404 where the path names no object."""
    return OpenApiResponse(ERROR_REF, description=description or ERROR_DESCRIPTIONS[code])


RETRY_AFTER = {
    "description": "Seconds to wait before trying again.",
    "schema": {"type": "integer", "minimum": 0},
}

_whole_lists: dict[type, type[serializers.Serializer]] = {}


def whole_list(serializer_class: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The list shape ``{"results": [...], "next": null}`` for a list answered whole."""
    if serializer_class not in _whole_lists:
        name = serializer_class.__name__.removesuffix("Serializer") + "ListSerializer"
        _whole_lists[serializer_class] = type(
            name,
            (serializers.Serializer,),
            {
                "__doc__": "Every item at once; `next` is always null (no further page).",
                "__module__": serializer_class.__module__,
                "results": serializer_class(many=True, read_only=True),
                "next": serializers.CharField(allow_null=True, read_only=True),
            },
        )
    return _whole_lists[serializer_class]


class ApiSchema(AutoSchema):
    """drf-spectacular's AutoSchema, with errors, headers and whole lists (module docstring)."""

    def _methods(self, attribute: str) -> frozenset[str]:
        return frozenset(m.upper() for m in getattr(self.view, attribute, ()))

    def acts_for_organisation(self) -> bool:
        return any(
            getattr(permission, "acts_for_organisation", False)
            for permission in self.view.get_permissions()
        )

    def if_match(self) -> bool:
        return self.method in self._methods("if_match_methods")

    def answers_whole_list(self) -> bool:
        return self.method == "GET" and getattr(self.view, "whole_list", False)

    def _is_create_operation(self) -> bool:
        # A POST that makes a thing answers 201; the view says so with ``creates = True``.
        creates = self.method == "POST" and getattr(self.view, "creates", False)
        return creates or super()._is_create_operation()

    def get_operation_id(self) -> str:
        operation_id = super().get_operation_id()
        if self.answers_whole_list():
            return operation_id.removesuffix("_retrieve") + "_list"
        return operation_id

    def get_response_serializers(self) -> Any:
        serializer = super().get_response_serializers()
        if self.answers_whole_list() and serializer is not None:
            cls = serializer if isinstance(serializer, type) else type(serializer)
            return whole_list(cls)
        return serializer

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self.acts_for_organisation():
            parameters.append(X_ORGANISATION)
        if self.if_match():
            parameters.append(IF_MATCH)
        if self.method in self._methods("if_none_match_methods"):
            parameters.append(IF_NONE_MATCH)
        return parameters

    def reads_delete_body(self) -> bool:
        # A DELETE that takes optional details (a view says so with ``delete_body``) reads
        # them from a JSON body: drf-spectacular documents bodies only for POST, PUT, PATCH.
        return self.method == "DELETE" and getattr(self.view, "delete_body", False)

    def _get_request_body(self, direction: str = "request") -> Any:
        body = super()._get_request_body(direction)
        if body is None and self.reads_delete_body():
            schema, required = self._get_request_for_media_type(
                self.get_request_serializer(), direction
            )
            if schema is not None:
                body = {"content": {"application/json": build_media_type_object(schema)}}
                if required:
                    body["required"] = True
        return body

    def error_codes(self, responses: dict[str, Any]) -> list[str]:
        """The error answers this operation can give, beside those it documents itself."""
        authenticators = self.view.get_authenticators()
        gated = not all(isinstance(p, permissions.AllowAny) for p in self.view.get_permissions())
        codes = ["400"]
        if authenticators:
            codes.append("401")  # a token that is wrong or expired
        if gated or any(isinstance(a, SessionAuthentication) for a in authenticators):
            codes.append("403")  # a permission, or CSRF on a session
        codes.append("406")
        if "{" in self.path:
            codes.append("404")
        if self.method in WRITES and self.acts_for_organisation():
            codes.append("409")
        if self.if_match():
            codes += ["412", "428"]
        body = self.method in BODY_METHODS or self.reads_delete_body()
        if body and self.get_request_serializer() is not None:
            codes += ["413", "415"]
        if self.view.get_throttles():
            codes.append("429")
        return [code for code in codes if code not in responses]

    def error_ref(self) -> dict[str, str]:
        component = ResolvedComponent(
            name="Error", type=ResolvedComponent.SCHEMA, object="Error", schema=ERROR_SCHEMA
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if self.method in self._methods("etag_methods"):
            for code, response in responses.items():
                if code.startswith("2"):
                    response.setdefault("headers", {})["ETag"] = ETAG_HEADER
        if self.method in self._methods("if_none_match_methods"):
            responses["304"] = {
                "description": "Not modified: the plan is still the version you hold.",
                "headers": {"ETag": ETAG_HEADER},
            }
        for code in self.error_codes(responses):
            responses[code] = {
                "description": ERROR_DESCRIPTIONS[code],
                "content": {"application/json": {"schema": self.error_ref()}},
            }
        if "429" in responses:
            responses["429"].setdefault("headers", {})["Retry-After"] = RETRY_AFTER
        return dict(sorted(responses.items()))


def blank_query_is_absent(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """A query parameter sent empty (``?to=``, as a form sends a field left blank) counts as
    not sent, as DRF reads query strings: the schema says so for every query parameter."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema")
                if parameter.get("in") != "query" or not schema or parameter.get("required"):
                    continue
                parameter["schema"] = {"anyOf": [schema, {"type": "string", "maxLength": 0}]}
    return result
