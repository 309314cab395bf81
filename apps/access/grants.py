"""The only caller of django-guardian's assign and remove.

Taking part in a plan gives the organisation's group object permissions on it; one row per
organisation and plan, in the direct foreign-key table ``PlanGroupObjectPermission``.
"""

from __future__ import annotations

from guardian.shortcuts import assign_perm, remove_perm

from apps.organisations.models import Organisation
from apps.plans.models import Plan

PARTICIPANT_PERMS = ("plans.view_plan", "plans.change_plan")


def participation_grant(*, plan: Plan, organisation: Organisation) -> None:
    for perm in PARTICIPANT_PERMS:
        assign_perm(perm, organisation.group, plan)


def participation_revoke(*, plan: Plan, organisation: Organisation) -> None:
    for perm in PARTICIPANT_PERMS:
        remove_perm(perm, organisation.group, plan)
