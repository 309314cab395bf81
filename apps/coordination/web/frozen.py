"""A frozen plan as text a person reads.

A snapshot (``apps.coordination.reviews.plan_snapshot_data``) keeps ids and codes; here they
become names, Danish labels and dates. What changed between two of them is
``apps.coordination.web.plandiff``, which shows values the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.plans.models import LIFE_DOMAINS, Effort, Goal, Plan

NONE = "\N{EN DASH}"  # shown for an empty value, as the other pages do


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


def day_text(value: str | None) -> str:
    if not value:
        return NONE
    try:
        return date_format(dt.date.fromisoformat(value), "DATE_FORMAT")
    except ValueError:
        return value


def choice_label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def yes_no(value: Any) -> str:
    return _("yes") if value else _("no")


def rating_text(value: Any) -> str:
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


def goal_texts(*snapshots: dict[str, Any]) -> dict[Any, str]:
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
    texts = goal_texts(data)
    goals = [
        {
            "text": texts.get(r["id"], _("a goal no longer in the plan")),
            "citizen": rating_text(r.get("citizen")),
            "citizen_note": r.get("citizen_note") or "",
            "professional": rating_text(r.get("professional")),
            "note": r.get("note") or "",
        }
        for r in review.get("ratings") or []
    ]
    given = review.get("meeting_rating") or {}
    meeting = [
        (label, rating_text(given.get(key)))
        for key, label in meeting_labels().items()
        if given.get(key) is not None
    ]
    return {"goals": goals, "meeting": meeting}


def snapshot_view(data: dict[str, Any], names: Names) -> dict[str, Any]:
    """A frozen plan as the review page shows it."""
    assessment = data.get("assessment") or {}
    return {
        "version": data.get("version"),
        "status": choice_label(Plan.Status, data.get("status")),
        "coordinator": names.coordinator(data.get("coordinator")),
        "participants": sorted(names.organisation(pk) for pk in data.get("participants") or []),
        "next_review": day_text(data.get("next_review")),
        "assessment": [
            (label, assessment[key]) for key, label in LIFE_DOMAINS.items() if assessment.get(key)
        ],
        "goals": [
            {
                "text": g.get("text", ""),
                "priority": g.get("priority"),
                "status": choice_label(Goal.Status, g.get("status")),
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
                "status": choice_label(Effort.Status, e.get("status")),
                "starts_on": day_text(e.get("starts_on")),
                "ends_on": day_text(e.get("ends_on")),
            }
            for e in data.get("efforts") or []
        ],
        "agreements": [
            {
                "text": a.get("text", ""),
                "responsible": names.person(a.get("responsible")),
                "due": day_text(a.get("due")),
                "done": yes_no(a.get("done")),
            }
            for a in data.get("agreements") or []
        ],
        # Absent from snapshots frozen before discharge agreements were part of them.
        "discharge_tasks": [
            {
                "admitted_on": day_text(t.get("admitted_on")),
                "description": t.get("description", ""),
                "responsible": names.person(t.get("responsible")),
                "organisation": names.organisation(t.get("responsible_organisation")),
                "due": day_text(t.get("due")),
                "done": yes_no(t.get("done")),
            }
            for t in sorted(
                data.get("discharge_tasks") or [],
                key=lambda t: (t.get("admitted_on") or "", t.get("due") or "", t["id"]),
            )
        ],
        # Absent from snapshots frozen before the network was part of them.
        "network": [
            {
                "name": m.get("name", ""),
                "relation": m.get("relation", ""),
                "contact": m.get("contact") or NONE,
                "may_be_told": m.get("may_be_told") or "",
                "takes_part": yes_no(m.get("takes_part")),
            }
            for m in data.get("network") or []
        ],
        "ratings": ratings_view(data),
    }


def names_for(snapshots: Iterable[dict[str, Any]]) -> Names:
    from apps.coordination.selectors import names as lookup

    users, organisations = ids_in(*snapshots)
    return Names(*lookup(user_ids=users, organisation_ids=organisations))
