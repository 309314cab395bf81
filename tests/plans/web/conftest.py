"""Fixtures for the plan pages: the rich world, a logged-in client per persona, audit events."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.test import Client
from django.utils import timezone

from apps.audit.models import AccessEvent
from apps.plans.models import NetworkMember
from tests.helpers import RichWorld, build_rich_world


@pytest.fixture
def rich(db: None) -> RichWorld:
    return build_rich_world()


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def version(rich: RichWorld) -> int:
    rich.plan.refresh_from_db()
    return rich.plan.version


class Trail:
    """The audit events written since it was opened, as comparable tuples."""

    def __init__(self) -> None:
        self.start = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def events(self) -> list[tuple[str, str, str, str]]:
        return [
            (e.action, e.object_type, e.object_id, e.outcome)
            for e in AccessEvent.objects.filter(id__gt=self.start).order_by("id")
        ]


@dataclass
class Case:
    """One section edit: where it posts, who may make it, good and bad input, what changes."""

    name: str
    url: Callable[[RichWorld], str]
    good: Callable[[RichWorld], dict[str, Any]]
    bad: Callable[[RichWorld], dict[str, Any]]
    bad_field: str  # the form field the error names
    section: str
    changed: Callable[[RichWorld], bool]
    coordinator_only: bool = False
    api: Callable[[RichWorld], tuple[str, str, dict[str, Any]]] | None = None


def _in(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def member(rich: RichWorld) -> NetworkMember:
    """The person in the citizen's network that the edit cases change (made on first use)."""
    found = NetworkMember.objects.filter(plan=rich.plan).first()
    return found or NetworkMember.objects.create(plan=rich.plan, name="Ole Hansen", relation="bror")


def _goal_text(rich: RichWorld) -> str:
    rich.goal.refresh_from_db()
    return rich.goal.text


