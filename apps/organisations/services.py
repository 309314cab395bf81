"""Organisations and memberships. Each organisation has its own auth group."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import transaction
from django.utils import timezone

from apps.organisations.models import Membership, Organisation, RoleHistory


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
    """Make the user a member in ``role``; the organisation's group follows the membership,
    and the role history records when each role began and ended."""
    before = Membership.objects.filter(user_id=user.pk, organisation=organisation).first()
    membership, _created = Membership.objects.update_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    if before is None or before.role != role:
        now = timezone.now()
        _period_close(user, organisation, now)
        RoleHistory.objects.create(
            user_id=user.pk, organisation=organisation, role=role, started_at=now
        )
    user.groups.add(organisation.group)  # type: ignore[attr-defined]
    return membership


@transaction.atomic
def membership_remove(*, user: AbstractBaseUser, organisation: Organisation) -> bool:
    """End the membership: out of the group, the role period closed. False if there was none."""
    deleted, _ = Membership.objects.filter(user_id=user.pk, organisation=organisation).delete()
    user.groups.remove(organisation.group)  # type: ignore[attr-defined]
    _period_close(user, organisation, timezone.now())
    return bool(deleted)


def _period_close(user: AbstractBaseUser, organisation: Organisation, when: object) -> None:
    RoleHistory.objects.filter(
        user_id=user.pk, organisation=organisation, ended_at__isnull=True
    ).update(ended_at=when)
