"""Use cases for citizens and their consent. Each is one transaction."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.access import audit
from apps.access.checks import Action, NotVisible, access_citizen, require_caseworker
from apps.access.context import Actor
from apps.audit.models import AccessEvent
from apps.citizens import cpr
from apps.citizens.models import Citizen, Consent
from apps.core.exceptions import ApplicationError, Conflict
from apps.organisations.models import Organisation


def cpr_digits(value: str) -> str:
    """The ten digits of a CPR number, or a 400 naming the ``cpr`` field and the reason."""
    try:
        return cpr.normalise(value)
    except cpr.InvalidCPR as exc:
        raise ApplicationError(str(exc), code="invalid_cpr", fields={"cpr": [str(exc)]}) from exc


@transaction.atomic
def citizen_register(*, actor: Actor, cpr_number: str, name: str) -> Citizen:
    """Register a citizen for the acting organisation. The CPR is kept hashed and encrypted."""
    require_caseworker(actor, Action.CREATE, "citizen")
    digits = cpr_digits(cpr_number)
    name = (name or "").strip()
    if not name:
        raise ApplicationError(
            _("The citizen's name is required."), fields={"name": [_("This field is required.")]}
        )
    lookup = cpr.lookup_hash(digits)
    if Citizen.objects.filter(cpr_hash=lookup).exists():
        raise _already_registered()
    try:
        with transaction.atomic():
            citizen = Citizen.objects.create(
                name=name,
                cpr_hash=lookup,
                cpr_encrypted=cpr.encrypt(digits),
                birth_date=cpr.birth_date(digits),
                registered_by=actor.user,
                registered_for=actor.organisation,
            )
    except IntegrityError as exc:  # registered by someone else a moment ago
        raise _already_registered() from exc
    audit.record(actor, Action.CREATE, "citizen", citizen.pk, citizen_id=citizen.pk)
    return citizen


def _already_registered() -> Conflict:
    # Says no more than that the number is taken: not who holds it, nor any plan.
    return Conflict(
        _("A citizen with this CPR number is already registered."),
        code="citizen_exists",
        fields={"cpr": [_("Already registered.")]},
    )


def organisations_by_id(ids: Sequence[int], field: str) -> list[Organisation]:
    """The organisations named, or a 400 that names the unknown ones."""
    wanted = {int(i) for i in ids}
    found = {o.pk: o for o in Organisation.objects.filter(pk__in=wanted)}
    unknown = sorted(wanted - found.keys())
    if unknown:
        raise ApplicationError(
            _("Unknown organisation: %(ids)s.") % {"ids": ", ".join(map(str, unknown))},
            code="unknown_organisation",
            fields={field: [_("Unknown organisation: %(ids)s.") % {"ids": unknown}]},
        )
    return [found[i] for i in sorted(found)]


@transaction.atomic
def consent_give(
    *,
    actor: Actor,
    citizen_id: int,
    organisation_ids: Sequence[int],
    form: str,
    given_at: datetime.datetime | None = None,
    expires_at: datetime.datetime | None = None,
) -> Consent:
    """Record the citizen's consent to share with the organisations named."""
    citizen = access_citizen(actor, citizen_id, Action.CONSENT, object_type="consent", object_id="")
    if not organisation_ids:
        raise ApplicationError(
            _("Name at least one organisation."),
            fields={"organisations": [_("Name at least one organisation.")]},
        )
    organisations = organisations_by_id(organisation_ids, "organisations")
    if form not in Consent.Form.values:
        raise ApplicationError(
            _("Consent is written or oral."), fields={"form": [_("Choose written or oral.")]}
        )
    now = timezone.now()
    given_at = given_at or now
    if given_at > now:
        raise ApplicationError(
            _("Consent cannot be given in the future."),
            fields={"given_at": [_("Must not lie in the future.")]},
        )
    if expires_at is not None and expires_at <= max(given_at, now):
        raise ApplicationError(
            _("An expiry must lie in the future."),
            fields={"expires_at": [_("Must lie in the future.")]},
        )
    consent = Consent.objects.create(
        citizen=citizen,
        form=form,
        given_at=given_at,
        expires_at=expires_at,
        recorded_by=actor.user,
        recorded_for=actor.organisation,
    )
    consent.organisations.set(organisations)
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Actor, citizen_id: int, consent_id: int) -> Consent:
    """Withdraw consent. Access ends at once; the consent and what was shared are kept.

    Organisations no longer covered leave the citizen's plans (their grants are revoked),
    except the coordinator's, which stays on the plan so the plan keeps its coordinator;
    it cannot read the plan until consent covers it again (access checks consent each time).
    """
    from apps.plans.services import participations_prune_uncovered

    citizen = access_citizen(
        actor, citizen_id, Action.CONSENT, object_type="consent", object_id=consent_id
    )
    consent = Consent.objects.select_for_update().filter(citizen=citizen, pk=consent_id).first()
    if consent is None:
        # Another citizen's consent (or none): recorded with the citizen it concerns.
        concerned = audit.citizen_of_object(Consent.objects, consent_id) or citizen.pk
        raise NotVisible(
            audit.event(
                actor,
                Action.CONSENT,
                "consent",
                consent_id,
                citizen_id=concerned,
                outcome=AccessEvent.Outcome.DENIED,
            )
        )
    if consent.withdrawn_at is not None:
        raise Conflict(_("This consent is already withdrawn."), code="already_withdrawn")
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = actor.user
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    participations_prune_uncovered(citizen=citizen)
    return consent


def organisations_covered(*, citizen: Citizen, excluding: Consent | None = None) -> set[int]:
    """Ids of the organisations the citizen's consent in force covers now.

    ``excluding``: leave one consent out, to tell what withdrawing it would take away.
    """
    consents = Consent.objects.in_force().filter(citizen=citizen)
    if excluding is not None:
        consents = consents.exclude(pk=excluding.pk)
    return set(consents.values_list("organisations", flat=True))
