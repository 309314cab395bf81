"""The access report as the citizen reads it: one line per day, organisation, use and purpose.

Opening My work or the plan list shows every plan on it, so one person's ordinary day can leave
the same "saw your name in a list" many times; the report keeps each of them (the count says
how many) but prints it once.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from apps.audit.web import labels


def report_rows(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for entry in entries:
        day = timezone.localtime(entry["at"]).date()
        what = labels.citizen_action_label(entry["action"])
        thing = labels.object_label(entry["object_type"])
        key = (day, entry["organisation"], what, thing, entry["purpose"], entry.get("staff"))
        row = rows.get(key)
        if row is None:
            rows[key] = {
                "day": day,
                "organisation": entry["organisation"],
                "what": what,
                "thing": thing,
                "purpose": labels.purpose_label(entry["purpose"]),
                "staff": entry.get("staff"),
                "count": 1,
            }
        else:
            row["count"] += 1
    return list(rows.values())
