"""Organisations, managed by system administrators: create, rename, kind and sector, deactivate.

A deactivated organisation takes no new plans or participations; its plans, people and audit
history stay as they were.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from apps.access import audit
from apps.access.administration import ADMIN
from apps.access.context import Actor
from apps.core.exceptions import ApplicationError
from apps.organisations.models import Organisation
from apps.organisations.services import organisation_ensure


def organisation_errors(data: dict[str, Any], *, instance: Organisation | None = None) -> dict:
    """Field errors of an organisation's data; empty when fine. Only text is taken as text."""
    errors: dict[str, list[str]] = {}
    raw_name = data.get("name")
    name = raw_name.strip() if isinstance(raw_name, str) else ""
    if instance is None or "name" in data:
        if not name:
            errors["name"] = [_("A name is needed.")]
        elif len(name) > 200:
            errors["name"] = [_("At most 200 characters.")]
    if (instance is None or "kind" in data) and data.get("kind") not in Organisation.Kind.values:
        errors["kind"] = [_("Choose one of the kinds of organisation.")]
    if (instance is None or "sector" in data) and data.get(
        "sector"
    ) not in Organisation.Sector.values:
        errors["sector"] = [_("Choose municipality or region.")]
    if instance is None:
        raw_slug = data.get("slug")
        slug = slugify(raw_slug if isinstance(raw_slug, str) and raw_slug.strip() else name)
        if not slug:
            errors["slug"] = [_("A short name of letters and digits is needed.")]
        elif Organisation.objects.filter(slug=slug).exists():
            errors["slug"] = [_("An organisation with this short name exists already.")]
    return errors


def _record(actor: Actor, organisation: Organisation, what: str, **detail: Any) -> None:
    audit.record(
        actor,
        ADMIN,
        "organisation",
        organisation.pk,
        detail={"what": what, "organisation": organisation.pk, **detail},
    )


@transaction.atomic
def organisation_create(*, actor: Actor, data: dict[str, Any]) -> Organisation:
    """A new organisation with its group; the slug comes from the name unless given."""
    errors = organisation_errors(data)
    if errors:
        raise ApplicationError(_("The organisation could not be created."), fields=errors)
    raw_slug = data.get("slug")
    organisation = organisation_ensure(
        slug=slugify(raw_slug if isinstance(raw_slug, str) and raw_slug.strip() else data["name"]),
        name=str(data["name"]).strip(),
        kind=data["kind"],
        sector=data["sector"],
    )
    _record(actor, organisation, "create", name=organisation.name, kind=organisation.kind)
    return organisation


@transaction.atomic
def organisation_update(
    *, actor: Actor, organisation_id: int, data: dict[str, Any]
) -> Organisation:
    """Rename it, or set its kind or sector; only what ``data`` names changes."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    changes = {k: data[k] for k in ("name", "kind", "sector") if k in data}
    errors = organisation_errors(changes, instance=organisation)
    if errors:
        raise ApplicationError(_("The organisation could not be changed."), fields=errors)
    before = {k: getattr(organisation, k) for k in changes}
    for key, value in changes.items():
        setattr(organisation, key, value.strip())
    after = {k: getattr(organisation, k) for k in changes}
    if after == before:
        return organisation
    organisation.save(update_fields=list(changes))
    _record(actor, organisation, "update", before=before, after=after)
    return organisation


@transaction.atomic
def organisation_deactivate(*, actor: Actor, organisation_id: int, reason: str) -> Organisation:
    """No new plans, participations or people from now on; its history stays as it was."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    if not isinstance(reason, str) or not reason.strip():
        message = _("Say why (for the audit trail).")
        raise ApplicationError(message, fields={"reason": [message]})
    if organisation.active:
        organisation.active = False
        organisation.deactivated_at = timezone.now()
        organisation.save(update_fields=["active", "deactivated_at"])
        _record(actor, organisation, "deactivate", reason=reason.strip()[:500])
    return organisation
