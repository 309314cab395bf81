"""Statements the ORM writes once per process, then runs with new values bound.

Django compiles a queryset's SQL each time it is evaluated. For the statement every plan read
runs (the access check of ``apps.access``), compiling cost three times what the database took
to answer (bench/RESULTS.md, the fast path). ``Prepared`` lets the ORM build that queryset
once, with sentinel values in the places of the arguments, notes where each sentinel landed
among the parameters, and afterwards runs the same SQL with the real values bound there and
the rows turned into model instances as the ORM would (the same converters).

The rules stay where they are written: the queryset is still the ORM expression. Two safety
checks at compile time: the queryset is built twice with different sentinels and must give
the same SQL, with the parameters differing only where a sentinel went (so no argument
changed the statement's shape or hid in a value the ORM derived from it); and every datetime
parameter must be "now" (the only datetimes these statements bind), which each run takes
afresh.
"""

from __future__ import annotations

import datetime
import sys
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import psycopg
from django.db import connections
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from psycopg.types.numeric import Int8Dumper

M = TypeVar("M", bound=Model)

# Far from any id a row can have (ids are positive), apart from each other, of both parities.
_SENTINELS = (-7_300_000_000_001, -7_300_000_000_102)
_NOW = object()


class NotPreparable(Exception):
    """The queryset's SQL depends on its arguments in a way binding cannot reproduce."""


class Prepared(Generic[M]):
    """``Prepared(build, "plan_id", "user_id")``; ``run(plan_id=1, user_id=2)`` is the list
    of model instances ``build(plan_id=1, user_id=2)`` evaluates to, annotations included.

    ``build`` takes the named integer arguments and returns a queryset; it must not branch on
    them (the check at compile time catches a branch its two sentinels take differently).
    """

    def __init__(self, build: Callable[..., QuerySet[M]], *names: str) -> None:
        self.build = build
        self.names = names
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def run(self, using: str = "default", **values: int) -> list[M]:
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(using) or self._compile(using)
                self._compiled[using] = compiled
        return compiled.run(using, values)

    def _compile(self, using: str) -> _Compiled:
        first = self._sql(using, 0)
        second = self._sql(using, 1)
        if first[0] != second[0] or len(first[1]) != len(second[1]):
            raise NotPreparable("the arguments change the statement")
        now = timezone.now()
        slots: list[Any] = []
        for a, b in zip(first[1], second[1], strict=True):
            name = self._sentinel_name(a, 0)
            if name is not None:
                if self._sentinel_name(b, 1) != name:
                    raise NotPreparable(f"{name} bound inconsistently")
                slots.append(name)
            elif (moment := _moment(a)) is not None:
                if abs((now - moment).total_seconds()) > 60:
                    raise NotPreparable("a datetime parameter that is not now")
                slots.append(_NOW)
            elif a != b:
                raise NotPreparable("a parameter derived from an argument")
            else:
                slots.append(("constant", a))
        return _Compiled(first[0], slots, first[2])

    def _sentinel_name(self, value: Any, which: int) -> str | None:
        for i, name in enumerate(self.names):
            if value == _SENTINELS[which] - i:
                return name
        return None

    def _sql(self, using: str, which: int) -> tuple[str, list[Any], _Shape]:
        values = {name: _SENTINELS[which] - i for i, name in enumerate(self.names)}
        queryset = self.build(**values).using(using)
        compiler = queryset.query.get_compiler(using)
        sql, params = compiler.as_sql()
        if compiler.klass_info is None or compiler.klass_info.get("related_klass_infos"):
            raise NotPreparable("only plain model querysets, no select_related")
        fields = compiler.klass_info["select_fields"]
        shape = _Shape(
            model=queryset.model,
            attnames=[compiler.select[i][0].target.attname for i in fields],
            fields_end=max(fields) + 1,
            annotations=dict(compiler.annotation_col_map),
            expressions=[column[0] for column in compiler.select],
        )
        return sql, list(params), shape


def _moment(value: Any) -> datetime.datetime | None:
    """A datetime parameter as bound: the value itself, or SQLite's text of it."""
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == " ":
        parsed = parse_datetime(value)
        if parsed is not None:
            return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=datetime.UTC)
    return None


def preparing_cursor(using: str = "default") -> Any:
    """A cursor whose statements PostgreSQL plans once per connection (elsewhere: the usual).

    Django binds parameters on the client and leaves psycopg's prepared statements off (for
    poolers in transaction mode; this service connects directly). For the few statements every
    plan read sends, planning took longer than running them (1.5 ms against 0.4 ms for the
    access check, bench/RESULTS.md). This cursor binds on the server and has psycopg prepare
    each statement it runs and keep it, per connection, in its cache of prepared statements;
    Django's wrapper around it still logs and counts the statement and translates errors.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return connection.cursor()
    # What Django's own cursor() does (BaseDatabaseWrapper._cursor and the PostgreSQL
    # backend's create_cursor), with this cursor class.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = connection.connection
        if raw.prepare_threshold is None:
            # Django turns preparing off this way (None), which psycopg honours even for
            # prepare=True. A threshold no statement reaches keeps Django's other cursors
            # (binding on the client, which never prepare anyway) as they were.
            raw.prepare_threshold = sys.maxsize
        cursor = _Preparing(raw)
        # psycopg sends an int as int2, int4 or int8 by its size, and a prepared statement is
        # kept per parameter types: one type for every id keeps one statement, not dozens.
        cursor.adapters.register_dumper(int, Int8Dumper)
        loader = raw.adapters.get_loader(_TIMESTAMPTZ_OID, psycopg.pq.Format.TEXT)
        if connection.timezone != loader.timezone:
            register_tzloader(connection.timezone, cursor)
        return connection._prepare_cursor(cursor)  # type: ignore[attr-defined]


_TIMESTAMPTZ_OID = psycopg.adapters.types["timestamptz"].oid


class _Preparing(psycopg.Cursor):
    """Binds on the server and prepares every statement it runs (psycopg keeps them)."""

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        return super().execute(query, params, prepare=True)


class _Shape:
    def __init__(
        self,
        model: type[Model],
        attnames: list[str],
        fields_end: int,
        annotations: dict[str, int],
        expressions: list[Any],
    ) -> None:
        self.model = model
        self.attnames = attnames
        self.fields_end = fields_end
        self.annotations = annotations
        self.expressions = expressions


class _Compiled:
    def __init__(self, sql: str, slots: list[Any], shape: _Shape) -> None:
        self.sql = sql
        self.slots = slots
        self.shape = shape
        self.converters: list[tuple[int, list[Any]]] | None = None  # set on the first run

    def run(self, using: str, values: dict[str, int]) -> list[Any]:
        connection = connections[using]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        params = [
            now if slot is _NOW else slot[1] if isinstance(slot, tuple) else values[slot]
            for slot in self.slots
        ]
        with preparing_cursor(using) as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        shape = self.shape
        converters = self.converters
        if converters is None:  # what the ORM would convert each column with, once
            converters = self.converters = [
                (i, convs)
                for i, expression in enumerate(shape.expressions)
                if (
                    convs := connection.ops.get_db_converters(expression)
                    + expression.get_db_converters(connection)
                )
            ]
        objects = []
        for raw in rows:
            row = list(raw)
            for i, convs in converters:
                for converter in convs:
                    row[i] = converter(row[i], shape.expressions[i], connection)
            obj = shape.model.from_db(using, shape.attnames, row[: shape.fields_end])
            for name, position in shape.annotations.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects
