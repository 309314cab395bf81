"""The policy holds for every endpoint and serializer, including ones added later.

Every view of the API parses with the bounded JSON parser, renders JSON (CSV or a printed page
only where a view exports or prints), negotiates and answers OPTIONS through apps/core; every
writable integer, id and date field of every serializer reads through apps.core.parsers.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import fields as drf_fields
from rest_framework import relations, renderers, serializers
from rest_framework.views import APIView

from apps.audit.api.views import CSVRenderer, PrintableHTMLRenderer
from apps.core.api import fields as strict
from apps.core.api.parsers import JSONParser
from apps.core.api.policy import ContentNegotiation, Metadata


def _views(patterns: list[Any], prefix: str = "") -> list[tuple[str, type, dict[str, Any]]]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found += _views(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            view = getattr(entry.callback, "cls", None)
            if view is not None and issubclass(view, APIView):
                initkwargs = getattr(entry.callback, "initkwargs", {})
                found.append((prefix + str(entry.pattern), view, initkwargs))
    return found


API_VIEWS = [v for v in _views(get_resolver().url_patterns) if v[0].startswith("api/v1/")]
EXPORTS = {CSVRenderer, PrintableHTMLRenderer}  # offered only by the views that need them


def test_there_are_api_views() -> None:
    assert len(API_VIEWS) >= 35


@pytest.mark.parametrize(("route", "view", "initkwargs"), API_VIEWS, ids=[v[0] for v in API_VIEWS])
def test_every_view_follows_the_policy(route: str, view: type, initkwargs: dict) -> None:
    instance = view(**initkwargs)
    assert instance.parser_classes, route
    assert all(issubclass(p, JSONParser) for p in instance.parser_classes), route
    assert instance.renderer_classes[0] is renderers.JSONRenderer, route
    for renderer in instance.renderer_classes:
        assert renderer is renderers.JSONRenderer or renderer in EXPORTS, (route, renderer)
        assert not issubclass(renderer, renderers.BrowsableAPIRenderer), route
    assert instance.content_negotiation_class is ContentNegotiation, route
    assert instance.metadata_class is Metadata, route


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


SERIALIZERS = sorted(
    (
        s
        for s in _subclasses(serializers.BaseSerializer)
        if s.__module__.startswith("apps.") and s is not strict.ModelSerializer
    ),
    key=lambda s: f"{s.__module__}.{s.__qualname__}",
)
LOOSE = (
    drf_fields.IntegerField,
    drf_fields.FloatField,
    drf_fields.DecimalField,
    drf_fields.DateField,
    drf_fields.DateTimeField,
    relations.PrimaryKeyRelatedField,
)
STRICT = (
    strict.IntegerField,
    strict.DateField,
    strict.DateTimeField,
    strict.PrimaryKeyRelatedField,
)


def _writable_fields(field: Any, name: str) -> list[tuple[str, Any]]:
    if getattr(field, "read_only", False):
        return []
    if isinstance(field, serializers.ListSerializer):
        return _writable_fields(field.child, name + "[]")
    if isinstance(field, serializers.Serializer):
        found = []
        for inner_name, inner in field.fields.items():
            found += _writable_fields(inner, f"{name}.{inner_name}")
        return found
    if isinstance(field, drf_fields.ListField | drf_fields.DictField):
        return _writable_fields(field.child, name + "[]")
    if isinstance(field, relations.ManyRelatedField):
        return _writable_fields(field.child_relation, name + "[]")
    return [(name, field)]


def test_there_are_serializers() -> None:
    assert len(SERIALIZERS) >= 20


@pytest.mark.parametrize("serializer", SERIALIZERS, ids=[s.__qualname__ for s in SERIALIZERS])
def test_every_serializer_reads_numbers_and_dates_strictly(serializer: type) -> None:
    for name, field in _writable_fields(serializer(), serializer.__qualname__):
        if isinstance(field, LOOSE):
            assert isinstance(field, STRICT), f"{name}: {type(field).__name__} is DRF's own"
