"""Frozen plans and what changed between two of them, as text a person reads.

A snapshot (``apps.coordination.reviews.plan_snapshot_data``) keeps ids and codes; here they
become names, Danish labels and dates, and ``snapshot_diff``'s output becomes sections of
lines whose parts are marked kept, added or removed (texts are compared word by word).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.coordination.web.worddiff import Part, swap, whole, word_diff
from apps.plans.models import LIFE_DOMAINS, Effort, Goal, Plan

NONE = "\N{EN DASH}"  # shown for an empty value, as the other pages do


@dataclass
class Line:
    label: str
    parts: list[Part]


@dataclass
class Change:
    kind: str  # "added" | "removed" | "changed"
    subject: str  # what the change is about, as the person knows it (the goal's text, ...)
    lines: list[Line] = field(default_factory=list)


@dataclass
class Section:
    title: str
    changes: list[Change] = field(default_factory=list)


class Names:
    """People's and organisations' names for the ids a snapshot keeps."""

    def __init__(self, users: dict[int, str], organisations: dict[int, str]) -> None:
        self.users = users
        self.organisations = organisations

    def person(self, pk: Any) -> str:
        if not pk:
            return NONE
        return self.users.get(pk) or _("a former user")

    def organisation(self, pk: Any) -> str:
        if not pk:
            return NONE
        return self.organisations.get(pk) or _("a former organisation")

    def coordinator(self, value: Any) -> str:
        value = value or {}
        if not value.get("user"):
            return _("no coordinator")
        return f"{self.person(value['user'])} ({self.organisation(value.get('organisation'))})"


def ids_in(*snapshots: dict[str, Any]) -> tuple[set[int], set[int]]:
    """The user and organisation ids a set of snapshots mentions (to look their names up)."""
    users: set[int] = set()
    organisations: set[int] = set()
    for data in snapshots:
        coordinator = data.get("coordinator") or {}
        users.add(coordinator.get("user") or 0)
        organisations.add(coordinator.get("organisation") or 0)
        organisations.update(data.get("participants") or [])
        for effort in data.get("efforts") or []:
            users.add(effort.get("responsible") or 0)
            organisations.add(effort.get("organisation") or 0)
        for agreement in data.get("agreements") or []:
            users.add(agreement.get("responsible") or 0)
        for task in data.get("discharge_tasks") or []:
            users.add(task.get("responsible") or 0)
            organisations.add(task.get("responsible_organisation") or 0)
    return users - {0}, organisations - {0}


def _day(value: str | None) -> str:
    if not value:
        return NONE
    try:
        return date_format(dt.date.fromisoformat(value), "DATE_FORMAT")
    except ValueError:
        return value


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _yes_no(value: Any) -> str:
    return _("yes") if value else _("no")


def _rating(value: Any) -> str:
    if value is None or value == "":
        return _("not rated")
    return _("%(n)s of 10") % {"n": value}


def meeting_labels() -> dict[str, str]:
    """The four lines of the citizen's feedback on the meeting, as the form asks them."""
    return {
        "heard": _("I felt heard and understood"),
        "what_matters": _("We talked about what matters to me"),
        "approach": _("The way we worked suited me"),
        "overall": _("Overall, the meeting was right for me"),
    }


def _goal_texts(*snapshots: dict[str, Any]) -> dict[Any, str]:
    texts: dict[Any, str] = {}
    for data in snapshots:
        for goal in data.get("goals") or []:
            texts.setdefault(goal["id"], goal.get("text", ""))
    return texts


def ratings_view(data: dict[str, Any]) -> dict[str, Any]:
    """What the meeting rated, as the review page shows it: per goal the citizen's and the
    coordinator's rating with their notes, and the citizen's feedback on the meeting (lines
    left unanswered are left out; none at all is an empty list)."""
    review = data.get("review") or {}
    texts = _goal_texts(data)
    goals = [
        {
            "text": texts.get(r["id"], _("a goal no longer in the plan")),
            "citizen": _rating(r.get("citizen")),
            "citizen_note": r.get("citizen_note") or "",
            "professional": _rating(r.get("professional")),
            "note": r.get("note") or "",
        }
        for r in review.get("ratings") or []
    ]
    given = review.get("meeting_rating") or {}
    meeting = [
        (label, _rating(given.get(key)))
        for key, label in meeting_labels().items()
        if given.get(key) is not None
    ]
    return {"goals": goals, "meeting": meeting}


# --- one frozen plan ---------------------------------------------------------------------------


