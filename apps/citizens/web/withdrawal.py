"""What withdrawing a consent would do, organisation by organisation, stated before and after."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from apps.citizens import services
from apps.citizens.models import Consent
from apps.organisations.models import Organisation
from apps.plans.models import Plan


@dataclass(frozen=True)
class Consequence:
    """What withdrawing a consent does to one organisation."""

    LOSES_PLAN = "loses_plan"  # takes part in the plan: loses it at once
    KEEPS_COORDINATION = "keeps_coordination"  # coordinates: keeps the role, loses reading
    LOSES_CITIZEN = "loses_citizen"  # not on a plan the actor sees: consent no longer covers it
    STILL_COVERED = "still_covered"  # another consent in force covers it

    organisation: Organisation
    kind: str


def consent_withdrawal_effect(*, consent: Consent, plans: Iterable[Plan]) -> list[Consequence]:
    """Organisation by organisation, what withdrawing ``consent`` would do now.

    ``plans``: the citizen's open plans the actor may see (their participations prefetched or
    not); only what the actor may see is described. An organisation loses access when no other
    consent in force covers it (``organisations_covered``); the coordinator's organisation stays
    on the plan as coordinator but cannot read it until consent covers it again, as
    ``participations_prune_uncovered`` and the access checks have it.
    """
    if not Consent.objects.in_force().filter(pk=consent.pk).exists():
        return []  # withdrawn or lapsed already: nothing changes
    others = services.organisations_covered(citizen=consent.citizen, excluding=consent)
    open_plans = [p for p in plans if p.status != p.Status.CLOSED]
    taking_part = {part.organisation_id for p in open_plans for part in p.participations.all()}
    coordinating = {p.coordinator_organisation_id for p in open_plans}
    effects = []
    for organisation in sorted(consent.organisations.all(), key=lambda o: o.name):
        if organisation.pk in others:
            kind = Consequence.STILL_COVERED
        elif organisation.pk in coordinating:
            kind = Consequence.KEEPS_COORDINATION
        elif organisation.pk in taking_part:
            kind = Consequence.LOSES_PLAN
        else:
            kind = Consequence.LOSES_CITIZEN
        effects.append(Consequence(organisation, kind))
    # Who loses what first; those who keep access last.
    return sorted(effects, key=lambda c: ORDER.index(c.kind))


ORDER = [
    Consequence.LOSES_PLAN,
    Consequence.KEEPS_COORDINATION,
    Consequence.LOSES_CITIZEN,
    Consequence.STILL_COVERED,
]


def consequence_text(consequence: Consequence, *, done: bool) -> str:
    """One plain sentence per organisation: what will happen (``done=False``) or happened."""
    name = {"organisation": consequence.organisation.name}
    kind = consequence.kind
    if kind == Consequence.LOSES_PLAN:
        if done:
            return _("%(organisation)s has lost access to the plan.") % name
        return _("%(organisation)s loses access to the plan at once.") % name
    if kind == Consequence.KEEPS_COORDINATION:
        if done:
            return (
                _(
                    "%(organisation)s is still the plan's coordinator, but cannot read the plan "
                    "until a consent covers it again."
                )
                % name
            )
        return (
            _(
                "%(organisation)s stays the plan's coordinator, but cannot read the plan until "
                "a consent covers it again."
            )
            % name
        )
    if kind == Consequence.LOSES_CITIZEN:
        if done:
            return _("The consent no longer covers %(organisation)s.") % name
        return _("The consent will no longer cover %(organisation)s.") % name
    return _("%(organisation)s keeps access: another consent in force covers it.") % name
