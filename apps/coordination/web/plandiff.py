"""What changed between two frozen plans, as text a person reads.

``snapshot_diff``'s output (``apps.coordination.reviews``) becomes sections of lines whose
parts are marked kept, added or removed (texts are compared word by word); ids, codes and dates
read as on the frozen plan's page (``apps.coordination.web.frozen``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from apps.coordination.web.frozen import (
    Names,
    choice_label,
    day_text,
    goal_texts,
    meeting_labels,
    rating_text,
    yes_no,
)
from apps.coordination.web.worddiff import Part, swap, whole, word_diff
from apps.plans.models import LIFE_DOMAINS, Effort, Goal, Plan


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


# What an added or removed item shows besides its text.
WHOLE_ITEM_FIELDS = {
    "organisation",
    "responsible",
    "responsible_organisation",
    "admitted_on",
    "starts_on",
    "ends_on",
    "due",
    "relation",
    "contact",
    "may_be_told",
    "takes_part",
}

# Per part of the plan: the field holding its text, then (field, label, formatter) for the rest.
# A formatter of None marks a free text, compared word by word as the item's own text is.
Formatter = Any


def _fields(names: Names) -> dict[str, tuple[str, list[tuple[str, str, Formatter]]]]:
    return {
        "goals": (
            "text",
            [
                ("priority", _("Priority"), str),
                ("status", _("Status"), lambda v: choice_label(Goal.Status, v)),
            ],
        ),
        "efforts": (
            "description",
            [
                ("organisation", _("Organisation"), names.organisation),
                ("responsible", _("Responsible"), names.person),
                ("status", _("Status"), lambda v: choice_label(Effort.Status, v)),
                ("starts_on", _("Starts"), day_text),
                ("ends_on", _("Ends"), day_text),
            ],
        ),
        "agreements": (
            "text",
            [
                ("responsible", _("Responsible"), names.person),
                ("due", _("Due"), day_text),
                ("done", _("Done"), yes_no),
            ],
        ),
        "discharge_tasks": (
            "description",
            [
                ("admitted_on", _("Admission"), day_text),
                ("responsible", _("Responsible"), names.person),
                ("responsible_organisation", _("Organisation"), names.organisation),
                ("due", _("Due"), day_text),
                ("done", _("Done"), yes_no),
            ],
        ),
        "network": (
            "name",
            [
                ("relation", _("Relation to the citizen"), None),
                ("contact", _("How to reach them"), None),
                ("may_be_told", _("What they may be told"), None),
                ("takes_part", _("Takes part in meetings"), yes_no),
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
                    value = item.get(name) if show is None else show(item.get(name))
                    change.lines.append(Line(label, whole(kind, value)))
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
                if show is None:
                    parts = word_diff(value["before"], value["after"])
                else:
                    parts = swap(show(value["before"]), show(value["after"]))
                change.lines.append(Line(label, parts))
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
                            choice_label(Plan.Status, value["before"]),
                            choice_label(Plan.Status, value["after"]),
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
        line = Line("", swap(day_text(value["before"]), day_text(value["after"])))
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
                    change.lines.append(
                        Line(labels[rating], whole(kind, rating_text(item[rating])))
                    )
                if item.get(note):
                    change.lines.append(Line(labels[note], whole(kind, item[note])))
            section.changes.append(change)
    for entry in part.get("changed") or []:
        fields = entry["fields"]
        change = Change("changed", subject(entry["id"]))
        for rating, note in RATING_FIELDS:
            if rating in fields:
                value = fields[rating]
                line = Line(
                    labels[rating], swap(rating_text(value["before"]), rating_text(value["after"]))
                )
                change.lines.append(line)
            if note in fields:
                value = fields[note]
                change.lines.append(Line(labels[note], word_diff(value["before"], value["after"])))
        section.changes.append(change)
    if "meeting_rating" in changes:
        before = changes["meeting_rating"]["before"] or {}
        after = changes["meeting_rating"]["after"] or {}
        lines = [
            Line(label, swap(rating_text(before.get(key)), rating_text(after.get(key))))
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
    efforts, agreements, discharge tasks and the citizen's network (each added, removed or
    changed, with its fields), and the meetings' ratings (goals are named from ``after``, or
    ``before`` for one since removed)."""
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
        "network": _("Network and relatives"),
    }
    for key, title in titles.items():
        sections.append(Section(title, _items(key, changes.get(key) or {}, after, names)))
    sections.append(_ratings_section(changes, goal_texts(after, before or {})))
    return [s for s in sections if s.changes]
