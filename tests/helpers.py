"""Helpers shared by the access, plans and citizens tests: a richer world and DB snapshots."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from apps.citizens.models import Citizen, Consent
from apps.citizens.services import citizen_register, consent_give
from apps.organisations.models import Organisation
from apps.organisations.services import organisation_ensure
from apps.plans.models import (
    Agreement,
    Effort,
    Goal,
    Participation,
    Plan,
    PlanGroupObjectPermission,
)
from apps.plans.parts import agreement_save, effort_save, goal_save
from tests.conftest import World, build_world

API = "/api/v1"

# Valid CPR numbers (dates in the past); none is used by build_world (0101801234).
FREE_CPR = "0202902345"
NEW_CPR = "0303853456"


@dataclass
class RichWorld:
    """``World`` plus the parts of its plan, a second citizen without a plan, a fifth org.

    - ``goal``, ``agreement``: on the plan.
    - ``effort_own``: addiction's effort (responsible: the coordinator).
    - ``effort_chp``: chp's effort (responsible: the participant).
    - ``free_citizen``: registered by addiction, consent covers addiction, chp; no plan.
    - ``aftercare``: an organisation covered by the plan citizen's consent but not on the plan,
      with no staff among the personas (the coordinator may add it).
    - ``shared_consent``: the consent covering addiction and chp; ``withdrawn_consent``: the
      withdrawn one covering psychiatry.
    """

    w: World
    goal: Goal
    agreement: Agreement
    effort_own: Effort
    effort_chp: Effort
    free_citizen: Citizen
    aftercare: Organisation
    shared_consent: Consent
    withdrawn_consent: Consent

    def __getattr__(self, name: str) -> Any:
        return getattr(self.w, name)


def build_rich_world() -> RichWorld:
    w = build_world()
    orgs = w.orgs
    coord = w.actor(w.coordinator)
    participant = w.actor(w.participant)
    aftercare = organisation_ensure(
        slug="aftercare", name="Efterværn", kind="addiction_centre", sector="region"
    )
    consents = list(Consent.objects.filter(citizen=w.citizen).order_by("id"))
    shared, withdrawn = consents[0], consents[1]
    consent_give(
        actor=coord,
        citizen_id=w.citizen.pk,
        organisation_ids=[aftercare.pk],
        form="written",
        given_at=timezone.now() - datetime.timedelta(hours=1),
    )
    plan = w.plan
    goal = goal_save(actor=coord, plan_id=plan.pk, expected_version=_v(plan), data={"text": "Bo"})
    agreement = agreement_save(
        actor=coord, plan_id=plan.pk, expected_version=_v(plan), data={"text": "Ring"}
    )
    effort_own = effort_save(
        actor=coord,
        plan_id=plan.pk,
        expected_version=_v(plan),
        data={"description": "Samtaler", "responsible": w.coordinator.pk},
    )
    effort_chp = effort_save(
        actor=participant,
        plan_id=plan.pk,
        expected_version=_v(plan),
        data={"description": "Bostøtte", "responsible": w.participant.pk},
    )
    free = citizen_register(actor=coord, cpr_number=FREE_CPR, name="Else Jensen")
    consent_give(
        actor=coord,
        citizen_id=free.pk,
        organisation_ids=[orgs["addiction"].pk, orgs["chp"].pk],
        form="written",
        given_at=timezone.now() - datetime.timedelta(hours=1),
    )
    plan.refresh_from_db()
    return RichWorld(
        w=w,
        goal=goal,
        agreement=agreement,
        effort_own=effort_own,
        effort_chp=effort_chp,
        free_citizen=free,
        aftercare=aftercare,
        shared_consent=shared,
        withdrawn_consent=withdrawn,
    )


def _v(plan: Plan) -> int:
    plan.refresh_from_db()
    return plan.version


def snapshot() -> dict[str, list[tuple]]:
    """What the database holds of citizen data (not the audit trail), for before/after checks."""
    return {
        "plans": list(
            Plan.objects.order_by("pk").values_list(
                "pk",
                "citizen_id",
                "status",
                "version",
                "next_review",
                "assessment",
                "coordinator_user_id",
                "coordinator_organisation_id",
                "closed_reason",
            )
        ),
        "participations": list(
            Participation.objects.order_by("pk").values_list("plan_id", "organisation_id")
        ),
        "grants": list(
            PlanGroupObjectPermission.objects.order_by("pk").values_list(
                "content_object_id", "group_id", "permission__codename"
            )
        ),
        "goals": list(Goal.objects.order_by("pk").values_list("pk", "text", "status", "priority")),
        "efforts": list(
            Effort.objects.order_by("pk").values_list(
                "pk", "organisation_id", "responsible_id", "description", "status"
            )
        ),
        "agreements": list(
            Agreement.objects.order_by("pk").values_list("pk", "text", "responsible_id", "done")
        ),
        "citizens": list(Citizen.objects.order_by("pk").values_list("pk", "name", "cpr_hash")),
        "consents": list(
            Consent.objects.order_by("pk").values_list("pk", "citizen_id", "form", "withdrawn_at")
        ),
        "consent_orgs": list(
            Consent.organisations.through.objects.order_by("pk").values_list(
                "consent_id", "organisation_id"
            )
        ),
    }


def assert_error(response: Any, status: int, code: str | None = None, field: str | None = None):
    """The API's error shape: ``{"code", "detail", "fields"}``, with the field named."""
    assert response.status_code == status, (response.status_code, _body(response))
    body = response.json()
    assert set(body) >= {"code", "detail", "fields"}, body
    assert isinstance(body["code"], str), body
    assert body["code"], body
    assert isinstance(body["detail"], str), body
    assert body["detail"], body
    assert isinstance(body["fields"], dict), body
    if code is not None:
        assert body["code"] == code, body
    if field is not None:
        assert field in body["fields"], body
        assert body["fields"][field], body
    return body


def _body(response: Any) -> Any:
    try:
        return response.json()
    except Exception:
        return response.content[:500]
