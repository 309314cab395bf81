"""The world the API fuzzer runs in: the demo data, a little more, and who may see what.

``seed_demo`` gives the three demo citizens and their plans. On top of it:

- two reviews of Mette Jensen's plan (snapshots and their difference have something to show);
- a pending handover of Mette Jensen's plan from chp to addiction;
- a handover of Jens Hansen's plan offered to psychiatry, after which the citizen withdrew
  psychiatry's consent: psychiatry must see neither the plan, the handover nor the
  notification about it any more;
- an expired break-the-glass use of Jens Hansen's plan by toften, waiting for review.

``Visibility`` restates the rules of DESIGN §5 from the data itself (participation, consent in
force, break-the-glass, who is named), without asking ``apps/access``: the fuzzer's check that
no answer shows what the role may not see must not share a bug with the code it checks.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone
from rest_framework.test import APIClient

from apps.access.context import actor_for
from apps.audit.breakglass import break_glass_open
from apps.audit.models import AccessEvent, BreakGlass
from apps.citizens.models import Citizen, Consent
from apps.citizens.services import consent_give, consent_withdraw
from apps.coordination.discharge import discharge_task_save
from apps.coordination.hospital import hospital_event_record
from apps.coordination.models import DischargeTask, Handover, HospitalEvent, Review, Transition
from apps.coordination.reviews import review_record
from apps.coordination.services import handover_propose
from apps.coordination.transitions import transition_record
from apps.notifications.models import Notification
from apps.organisations.models import Membership, Organisation
from apps.plans.models import Agreement, Effort, Goal, NetworkMember, Participation, Plan

SLUGS = ("addiction", "chp", "toften", "psychiatry")
# Every organisation's caseworker and manager, and a local administrator (one is enough: the
# role reads no citizen data anywhere, and the administration matrix tests it per organisation).
ROLES = (
    *(f"{slug}.{role}" for slug in SLUGS for role in ("caseworker", "manager")),
    "addiction.admin",
)

# The tables an id in a path, a query or a body names, by the word before it or its name.
ID_TABLES: dict[str, Any] = {
    "plans": Plan,
    "citizens": Citizen,
    "consents": Consent,
    "goals": Goal,
    "efforts": Effort,
    "agreements": Agreement,
    "network": NetworkMember,
    "discharge-tasks": DischargeTask,
    "transitions": Transition,
    "participants": Organisation,
    "organisations": Organisation,
    "reviews": Review,
    "diff": Review,
    "handovers": Handover,
    "notifications": Notification,
    "break-glass": BreakGlass,
}
FIELD_TABLES: dict[str, Any] = {
    "citizen": Citizen,
    "plan": Plan,
    "organisation": Organisation,
    "to_organisation": Organisation,
    "organisations": Organisation,
    "participants": Organisation,
    "user": "user",
    "to_user": "user",
    "responsible": "user",
    "actor": "user",
    "goals": Goal,
    "admission": HospitalEvent,
    "responsible_organisation": Organisation,
}


def _user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def _org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def _plan_of(name: str) -> Plan:
    return Plan.objects.get(citizen__name=name)


def build() -> None:
    """The demo data and the additions above, through the services as a person would."""
    call_command("seed_demo", force=True, stdout=io.StringIO())
    now = timezone.now()
    today = timezone.localdate()

    mette = _plan_of("Mette Jensen")
    chp = actor_for(_user("chp.caseworker"), _org("chp").pk)
    for outcome in ("continue", "change"):
        mette.refresh_from_db()
        review_record(
            actor=chp,
            plan_id=mette.pk,
            expected_version=mette.version,
            held_on=today,
            outcome=outcome,
            notes=f"Opfølgning ({outcome}).",
            next_review=today + datetime.timedelta(days=60),
        )
    # Mette was admitted: a discharge agreement with a task for Toften's caseworker.
    admission = hospital_event_record(
        actor=chp, plan_id=mette.pk, kind="admission", occurred_on=today
    )
    mette.refresh_from_db()
    discharge_task_save(
        actor=chp,
        plan_id=mette.pk,
        expected_version=mette.version,
        data={
            "admission": admission.pk,
            "description": "Værelse klar på Toften.",
            "responsible": _user("toften.caseworker").pk,
            "due": today,
        },
    )
    # A step on Mette's path, and a handover marked as the next one (not a step until
    # accepted).
    mette.refresh_from_db()
    transition_record(
        actor=chp,
        plan_id=mette.pk,
        expected_version=mette.version,
        kind="hospital_to_home",
        occurred_on=today,
        organisation_id=_org("toften").pk,
        note="Mette flytter fra afdelingen til Toften.",
    )
    handover_propose(
        actor=chp,
        plan_id=mette.pk,
        to_user_id=_user("addiction.caseworker").pk,
        to_organisation_id=_org("addiction").pk,
        note="Mette ønsker Rusmiddelcentret som tovholder.",
        transition="treatment_to_work",
    )

    jens = _plan_of("Jens Hansen")
    addiction = actor_for(_user("addiction.caseworker"), _org("addiction").pk)
    handover_propose(
        actor=addiction,
        plan_id=jens.pk,
        to_user_id=_user("psychiatry.caseworker").pk,
        to_organisation_id=_org("psychiatry").pk,
        note="Jens er indlagt; Psykiatrien overtager.",
    )
    joint = Consent.objects.get(citizen=jens.citizen, withdrawn_at__isnull=True)
    consent_give(
        actor=addiction,
        citizen_id=jens.citizen_id,
        organisation_ids=[_org("addiction").pk, _org("chp").pk],
        form="written",
        given_at=now - datetime.timedelta(seconds=1),
    )
    consent_withdraw(actor=addiction, citizen_id=jens.citizen_id, consent_id=joint.pk)

    toften = actor_for(_user("toften.caseworker"), _org("toften").pk)
    grant = break_glass_open(
        actor=toften, cpr_number="0101801234", reason="Jens kom akut ind på Toften."
    )
    # Used and over: the review queue has something to review, and toften sees nothing now.
    BreakGlass.objects.filter(pk=grant.pk).update(expires_at=now - datetime.timedelta(hours=1))


def known_ids() -> dict[Any, list[int]]:
    """Every id of the tables the fuzzer names, so that small drawn ids hit real objects."""
    tables = {*ID_TABLES.values(), *FIELD_TABLES.values()}
    ids: dict[Any, list[int]] = {}
    for table in tables:
        model = get_user_model() if table == "user" else table
        ids[table] = sorted(model.objects.values_list("pk", flat=True))
    return ids


@dataclass
class Visibility:
    """What one role may see now, from the data (DESIGN §5), not from ``apps/access``."""

    plans: set[int] = field(default_factory=set)
    # Plans an answer may name: the visible ones, and those of handovers offered to the role.
    plan_refs: set[int] = field(default_factory=set)
    citizens: set[int] = field(default_factory=set)
    handovers: set[int] = field(default_factory=set)
    # A plan's handovers, listed on the plan: the role's own, and those of plans it reads.
    plan_handovers: set[int] = field(default_factory=set)
    notifications: set[int] = field(default_factory=set)
    events: set[int] = field(default_factory=set)
    grants: set[int] = field(default_factory=set)
    reviews: set[int] = field(default_factory=set)
    consents: set[int] = field(default_factory=set)
    network_members: set[int] = field(default_factory=set)  # in the networks of plans it reads
    discharge_tasks: set[int] = field(default_factory=set)  # of the plans it reads
    transitions: set[int] = field(default_factory=set)  # on the paths of plans it reads


@dataclass
class Role:
    """One demo user, acting for their one organisation, with a token from the API."""

    username: str
    user: Any
    organisation: Organisation
    role: str
    token: str
    sees: Visibility  # in the world as built; each request is rolled back to it

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}


def role_of(username: str, token: str = "") -> Role:
    membership = Membership.objects.select_related("organisation", "user").get(
        user__username=username
    )
    role = Role(
        username=username,
        user=membership.user,
        organisation=membership.organisation,
        role=membership.role,
        token=token,
        sees=Visibility(),
    )
    role.sees = visibility(role)
    return role


def login(username: str) -> Role:
    """The role's token, asked for as a client would (``POST /api/v1/auth/token/``)."""
    cache.clear()  # throttling counts live in the cache, which no test transaction rolls back
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": settings.KIP_DEMO_PASSWORD},
        format="json",
    )
    assert response.status_code == 200, response.content
    return role_of(username, response.json()["token"])