CASES = [
    Case(
        "goal edit",
        lambda r: f"/plans/{r.plan.pk}/goals/{r.goal.pk}/",
        lambda r: {"text": "Jeg vil bo i min egen lejlighed", "outcome": ""},
        lambda r: {"text": "   ", "outcome": ""},
        "text",
        "goals",
        lambda r: _goal_text(r) == "Jeg vil bo i min egen lejlighed",
        api=lambda r: ("patch", f"/api/v1/plans/{r.plan.pk}/goals/{r.goal.pk}/", {"text": "X"}),
    ),
    Case(
        "goal outcome",
        lambda r: f"/plans/{r.plan.pk}/goals/{r.goal.pk}/",
        lambda r: {"text": "Bo", "outcome": "reached", "outcome_on": _in(0)},
        lambda r: {"text": "Bo", "outcome": "finished", "outcome_on": _in(0)},
        "outcome",
        "goals",
        lambda r: r.goal.__class__.objects.get(pk=r.goal.pk).status == "reached",
    ),
    Case(
        "goal new",
        lambda r: f"/plans/{r.plan.pk}/goals/new/",
        lambda r: {"text": "Se min datter hver uge"},
        lambda r: {"text": "x" * 2001},
        "text",
        "goals",
        lambda r: r.plan.goals.filter(text="Se min datter hver uge").exists(),
        api=lambda r: ("post", f"/api/v1/plans/{r.plan.pk}/goals/", {"text": "Y"}),
    ),
    Case(
        "agreement edit",
        lambda r: f"/plans/{r.plan.pk}/agreements/{r.agreement.pk}/",
        lambda r: {"text": "Ring til lægen", "responsible": r.participant.pk, "due": _in(7)},
        # A person who works for no organisation on the plan: the service's rule, not the form's.
        lambda r: {"text": "Ring til lægen", "responsible": r.outsider.pk, "due": _in(7)},
        "responsible",
        "agreements",
        lambda r: r.plan.agreements.filter(
            text="Ring til lægen", responsible=r.participant
        ).exists(),
        api=lambda r: (
            "patch",
            f"/api/v1/plans/{r.plan.pk}/agreements/{r.agreement.pk}/",
            {"text": "Z"},
        ),
    ),
    Case(
        "agreement new",
        lambda r: f"/plans/{r.plan.pk}/agreements/new/",
        lambda r: {"text": "Søg bolig", "responsible": "", "due": ""},
        lambda r: {"text": "Søg bolig", "responsible": "", "due": "i morgen"},
        "due",
        "agreements",
        lambda r: r.plan.agreements.filter(text="Søg bolig", responsible=None).exists(),
    ),
    Case(
        "effort edit",
        lambda r: f"/plans/{r.plan.pk}/efforts/{r.effort_own.pk}/",
        lambda r: {
            "description": "Samtaler hver tirsdag",
            "responsible": r.colleague.pk,
            "status": "active",
            "starts_on": _in(0),
            "ends_on": _in(60),
        },
        lambda r: {
            "description": "Samtaler hver tirsdag",
            "responsible": r.colleague.pk,
            "status": "active",
            "starts_on": _in(60),
            "ends_on": _in(0),
        },
        "ends_on",
        "efforts",
        lambda r: r.plan.efforts.filter(
            description="Samtaler hver tirsdag", responsible=r.colleague, status="active"
        ).exists(),
        api=lambda r: (
            "patch",
            f"/api/v1/plans/{r.plan.pk}/efforts/{r.effort_own.pk}/",
            {"description": "Q"},
        ),
    ),
    Case(
        "effort new",
        lambda r: f"/plans/{r.plan.pk}/efforts/new/",
        lambda r: {
            "description": "Motiverende samtaler",
            "responsible": r.coordinator.pk,
            "status": "planned",
            "starts_on": "",
            "ends_on": "",
        },
        # Someone from another organisation cannot be responsible for our effort.
        lambda r: {
            "description": "Motiverende samtaler",
            "responsible": r.participant.pk,
            "status": "planned",
            "starts_on": "",
            "ends_on": "",
        },
        "responsible",
        "efforts",
        lambda r: r.plan.efforts.filter(description="Motiverende samtaler").exists(),
    ),
    Case(
        "network new",
        lambda r: f"/plans/{r.plan.pk}/network/new/",
        lambda r: {
            "name": "Susanne Hansen",
            "relation": "søster",
            "contact": "20 45 67 89",
            "may_be_told": "Hvornår møderne er.",
            "takes_part": "on",
        },
        lambda r: {"name": "Susanne Hansen", "relation": "  ", "may_be_told": "Alt."},
        "relation",
        "network",
        lambda r: r.plan.network.filter(name="Susanne Hansen", takes_part=True).exists(),
        api=lambda r: (
            "post",
            f"/api/v1/plans/{r.plan.pk}/network/",
            {"name": "Anne", "relation": "ven"},
        ),
    ),
    Case(
        "network edit",
        lambda r: f"/plans/{r.plan.pk}/network/{member(r).pk}/",
        lambda r: {"name": "Ole Hansen", "relation": "bror", "may_be_told": "Alt om boligen."},
        lambda r: {"name": "x" * 201, "relation": "bror"},
        "name",
        "network",
        lambda r: r.plan.network.filter(may_be_told="Alt om boligen.").exists(),
        api=lambda r: (
            "patch",
            f"/api/v1/plans/{r.plan.pk}/network/{member(r).pk}/",
            {"may_be_told": "Intet."},
        ),
    ),
    Case(
        "assessment",
        lambda r: f"/plans/{r.plan.pk}/assessment/",
        lambda r: {
            "housing": "Bor hos sin søster.",
            "network": "Har kontakt til sin mor.",
            "works_network": "Ringer til sin mor hver søndag.",
        },
        lambda r: {"housing": "x" * 4001},
        "housing",
        "assessment",
        lambda r: (
            fresh_assessment(r)
            == {"housing": "Bor hos sin søster.", "network": "Har kontakt til sin mor."}
            and r.plan.strengths == {"network": "Ringer til sin mor hver søndag."}
        ),
        api=lambda r: ("patch", f"/api/v1/plans/{r.plan.pk}/", {"assessment": {"housing": "A"}}),
    ),
    Case(
        "what matters",
        lambda r: f"/plans/{r.plan.pk}/what-matters/",
        lambda r: {
            "what_matters": "At se min datter.",
            "hopes": "Et job.",
            "resources": "Min bror.",
        },
        lambda r: {"what_matters": "x" * 4001, "hopes": "", "resources": ""},
        "what_matters",
        "matters",
        lambda r: (
            (
                fresh_plan(r).what_matters,
                r.plan.hopes,
                r.plan.resources,
            )
            == ("At se min datter.", "Et job.", "Min bror.")
        ),
        api=lambda r: ("patch", f"/api/v1/plans/{r.plan.pk}/", {"hopes": "H"}),
    ),
    Case(
        "next review",
        lambda r: f"/plans/{r.plan.pk}/next-review/",
        lambda r: {"next_review": _in(40)},
        lambda r: {"next_review": (timezone.localdate() + relativedelta(months=7)).isoformat()},
        "next_review",
        "review",
        lambda r: str(fresh_plan(r).next_review) == _in(40),
        coordinator_only=True,
        api=lambda r: ("patch", f"/api/v1/plans/{r.plan.pk}/", {"next_review": _in(41)}),
    ),
    Case(
        "fast start",
        lambda r: f"/plans/{r.plan.pk}/fast-start/",
        lambda r: {"motivated_on": _in(0)},
        lambda r: {"motivated_on": _in(1)},  # the citizen cannot be motivated tomorrow
        "motivated_on",
        "faststart",
        lambda r: fresh_plan(r).motivated_on == timezone.localdate(),
        api=lambda r: ("patch", f"/api/v1/plans/{r.plan.pk}/", {"motivated_on": _in(0)}),
    ),
    Case(
        "participant add",
        lambda r: f"/plans/{r.plan.pk}/participants/",
        lambda r: {"op": "add", "organisation": r.aftercare.pk},
        # Toften: the consent does not cover it, so it is not even among the choices.
        lambda r: {"op": "add", "organisation": r.orgs["toften"].pk},
        "organisation",
        "participants",
        lambda r: r.plan.participations.filter(organisation=r.aftercare).exists(),
        coordinator_only=True,
        api=lambda r: (
            "post",
            f"/api/v1/plans/{r.plan.pk}/participants/",
            {"organisation": r.aftercare.pk},
        ),
    ),
    Case(
        "close",
        lambda r: f"/plans/{r.plan.pk}/close/",
        lambda r: {"reason": "goals_reached"},
        lambda r: {"reason": "bored"},
        "reason",
        "close",
        lambda r: fresh_plan(r).status == "closed",
        coordinator_only=True,
        api=lambda r: ("post", f"/api/v1/plans/{r.plan.pk}/close/", {"reason": "moved"}),
    ),
]


def fresh_plan(rich: RichWorld) -> Any:
    rich.plan.refresh_from_db()
    return rich.plan


def fresh_assessment(rich: RichWorld) -> dict:
    return fresh_plan(rich).assessment
