"""Staff of an organisation, managed by its local administrator: create, set role, end,
deactivate, invite again. Every action is recorded as an ``admin`` event (who, what, for whom,
why) that names the organisation, so its managers find it in the trail.

People get a link by e-mail to choose their own password; administrators never type one.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.access import audit
from apps.access.administration import (
    ADMIN,
    SYSTEM_ADMIN,
    access_staff,
    may_deactivate,
    require_local_admin,
)
from apps.access.checks import Forbidden
from apps.access.context import Actor
from apps.access.tokens import token_revoke
from apps.administration.invitations import invitation_send
from apps.administration.leavers import Leaver, leaver_handle
from apps.core.exceptions import ApplicationError, Conflict, NotFound
from apps.organisations.models import Membership, Organisation
from apps.organisations.services import membership_ensure, membership_remove

User = get_user_model()
ROLES = Membership.Role


def record(
    actor: Actor, user: Any, what: str, *, organisation: Organisation | None = None, **detail: Any
) -> None:
    """The ``admin`` event of an action on a person, naming the organisation concerned."""
    concerned = organisation or actor.organisation
    audit.record(
        actor,
        ADMIN,
        "user",
        user.pk,
        detail={"what": what, "organisation": concerned.pk, **detail},
    )


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


def staff_errors(data: dict[str, Any], *, taken: set[str] | None = None) -> dict[str, list[str]]:
    """Field errors of one person's data (``username``, ``email``, ``role``); empty when fine.

    ``taken`` holds lower-cased usernames and e-mails already claimed earlier in an import.
    """
    taken = taken if taken is not None else set()
    errors: dict[str, list[str]] = {}
    username, email, role = _text(data, "username"), _text(data, "email"), _text(data, "role")
    if not username:
        errors["username"] = [_("A username is needed.")]
    elif len(username) > 150:
        errors["username"] = [_("The username is too long (at most 150 characters).")]
    else:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            errors["username"] = [
                _("Use letters, digits and . _ - only (no spaces) in the username.")
            ]
        else:
            if username.lower() in taken or User.objects.filter(username__iexact=username).exists():
                errors["username"] = [_("This username is already taken.")]
    if not email:
        errors["email"] = [_("An e-mail address is needed for the invitation.")]
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("This is not a valid e-mail address.")]
        else:
            if email.lower() in taken or User.objects.filter(email__iexact=email).exists():
                errors["email"] = [_("Another person already uses this e-mail address.")]
    if role not in ROLES.values:
        errors["role"] = [_role_message()]
    for name in ("first_name", "last_name"):
        if len(_text(data, name)) > 150:
            errors[name] = [_("At most 150 characters.")]
    return errors


def _role_message() -> str:
    return _("Choose one of the roles: %(roles)s.") % {"roles": ", ".join(ROLES.values)}


def require_active(organisation: Organisation) -> None:
    """A deactivated organisation takes no new people (its present ones may still leave)."""
    if not organisation.active:
        message = _("%(name)s is deactivated and takes no new people.") % {
            "name": organisation.name
        }
        raise ApplicationError(
            message, code="organisation_inactive", fields={"organisation": [message]}
        )


def _person_create(organisation: Organisation, data: dict[str, Any], role: str) -> Any:
    """A new person with a role in the organisation, without a usable password until they
    choose one through the invitation. Call inside a transaction; the caller checked ``data``."""
    user = User(
        username=_text(data, "username"),
        email=_text(data, "email"),
        first_name=_text(data, "first_name"),
        last_name=_text(data, "last_name"),
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same username, created a moment ago by someone else
        message = _("This username is already taken.")
        raise ApplicationError(message, fields={"username": [message]}) from None
    membership_ensure(user=user, organisation=organisation, role=role)
    return user


@transaction.atomic
def staff_create(*, actor: Actor, data: dict[str, Any], invite: bool = True) -> Any:
    """Create a person in the acting organisation with a role, and e-mail them an invitation."""
    require_local_admin(actor)
    require_active(actor.organisation)
    errors = staff_errors(data)
    if errors:
        raise ApplicationError(_("The person could not be created."), fields=errors)
    role = _text(data, "role")
    user = _person_create(actor.organisation, data, role)
    record(actor, user, "create", role=role)
    if invite:
        invitation_send(user_id=user.pk)
    return user


@transaction.atomic
def organisation_admin_invite(*, actor: Actor, organisation_id: int, data: dict[str, Any]) -> Any:
    """A system administrator creates a local administrator of an organisation (the first one,
    who then manages its people) and e-mails them an invitation."""
    if actor.role != SYSTEM_ADMIN:
        raise Forbidden(
            _("Only a system administrator may do this."),
            audit.event(actor, ADMIN, "organisation", organisation_id, outcome="denied"),
        )
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise NotFound(_("Not found."))
    require_active(organisation)
    errors = staff_errors({**data, "role": ROLES.ADMIN})
    if errors:
        raise ApplicationError(_("The person could not be created."), fields=errors)
    user = _person_create(organisation, data, ROLES.ADMIN)
    record(actor, user, "create", organisation=organisation, role=ROLES.ADMIN)
    invitation_send(user_id=user.pk)
    return user


@transaction.atomic
def staff_invite_again(*, actor: Actor, user_id: Any) -> Any:
    """A new link to choose a password, for someone whose invitation was lost or ran out."""
    user = access_staff(actor, user_id)
    if not user.is_active:
        message = _("A deactivated person gets no invitation.")
        raise Conflict(message, code="user_inactive", fields={"user": [message]})
    record(actor, user, "invite")
    invitation_send(user_id=user.pk)
    return user


@transaction.atomic
def staff_set_role(*, actor: Actor, user_id: Any, role: str, reason: str = "") -> Membership:
    """Change the person's role in the acting organisation. Someone who stops being a
    caseworker leaves their casework as a leaver does: handovers cancelled, managers told."""
    user = access_staff(actor, user_id)
    if role not in ROLES.values:
        message = _role_message()
        raise ApplicationError(message, fields={"role": [message]})
    if user.pk == actor.user.pk and role != ROLES.ADMIN:
        message = _("You cannot take your own administrator role away.")
        raise Conflict(message, code="own_role", fields={"role": [message]})
    before = user.memberships.get(organisation=actor.organisation).role
    membership = membership_ensure(user=user, organisation=actor.organisation, role=role)
    summary: dict[str, Any] = {}
    if before == ROLES.CASEWORKER and role != ROLES.CASEWORKER:
        summary = leaver_handle(user=user, organisation=actor.organisation).summary()
    record(
        actor, user, "set_role", before=before, role=role, reason=(reason or "")[:500], **summary
    )
    return membership


def access_revoke(user: Any) -> None:
    """Every token and every browser session of the person stop working on their next request.

    Sessions carry a hash of the password; an unusable password changes it, so each session is
    refused. To come back, the person gets a new invitation and chooses a new password.
    """
    token_revoke(user=user)
    user.set_unusable_password()
    user.save(update_fields=["password"])


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        message = _("Say why (for the audit trail).")
        raise ApplicationError(message, fields={"reason": [message]})
    return reason[:500]


@transaction.atomic
def membership_end(*, actor: Actor, user_id: Any, reason: str) -> Leaver:
    """End the person's membership of the acting organisation. Their open handovers there are
    cancelled and their plans, efforts and agreements listed for the managers, who are told.
    With their last membership gone, their tokens and sessions are revoked at once."""
    user = access_staff(actor, user_id)
    reason = _reason(reason)
    if user.pk == actor.user.pk:
        message = _("You cannot end your own membership.")
        raise Conflict(message, code="own_membership", fields={"user": [message]})
    membership_remove(user=user, organisation=actor.organisation)
    revoked = not user.memberships.exists()
    if revoked:
        access_revoke(user)
    leaver = leaver_handle(user=user, organisation=actor.organisation)
    record(actor, user, "end_membership", reason=reason, revoked=revoked, **leaver.summary())
    return leaver


@transaction.atomic
def user_deactivate(*, actor: Actor, user_id: Any, reason: str) -> Leaver:
    """The person can no longer log in, and every token and session stops at once."""
    user = access_staff(actor, user_id)
    reason = _reason(reason)
    if user.pk == actor.user.pk:
        message = _("You cannot deactivate yourself.")
        raise Conflict(message, code="own_account", fields={"user": [message]})
    if not may_deactivate(actor, user):
        raise Forbidden(
            _(
                "This person also works for another organisation or administers the service: "
                "end the membership here instead."
            ),
            audit.event(actor, ADMIN, "user", user.pk, outcome="denied"),
        )
    user.is_active = False
    user.save(update_fields=["is_active"])
    access_revoke(user)
    membership_remove(user=user, organisation=actor.organisation)
    leaver = leaver_handle(user=user, organisation=actor.organisation)
    record(actor, user, "deactivate", reason=reason, **leaver.summary())
    return leaver
