"""Organisations and memberships. Each organisation has its own auth group."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import transaction

from apps.organisations.models import Membership, Organisation


@transaction.atomic
def organisation_ensure(*, slug: str, name: str, kind: str, sector: str) -> Organisation:
    """Create the organisation and its group, or return the one with this slug."""
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation:
        return organisation
    group = Group.objects.create(name=f"organisation:{slug}")
    return Organisation.objects.create(slug=slug, name=name, kind=kind, sector=sector, group=group)


@transaction.atomic
def membership_ensure(
    *, user: AbstractBaseUser, organisation: Organisation, role: str
) -> Membership:
    """Make the user a member in ``role``; the organisation's group follows the membership."""
    membership, _created = Membership.objects.update_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    user.groups.add(organisation.group)  # type: ignore[attr-defined]
    return membership