def snapshot_view(data: dict[str, Any], names: Names) -> dict[str, Any]:
    """A frozen plan as the review page shows it."""
    assessment = data.get("assessment") or {}
    return {
        "version": data.get("version"),
        "status": _label(Plan.Status, data.get("status")),
        "coordinator": names.coordinator(data.get("coordinator")),
        "participants": sorted(names.organisation(pk) for pk in data.get("participants") or []),
        "next_review": _day(data.get("next_review")),
        "assessment": [
            (label, assessment[key]) for key, label in LIFE_DOMAINS.items() if assessment.get(key)
        ],
        "goals": [
            {
                "text": g.get("text", ""),
                "priority": g.get("priority"),
                "status": _label(Goal.Status, g.get("status")),
            }
            for g in sorted(
                data.get("goals") or [], key=lambda g: (g.get("priority") or 0, g["id"])
            )
        ],
        "efforts": [
            {
                "description": e.get("description", ""),
                "organisation": names.organisation(e.get("organisation")),
                "responsible": names.person(e.get("responsible")),
                "status": _label(Effort.Status, e.get("status")),
                "starts_on": _day(e.get("starts_on")),
                "ends_on": _day(e.get("ends_on")),
            }
            for e in data.get("efforts") or []
        ],
        "agreements": [
            {
                "text": a.get("text", ""),
                "responsible": names.person(a.get("responsible")),
                "due": _day(a.get("due")),
                "done": _yes_no(a.get("done")),
            }
            for a in data.get("agreements") or []
        ],
        # Absent from snapshots frozen before discharge agreements were part of them.
        "discharge_tasks": [
            {
                "admitted_on": _day(t.get("admitted_on")),
                "description": t.get("description", ""),
                "responsible": names.person(t.get("responsible")),
                "organisation": names.organisation(t.get("responsible_organisation")),
                "due": _day(t.get("due")),
                "done": _yes_no(t.get("done")),
            }
            for t in sorted(
                data.get("discharge_tasks") or [],
                key=lambda t: (t.get("admitted_on") or "", t.get("due") or "", t["id"]),
            )
        ],
        "ratings": ratings_view(data),
    }


# --- what changed ------------------------------------------------------------------------------


# What an added or removed item shows besides its text.
WHOLE_ITEM_FIELDS = {
    "organisation",
    "responsible",
    "responsible_organisation",
    "admitted_on",
    "starts_on",
    "ends_on",
    "due",
}

# Per part of the plan: the field holding its text, then (field, label, formatter) for the rest.
Formatter = Any


def _fields(names: Names) -> dict[str, tuple[str, list[tuple[str, str, Formatter]]]]:
    return {
        "goals": (
            "text",
            [
                ("priority", _("Priority"), str),
                ("status", _("Status"), lambda v: _label(Goal.Status, v)),
            ],
        ),
        "efforts": (
            "description",
            [
                ("organisation", _("Organisation"), names.organisation),
                ("responsible", _("Responsible"), names.person),
                ("status", _("Status"), lambda v: _label(Effort.Status, v)),
                ("starts_on", _("Starts"), _day),
                ("ends_on", _("Ends"), _day),
            ],
        ),
        "agreements": (
            "text",
            [
                ("responsible", _("Responsible"), names.person),
                ("due", _("Due"), _day),
                ("done", _("Done"), _yes_no),
            ],
        ),
        "discharge_tasks": (
            "description",
            [
                ("admitted_on", _("Admission"), _day),
                ("responsible", _("Responsible"), names.person),
                ("responsible_organisation", _("Organisation"), names.organisation),
                ("due", _("Due"), _day),
                ("done", _("Done"), _yes_no),
            ],
        ),
    }


def _items(key: str, part: dict[str, Any], after: dict[str, Any], names: Names) -> list[Change]:
    text_field, others = _fields(names)[key]
    changes: list[Change] = []
    for kind in ("added", "removed"):
        for item in part.get(kind) or []:
            change = Change(kind, "")
            change.lines.append(Line("", whole(kind, item.get(text_field, ""))))
            for name, label, show in others:
                # A new or dropped goal is its text; status and priority would be noise.
                if name in WHOLE_ITEM_FIELDS and item.get(name) not in (None, ""):
                    change.lines.append(Line(label, whole(kind, show(item.get(name)))))
            changes.append(change)
    now = {item["id"]: item for item in after.get(key) or []}
    for entry in part.get("changed") or []:
        fields = entry["fields"]
        # The item's text names it, unless the text itself changed (its diff then names it).
        subject = "" if text_field in fields else now.get(entry["id"], {}).get(text_field, "")
        change = Change("changed", subject)
        if text_field in fields:
            value = fields[text_field]
            change.lines.append(Line("", word_diff(value["before"], value["after"])))
        for name, label, show in others:
            if name in fields:
                value = fields[name]
                change.lines.append(Line(label, swap(show(value["before"]), show(value["after"]))))
        changes.append(change)
    return changes


