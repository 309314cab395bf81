"""Rows of several tables read in one statement as JSON (PostgreSQL), made model instances.

A plan's parts (goals, efforts, agreements, ...) are five tables; read with ``prefetch_related``
they are five statements, each compiled by the ORM and waited for. On PostgreSQL ``json_agg``
returns them all in one: ``parts_statement`` writes it from the models' own tables and columns,
``instances`` turns each JSON row back into the instance the ORM would have made (dates and
moments parsed, ``from_db`` so the instance is "from the database"), and ``cache_related``
fills the relation's prefetch cache so the serializers read them without a query.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import models


def rows_json(model: type[models.Model], condition: str, order: str) -> str:
    """A scalar subquery: the model's rows that meet ``condition`` as one JSON array, in
    ``order``, the table read as ``t``.

    Conditions and orders are the caller's constants (``%s`` for values, or a column of an
    outer query); table names come from the models. Nothing here is input.
    """
    return (
        f"(SELECT COALESCE(json_agg(t ORDER BY {order}), '[]'::json) "  # noqa: S608
        f'FROM "{model._meta.db_table}" t WHERE {condition})'
    )


def parts_statement(parts: Iterable[tuple[type[models.Model], str, str]]) -> str:
    """One SELECT of one ``rows_json`` array per ``(model, condition, order)``."""
    return "SELECT " + ", ".join(rows_json(*part) for part in parts)


def _parser(field: models.Field) -> Any:
    if isinstance(field, models.DateTimeField):
        return datetime.datetime.fromisoformat
    if isinstance(field, models.DateField):
        return datetime.date.fromisoformat
    if isinstance(field, (models.IntegerField, models.BooleanField, models.TextField)):
        return None
    if isinstance(field, (models.CharField, models.ForeignKey)):
        return None
    # A field we have not taught this reader (decimal, JSON, a custom one): say so, not guess.
    raise TypeError(f"{field.model.__name__}.{field.name}: no JSON reader for {type(field)}")


def instances(model: type[models.Model], rows: list[dict[str, Any]], using: str) -> list[Any]:
    """The model instances of ``json_agg``'s rows (keys are column names)."""
    readers = [(f.column, _parser(f)) for f in model._meta.concrete_fields]
    attnames = [f.attname for f in model._meta.concrete_fields]
    made = []
    for row in rows:
        values = []
        for column, read in readers:
            value = row[column]
            values.append(value if read is None or value is None else read(value))
        made.append(model.from_db(using, attnames, values))
    return made


def cache_related(instance: models.Model, name: str, objects: list[Any]) -> None:
    """``instance.<name>.all()`` is ``objects`` from now on, as ``prefetch_related`` leaves it."""
    queryset = getattr(instance, name).get_queryset()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[name] = queryset