def consent_covered(organisation: Organisation) -> set[int]:
    """Citizens whose consent in force names the organisation."""
    return set(
        Consent.objects.in_force()
        .filter(organisations=organisation)
        .values_list("citizen_id", flat=True)
    )


def visibility(role: Role) -> Visibility:
    org, user = role.organisation, role.user
    if role.role == Membership.Role.ADMIN:
        # An administrator by that role alone sees no citizen data: no plan, citizen,
        # handover or review, and only the notices that concern no plan.
        return Visibility(
            notifications=set(
                Notification.objects.filter(
                    recipient=user, plan__isnull=True, handover__isnull=True
                ).values_list("pk", flat=True)
            )
        )
    covered = consent_covered(org)
    taking_part = set(
        Participation.objects.filter(organisation=org).values_list("plan_id", flat=True)
    )
    shared = set(
        Plan.objects.filter(pk__in=taking_part, citizen_id__in=covered).values_list("pk", flat=True)
    )
    glass = set(
        BreakGlass.objects.filter(
            actor=user, organisation=org, expires_at__gt=timezone.now()
        ).values_list("plan_id", flat=True)
    )
    plans = shared | glass
    citizens = set(
        Citizen.objects.filter(Q(registered_for=org) | Q(pk__in=covered)).values_list(
            "pk", flat=True
        )
    )
    named = Q(to_user=user) | Q(from_user=user) | Q(proposed_by=user)
    # A handover carries the plan's data: named on it, and within consent the organisation
    # takes part in the plan or is the one it is offered to (it joins on accepting).
    in_reach = Q(plan__citizen_id__in=covered) & (
        Q(plan_id__in=taking_part) | Q(to_organisation=org)
    )
    handovers = set(
        Handover.objects.filter(named)
        .filter(in_reach | Q(plan_id__in=glass))
        .values_list("pk", flat=True)
    )
    notifications = set(
        Notification.objects.filter(recipient=user)
        .filter(Q(plan__isnull=True) | Q(plan_id__in=plans) | Q(handover_id__in=handovers))
        .values_list("pk", flat=True)
    )
    result = Visibility(
        plans=plans,
        plan_refs=plans
        | set(Handover.objects.filter(pk__in=handovers).values_list("plan_id", flat=True)),
        citizens=citizens,
        handovers=handovers,
        plan_handovers=handovers
        | set(Handover.objects.filter(plan_id__in=plans).values_list("pk", flat=True)),
        notifications=notifications,
        reviews=set(Review.objects.filter(plan_id__in=plans).values_list("pk", flat=True)),
        consents=set(Consent.objects.filter(citizen_id__in=citizens).values_list("pk", flat=True)),
        network_members=set(
            NetworkMember.objects.filter(plan_id__in=plans).values_list("pk", flat=True)
        ),
        discharge_tasks=set(
            DischargeTask.objects.filter(plan_id__in=plans).values_list("pk", flat=True)
        ),
        transitions=set(Transition.objects.filter(plan_id__in=plans).values_list("pk", flat=True)),
    )
    if role.role == Membership.Role.MANAGER:
        members = set(Membership.objects.filter(organisation=org).values_list("user_id", flat=True))
        on_our_plans = set(
            Plan.objects.filter(pk__in=taking_part).values_list("citizen_id", flat=True)
        )
        result.events = set(
            AccessEvent.objects.filter(
                Q(organisation=org)
                | Q(actor_id__in=members)
                | Q(citizen_id__in=on_our_plans)
                | Q(object_type="plan", object_id__in=[str(p) for p in taking_part])
            ).values_list("pk", flat=True)
        )
        result.grants = set(
            BreakGlass.objects.filter(organisation=org).values_list("pk", flat=True)
        )
    return result
