"""Reads of the audit trail, scoped to what the acting manager may see (DESIGN §5)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    When,
)
from django.db.models.functions import Cast

from apps.access.checks import consent_covers
from apps.access.context import Actor
from apps.audit.models import AccessEvent
from apps.citizens.models import Citizen
from apps.organisations.models import Membership
from apps.plans.models import Participation

Action = AccessEvent.Action
READS = (Action.VIEW, Action.LIST, Action.SEARCH, Action.EXPORT)


def citizen_known_to(actor: Actor, citizen: Any) -> Q:
    """The acting organisation has the citizen in view: it takes part in one of their plans,
    registered them, or their consent covers it."""
    org = actor.organisation
    return (
        Q(Exists(Participation.objects.filter(organisation=org, plan__citizen_id=citizen)))
        | Q(Exists(Citizen.objects.filter(pk=citizen, registered_for=org)))
        | Q(consent_covers(actor, citizen))
    )


def events_visible_to(actor: Actor) -> QuerySet[AccessEvent]:
    """Events of the manager's organisation's people (acting for it), events about citizens
    whose plans the organisation takes part in (whoever acted), and the administration of the
    organisation and its people (whoever did it).

    Each carries ``citizen_shown``: the citizen, except on a refused attempt about a citizen
    the organisation does not have in view (its own people tried what they may not see);
    the refusal is shown, whom it concerned is not, so the trail tells the refused side
    nothing the refusal did not.
    """
    org = actor.organisation
    on_our_plans = Participation.objects.filter(
        organisation=org, plan__citizen_id=OuterRef("citizen_id")
    )
    our_people = Membership.objects.filter(organisation=org, user_id=OuterRef("actor_id"))
    # A refused attempt on a plan recorded before refusals named their citizen.
    our_plan = Participation.objects.annotate(
        plan_key=Cast("plan_id", output_field=CharField())
    ).filter(organisation=org, plan_key=OuterRef("object_id"))
    shown = Q(outcome=AccessEvent.Outcome.ALLOWED) | citizen_known_to(actor, OuterRef("citizen_id"))
    # Administration of the organisation by someone not acting for it (a system
    # administrator, the first-start command) names it in ``detail``.
    administered = Q(action=Action.ADMIN) & Q(detail__organisation=org.pk)
    return AccessEvent.objects.filter(
        Q(organisation=org)
        | Exists(our_people)
        | Exists(on_our_plans)
        | (Q(object_type="plan") & Exists(our_plan))
        | administered
    ).annotate(
        citizen_shown=Case(
            When(shown, then=F("citizen_id")), default=None, output_field=BigIntegerField()
        )
    )


def events_filter(events: QuerySet[AccessEvent], filters: dict[str, Any]) -> QuerySet[AccessEvent]:
    """Apply validated filters (see ``api.filters.EventFilter``).

    ``citizen`` matches the citizen as shown (``events_visible_to``), so a filter finds no
    more than the rows show; ``citizen_id`` first keeps it on the index.
    """
    lookups = {
        "actor": "actor_id",
        "organisation": "organisation_id",
        "citizen": "citizen_id",
        "action": "action",
        "outcome": "outcome",
        "from": "at__gte",
        "to": "at__lt",
    }
    for name, lookup in lookups.items():
        value = filters.get(name)
        if value not in (None, ""):
            events = events.filter(**{lookup: value})
    if filters.get("citizen") not in (None, ""):
        # An annotation of events_visible_to, unknown to the type checker's model.
        events = events.filter(**{"citizen_shown": filters["citizen"]})
    return events


def events_unusual(actor: Actor) -> QuerySet[AccessEvent]:
    """Worth a look: denied attempts, break-the-glass use, and reads by people whose
    organisation takes part in none of the citizen's plans."""
    outsider_read = (
        Q(action__in=READS, outcome=AccessEvent.Outcome.ALLOWED)
        & ~Q(
            Exists(
                Participation.objects.filter(
                    organisation_id=OuterRef("organisation_id"),
                    plan__citizen_id=OuterRef("citizen_id"),
                )
            )
        )
        & Q(citizen_id__isnull=False)
    )
    return events_visible_to(actor).filter(
        Q(outcome=AccessEvent.Outcome.DENIED) | Q(action=Action.BREAK_GLASS) | outsider_read
    )


def unusual_reason(event: AccessEvent) -> str:
    if event.outcome == AccessEvent.Outcome.DENIED:
        return "denied"
    if event.action == Action.BREAK_GLASS:
        return "break_glass"
    return "outside_plan"


# The service keeping itself in order rather than anyone using the citizen's case: events with
# no person behind them (sealing, pruning, sweeps), the access report's own requests (each
# printing would otherwise add a line to the report it prints), and managers' control of the
# log (trail queries and break-the-glass reviews that name the citizen). The uses they control
# are all in the report themselves.
BOOKKEEPING = Q(actor__isnull=True) | Q(object_type="access_report") | Q(purpose="audit_review")


def access_report(*, citizen_id: int, bookkeeping: bool = True) -> list[dict[str, Any]]:
    """Every allowed use of the citizen's data: when, which organisation, what, and why;
    without the service's own bookkeeping (``BOOKKEEPING``) when ``bookkeeping`` is off.

    Staff names only when ``KIP_ACCESS_REPORT_STAFF_NAMES`` is on (GDPR art. 15 as read by
    CJEU C-579/21: names only where needed for the citizen's rights).
    """
    names = settings.KIP_ACCESS_REPORT_STAFF_NAMES
    rows = (
        AccessEvent.objects.filter(citizen_id=citizen_id, outcome=AccessEvent.Outcome.ALLOWED)
        .select_related("organisation", "actor")
        .order_by("at", "id")
    )
    if not bookkeeping:
        rows = rows.exclude(BOOKKEEPING)
    report = []
    for event in rows.iterator(chunk_size=2000):
        entry = {
            "at": event.at,
            "organisation": event.organisation.name if event.organisation else None,
            "organisation_id": event.organisation_id,
            "action": event.action,
            "action_label": str(event.get_action_display()),
            "object_type": event.object_type,
            "purpose": event.purpose,
        }
        if names:
            entry["staff"] = (
                (event.actor.get_full_name() or event.actor.get_username()) if event.actor else None
            )
        report.append(entry)
    return report
