"""Writes to the audit trail. Called by ``apps.access`` only.

Break-the-glass and retention live in ``breakglass.py`` and ``retention.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from django.db import connection

from apps.audit.models import AccessEvent
from apps.core.prepared import preparing_cursor


def access_events_record(*, events: Iterable[dict[str, Any]]) -> list[AccessEvent]:
    """Insert events in one statement. A failure propagates: the request fails closed."""
    rows = [AccessEvent(**event) for event in events]
    if len(rows) == 1:
        _insert_one(rows[0])
        return rows
    return AccessEvent.objects.bulk_create(rows)


@cache
def _columns() -> tuple[list[Any], str]:
    """The fields an insert writes (all but the id) and its SQL, written once per process."""
    fields = [field for field in AccessEvent._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from the model)
        quote(AccessEvent._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    return fields, sql


def _insert_one(row: AccessEvent) -> None:
    """The common case (one object read): one INSERT in autocommit, no BEGIN/COMMIT around
    it, planned once per connection on PostgreSQL. The values are prepared as the ORM's own
    insert prepares them (``pre_save`` stamps ``at``; ``get_db_prep_save`` adapts each); the
    SQL is built once instead of compiled on every read (bench/RESULTS.md, the fast path)."""
    fields, sql = _columns()
    params = [field.get_db_prep_save(field.pre_save(row, True), connection) for field in fields]
    with preparing_cursor() as cursor:
        cursor.execute(sql, params)
