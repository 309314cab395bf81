"""Who may administer what: organisations (system administrators) and staff (local ones).

A system administrator is a user with ``is_staff``; they need no membership and, having none,
can never act for an organisation on citizen data. A local administrator is a membership role:
they manage the people of that organisation only, and by that role read no citizen data
(``Actor.reads_citizen_data``). People of another organisation do not exist for them (404).
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import exceptions

from apps.access import audit
from apps.access.checks import Forbidden, NotVisible
from apps.access.context import Actor, actor_from_request
from apps.audit.models import AccessEvent
from apps.organisations.models import Organisation

ADMIN = AccessEvent.Action.ADMIN
# The role of a system administrator's acting context: none of the membership roles, so every
# check of citizen data refuses it.
SYSTEM_ADMIN = "system_admin"
User = get_user_model()


def _denied(actor: Actor, object_type: str, object_id: Any) -> dict[str, Any]:
    return audit.event(actor, ADMIN, object_type, object_id, outcome=AccessEvent.Outcome.DENIED)


def system_actor(user: Any, *, request_id: str = "", client_address: str | None = None) -> Actor:
    """The acting context of a system administrator, who acts for no organisation.

    Only used to record administrative events; every citizen-data check refuses it, since its
    role is none of the membership roles.
    """
    if not (user.is_authenticated and user.is_active and user.is_staff):
        raise exceptions.PermissionDenied(
            _("Only a system administrator may do this."), code="not_system_admin"
        )
    return Actor(
        user=user,
        organisation=cast(Organisation, None),
        role=SYSTEM_ADMIN,
        request_id=request_id,
        client_address=client_address,
    )


def require_system_admin(request: Any) -> Actor:
    """The acting context of a logged-in system administrator; anyone else is refused (403),
    and the refusal is recorded (with the organisation they act for, when there is one)."""
    user = request.user
    if not user.is_authenticated:
        raise exceptions.NotAuthenticated()
    request_id = getattr(request, "request_id", "")
    client_address = getattr(request, "client_address", None)
    if user.is_active and user.is_staff:
        return system_actor(user, request_id=request_id, client_address=client_address)
    try:
        actor = actor_from_request(request)
    except exceptions.APIException:  # no organisation to name: the refusal is the user's own
        actor = Actor(
            user=user,
            organisation=cast(Organisation, None),
            role="",
            request_id=request_id,
            client_address=client_address,
        )
    raise Forbidden(
        _("Only a system administrator may do this."), _denied(actor, "organisation", "")
    )


def require_local_admin(actor: Actor) -> None:
    if not actor.is_local_admin:
        raise Forbidden(
            _("Only a local administrator of the organisation may do this."),
            _denied(actor, "membership", ""),
        )


def staff_visible_to(actor: Actor) -> QuerySet:
    """The people of the acting organisation (a local administrator's own staff)."""
    return User.objects.filter(memberships__organisation=actor.organisation).distinct()


def access_staff(actor: Actor, user_id: Any) -> Any:
    """A person of the acting organisation, for its local administrator; else 404."""
    require_local_admin(actor)
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        pk = None
    user = staff_visible_to(actor).filter(pk=pk).first() if pk else None
    if user is None:
        raise NotVisible(_denied(actor, "user", user_id))
    return user


def may_deactivate(actor: Actor, user: Any) -> bool:
    """A local administrator deactivates only people who belong to no other organisation
    (elsewhere they end the membership) and are not system administrators; a system
    administrator deactivates anyone."""
    if actor.role == SYSTEM_ADMIN:
        return True
    if user.is_staff:
        return False
    others = user.memberships.exclude(organisation=actor.organisation).exists()
    return actor.is_local_admin and not others


def record_command(what: str, object_type: str, object_id: Any, **detail: Any) -> None:
    """The ``admin`` event of a change made on the server by a management command (first
    start): no person acts through the service, so there is no actor; ``detail`` says what."""
    audit.write(
        [
            {
                "actor": None,
                "organisation": None,
                "action": ADMIN,
                "object_type": object_type,
                "object_id": "" if object_id is None else str(object_id),
                "citizen_id": None,
                "purpose": "",
                "outcome": AccessEvent.Outcome.ALLOWED,
                "detail": {"what": what, "by": "command", **detail},
                "request_id": "",
                "client_address": None,
            }
        ]
    )
