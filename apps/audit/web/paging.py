"""Pages of the trail, newest first, by id (a keyset: stable while events are added, and never
counting the table), and the rows as people read them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from apps.access.checks import citizens_visible_to
from apps.access.context import Actor
from apps.audit import selectors
from apps.audit.models import AccessEvent
from apps.audit.web import labels

PAGE_SIZE = 50


class PageError(ValueError):
    pass


@dataclass
class Page:
    events: list[AccessEvent] = field(default_factory=list)
    newer: int | None = None  # "previous page": events after this id
    older: int | None = None  # "next page": events before this id


def page_params(params: Any) -> tuple[int | None, int | None]:
    """``before`` / ``after``: the id a page starts from; anything else is refused."""
    values: list[int | None] = []
    for name in ("before", "after"):
        raw = params.get(name)
        if raw in (None, ""):
            values.append(None)
            continue
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1 or len(raw) > 18:
            raise PageError(_("The page link is not valid. Start again from the first page."))
        values.append(int(raw))
    return values[0], values[1]


def keyset_page(
    events: QuerySet[AccessEvent],
    *,
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    events = events.select_related("actor", "organisation")
    if after is not None:
        chunk = list(events.filter(id__gt=after).order_by("id")[: size + 1])
        newer = len(chunk) > size
        chunk = chunk[:size][::-1]
        if not chunk:
            return Page()
        return Page(chunk, newer=chunk[0].pk if newer else None, older=chunk[-1].pk)
    ordered = events.order_by("-id")
    if before is not None:
        ordered = ordered.filter(id__lt=before)
    chunk = list(ordered[: size + 1])
    older = len(chunk) > size
    chunk = chunk[:size]
    if not chunk:
        return Page()
    return Page(
        chunk,
        newer=chunk[0].pk if before is not None else None,
        older=chunk[-1].pk if older else None,
    )


def citizen_shown(event: AccessEvent) -> int | None:
    # The citizen as the manager may see it, where the selector says so.
    return getattr(event, "citizen_shown", event.citizen_id)


def trail_rows(
    actor: Actor, events: list[AccessEvent], *, reasons: bool = False
) -> tuple[list[dict[str, Any]], list[int]]:
    """Each event as a row: when, who, what (the citizen by name where the manager may see
    the citizen), outcome and purpose; and the citizens named. One query for the names."""
    ids = {c for c in (citizen_shown(e) for e in events) if c is not None}
    names: dict[int, str] = {}
    if ids:
        names = dict(citizens_visible_to(actor).filter(pk__in=ids).values_list("pk", "name"))
    rows = []
    for event in events:
        name = names.get(citizen_shown(event) or 0)
        what = labels.object_label(event.object_type)
        row = {
            "event": event,
            "action": event.get_action_display(),
            "what": what[:1].upper() + what[1:],
            "citizen": name,
            "allowed": event.outcome == AccessEvent.Outcome.ALLOWED,
            "purpose": labels.purpose_label(event.purpose),
        }
        if reasons:
            row["reason"] = str(labels.UNUSUAL_REASONS[selectors.unusual_reason(event)])
        rows.append(row)
    return rows, sorted(names)