def _plan_section(changes: dict[str, Any], names: Names) -> Section:
    section = Section(_("The plan"))
    if "status" in changes:
        value = changes["status"]
        section.changes.append(
            Change(
                "changed",
                _("Status"),
                [
                    Line(
                        "",
                        swap(
                            _label(Plan.Status, value["before"]),
                            _label(Plan.Status, value["after"]),
                        ),
                    )
                ],
            )
        )
    if "coordinator" in changes:
        value = changes["coordinator"]
        line = Line("", swap(names.coordinator(value["before"]), names.coordinator(value["after"])))
        section.changes.append(Change("changed", _("Coordinator"), [line]))
    if "participants" in changes:
        value = changes["participants"]
        before, after = set(value["before"] or []), set(value["after"] or [])
        for pk in sorted(after - before, key=names.organisation):
            line = Line("", whole("added", names.organisation(pk)))
            section.changes.append(Change("added", _("Organisation on the plan"), [line]))
        for pk in sorted(before - after, key=names.organisation):
            line = Line("", whole("removed", names.organisation(pk)))
            section.changes.append(Change("removed", _("Organisation on the plan"), [line]))
    if "next_review" in changes:
        value = changes["next_review"]
        line = Line("", swap(_day(value["before"]), _day(value["after"])))
        section.changes.append(Change("changed", _("Next review"), [line]))
    return section


RATING_FIELDS = (
    ("citizen", "citizen_note"),
    ("professional", "note"),
)


def _rating_labels() -> dict[str, str]:
    return {
        "citizen": _("The citizen's rating"),
        "citizen_note": _("In the citizen's words"),
        "professional": _("The coordinator's rating"),
        "note": _("The coordinator's note"),
    }


def _ratings_section(changes: dict[str, Any], texts: dict[Any, str]) -> Section:
    """Where the citizen stood on each goal at the one meeting and at the other ("3 of 10 →
    5 of 10"), and how the citizen's feedback on the meeting differs."""
    section = Section(_("Ratings"))
    labels = _rating_labels()
    part = changes.get("ratings") or {}

    def subject(pk: Any) -> str:
        return texts.get(pk, _("a goal no longer in the plan"))

    for kind in ("added", "removed"):
        for item in part.get(kind) or []:
            change = Change(kind, subject(item["id"]))
            for rating, note in RATING_FIELDS:
                if item.get(rating) is not None:
                    change.lines.append(Line(labels[rating], whole(kind, _rating(item[rating]))))
                if item.get(note):
                    change.lines.append(Line(labels[note], whole(kind, item[note])))
            section.changes.append(change)
    for entry in part.get("changed") or []:
        fields = entry["fields"]
        change = Change("changed", subject(entry["id"]))
        for rating, note in RATING_FIELDS:
            if rating in fields:
                value = fields[rating]
                line = Line(labels[rating], swap(_rating(value["before"]), _rating(value["after"])))
                change.lines.append(line)
            if note in fields:
                value = fields[note]
                change.lines.append(Line(labels[note], word_diff(value["before"], value["after"])))
        section.changes.append(change)
    if "meeting_rating" in changes:
        before = changes["meeting_rating"]["before"] or {}
        after = changes["meeting_rating"]["after"] or {}
        lines = [
            Line(label, swap(_rating(before.get(key)), _rating(after.get(key))))
            for key, label in meeting_labels().items()
            if before.get(key) != after.get(key)
        ]
        if lines:
            section.changes.append(
                Change("changed", _("The citizen's feedback on the meeting"), lines)
            )
    return section


def diff_view(
    changes: dict[str, Any],
    after: dict[str, Any],
    names: Names,
    before: dict[str, Any] | None = None,
) -> list[Section]:
    """``snapshot_diff``'s output as sections: the plan, the assessment by life domain, goals,
    efforts, agreements and discharge tasks (each added, removed or changed, with its fields),
    and the meetings' ratings (goals are named from ``after``, or ``before`` for one since
    removed)."""
    sections = [_plan_section(changes, names)]
    assessment = Section(_("Assessment"))
    for key, value in (changes.get("assessment") or {}).items():
        label = str(LIFE_DOMAINS.get(key, key)).capitalize()
        if not value["before"]:
            kind, parts = "added", whole("added", value["after"])
        elif not value["after"]:
            kind, parts = "removed", whole("removed", value["before"])
        else:
            kind, parts = "changed", word_diff(value["before"], value["after"])
        assessment.changes.append(Change(kind, label, [Line("", parts)]))
    sections.append(assessment)
    titles = {
        "goals": _("Goals"),
        "efforts": _("Efforts"),
        "agreements": _("Agreements"),
        "discharge_tasks": _("Discharge agreement"),
    }
    for key, title in titles.items():
        sections.append(Section(title, _items(key, changes.get(key) or {}, after, names)))
    sections.append(_ratings_section(changes, _goal_texts(after, before or {})))
    return [s for s in sections if s.changes]


def names_for(snapshots: Iterable[dict[str, Any]]) -> Names:
    from apps.coordination.selectors import names as lookup

    users, organisations = ids_in(*snapshots)
    return Names(*lookup(user_ids=users, organisation_ids=organisations))
