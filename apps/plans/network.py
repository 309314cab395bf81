"""The citizen's network on the plan: relatives, friends, neighbours who matter to them.

They are not users of the service: each is a name, a relation, how to reach them, what the
citizen agrees they may be told, and whether they take part in meetings. Any caseworker of a
participating organisation keeps the list, as with goals and agreements: each write is a plan
write (the plan's version, ``If-Match``), checked and recorded by ``apps.access``. The list is
read, and a person taken off it, like any part of the plan (``plan_part_delete``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from apps.access.checks import access_plan
from apps.access.context import Actor

# One rule for every plan part: the access check, the version compare-and-bump, the texts.
from apps.core.exceptions import invalid
from apps.plans.models import NetworkMember
from apps.plans.parts import part_of, part_write, required_text
from apps.plans.services import ExpectedVersion

# Each text's limit, as the model holds it; name and relation are required.
LIMITS = {"name": 200, "relation": 100, "contact": 200, "may_be_told": 2000}
REQUIRED = ("name", "relation")


def network_member_get(*, actor: Actor, plan_id: Any, member_id: Any) -> NetworkMember:
    """One person of the plan's network (404 when not on this plan, or the plan unseen)."""
    plan = access_plan(actor, plan_id)
    member: NetworkMember = part_of(NetworkMember, plan, member_id)
    member.plan = plan
    return member


def _optional_text(value: Any, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid(field, _("Send text."))
    text = value.strip()
    if len(text) > LIMITS[field]:
        raise invalid(field, _("At most %(n)s characters.") % {"n": LIMITS[field]})
    return text


@transaction.atomic
def network_member_save(
    *,
    actor: Actor,
    plan_id: Any,
    expected_version: ExpectedVersion,
    member_id: Any = None,
    data: dict[str, Any],
) -> NetworkMember:
    """Add a person to the citizen's network on the plan, or change one (only what ``data``
    names). Name and relation are required; how to reach them and what they may be told are
    optional texts; ``takes_part``: whether they take part in the meetings."""
    plan = part_write(actor, plan_id, expected_version)
    new = member_id is None
    member = NetworkMember(plan=plan) if new else part_of(NetworkMember, plan, member_id)
    for field in REQUIRED:
        if new or field in data:
            setattr(member, field, required_text(data.get(field), field, LIMITS[field]))
    for field in ("contact", "may_be_told"):
        if field in data:
            setattr(member, field, _optional_text(data[field], field))
    if "takes_part" in data:
        if not isinstance(data["takes_part"], bool):
            raise invalid("takes_part", _("Send true or false."))
        member.takes_part = data["takes_part"]
    member.save()
    return member
