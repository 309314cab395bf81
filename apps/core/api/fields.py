"""Serializer fields that read input through ``apps.core.parsers``; use these, never DRF's own.

DRF's ``IntegerField``, ``PrimaryKeyRelatedField``, ``DateField`` and ``DateTimeField`` take
digits of any script and integers or dates of any size; an id beyond 64 bits then fails in
the database (a 500 on SQLite), and year 1 comes back as a date no client can read.
``ModelSerializer`` here maps model fields to the strict fields, and
``tests/core/test_parser_policy.py`` checks that no serializer of the API uses DRF's.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from rest_framework import serializers

from apps.core import parsers


def _read(parse: Any, value: Any, **kwargs: Any) -> Any:
    try:
        return parse(value, **kwargs)
    except parsers.InvalidValue as exc:
        raise serializers.ValidationError(str(exc), code="invalid") from exc


class IntegerField(serializers.IntegerField):
    """A whole number in ASCII digits, within 64 bits unless narrower bounds are given."""

    def to_internal_value(self, data: Any) -> int:
        minimum = parsers.MIN_INTEGER if self.min_value is None else int(self.min_value)
        maximum = parsers.MAX_ID if self.max_value is None else int(self.max_value)
        return _read(
            parsers.parse_integer,
            data,
            minimum=max(minimum, parsers.MIN_INTEGER),
            maximum=min(maximum, parsers.MAX_ID),
        )


class IdField(IntegerField):
    """The id of an object (1 to 2**63-1); the service looks it up and checks access."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", parsers.MAX_ID)
        super().__init__(**kwargs)


class PrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    def to_internal_value(self, data: Any) -> Any:
        return super().to_internal_value(_read(parsers.parse_id, data))


class DateField(serializers.DateField):
    def to_internal_value(self, value: Any) -> Any:
        return _read(parsers.parse_date, value)


class DateTimeField(serializers.DateTimeField):
    def to_internal_value(self, value: Any) -> Any:
        return self.enforce_timezone(_read(parsers.parse_datetime, value))


class CharField(serializers.CharField):
    """Text, sent as a JSON string. DRF's takes a number too (``0``, ``1.5``) and keeps it as
    the text ``"0"``: a client that sends the wrong type is told, as for every other field."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class EmailField(CharField, serializers.EmailField):
    """An e-mail address, sent as a JSON string."""


class SlugField(CharField, serializers.SlugField):
    """A short name of letters, digits, hyphens and underscores, sent as a JSON string."""


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer with the strict fields for integers, ids and dates."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.AutoField: IntegerField,
        models.BigAutoField: IntegerField,
        models.SmallAutoField: IntegerField,
        models.IntegerField: IntegerField,
        models.BigIntegerField: IntegerField,
        models.SmallIntegerField: IntegerField,
        models.PositiveIntegerField: IntegerField,
        models.PositiveBigIntegerField: IntegerField,
        models.PositiveSmallIntegerField: IntegerField,
        models.DateField: DateField,
        models.DateTimeField: DateTimeField,
        models.CharField: CharField,
        models.TextField: CharField,
        models.EmailField: EmailField,
        models.SlugField: SlugField,
    }
    serializer_related_field = PrimaryKeyRelatedField
    # DRF builds a model serializer's fields anew for every instance, reading the model's
    # metadata each time (most of a plan's serialisation, bench/RESULTS.md). Here they depend
    # on the class alone, so they are built once per class and each instance gets its own
    # copies, as DRF gives it copies of the declared fields.
    _built_fields: ClassVar[dict[type, dict[str, serializers.Field]]] = {}

    def get_fields(self) -> dict[str, serializers.Field]:
        built = self._built_fields.get(type(self))
        if built is None:
            built = super().get_fields()
            self._built_fields[type(self)] = built
        return {name: _copy(field) for name, field in built.items()}

    def build_standard_field(self, field_name: str, model_field: Any) -> tuple[type, dict]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        # The column's own range, whatever the database: SQLite would store 40000 in a
        # "small" integer that PostgreSQL refuses.
        bounds = BaseDatabaseOperations.integer_field_ranges.get(model_field.get_internal_type())
        if bounds and issubclass(field_class, serializers.IntegerField):
            low, high = bounds
            kwargs["min_value"] = max(kwargs.get("min_value", low), low)
            kwargs["max_value"] = min(kwargs.get("max_value", high), high)
        return field_class, kwargs


def _copy(field: serializers.Field) -> serializers.Field:
    """A field of its own for one serializer instance.

    DRF deep-copies each field by building it again from its arguments, which was most of a
    plan's serialisation once the fields were cached (bench/RESULTS.md, the fast path). What
    binding to a serializer sets (name, parent, source) lands on the copy's own attributes,
    and what it shares with the cached field (its arguments, messages, validators) nothing
    writes to, so a shallow copy is enough, except for a field that holds fields itself (a
    nested serializer, a list or dict of a child field, a many-to-many relation): the child is
    bound to its parent, so that one gets DRF's deep copy.
    """
    if isinstance(field, serializers.ListSerializer) and isinstance(field.child, ModelSerializer):
        # A nested list of one of ours (a plan's goals): its child builds its fields from its
        # own class's cache when first asked, so the list and the child are copied shallowly,
        # without what the child cached of its own; the child, bound once with the list
        # (its name and source ""), belongs to this copy.
        copied = copy.copy(field)
        copied.child = copy.copy(field.child)
        copied.child.__dict__.pop("fields", None)
        copied.child.parent = copied
        return copied
    holds_fields = hasattr(field, "child") or hasattr(field, "child_relation")
    if holds_fields or isinstance(field, serializers.BaseSerializer):
        return copy.deepcopy(field)
    return copy.copy(field)
