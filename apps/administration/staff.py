"""Staff of an organisation, managed by its local administrator: create, set role, end,
deactivate, import. Every action is recorded as an ``admin`` event (who, what, for whom, why).

People get a link by e-mail to choose their own password; administrators never type one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from apps.access import audit
from apps.access.administration import (
    ADMIN,
    access_staff,
    may_deactivate,
    require_local_admin,
)
from apps.access.checks import Forbidden
from apps.access.context import Actor
from apps.administration.invitations import invitation_send
from apps.administration.leavers import Leaver, leaver_handle
from apps.core.exceptions import ApplicationError, Conflict
from apps.organisations.models import Membership
from apps.organisations.services import membership_ensure, membership_remove

User = get_user_model()
ROLES = Membership.Role


def _record(actor: Actor, user: Any, what: str, **detail: Any) -> None:
    audit.record(actor, ADMIN, "user", user.pk, detail={"what": what, **detail})


def staff_errors(data: dict[str, Any], *, taken: set[str] | None = None) -> dict[str, list[str]]:
    """Field errors of one person's data (``username``, ``email``, ``role``); empty when fine.

    ``taken`` holds lower-cased usernames and e-mails already claimed earlier in an import.
    """
    taken = taken if taken is not None else set()
    errors: dict[str, list[str]] = {}
    username = str(data.get("username") or "").strip()
    email = str(data.get("email") or "").strip()
    role = str(data.get("role") or "").strip()
    if not username:
        errors["username"] = [_("A username is needed.")]
    else:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            errors["username"] = [
                _("Use letters, digits and . _ - only (no spaces) in the username.")
            ]
        else:
            if len(username) > 150:
                errors["username"] = [_("The username is too long (at most 150 characters).")]
            elif (
                username.lower() in taken or User.objects.filter(username__iexact=username).exists()
            ):
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
        errors["role"] = [
            _("Choose one of the roles: %(roles)s.") % {"roles": ", ".join(ROLES.values)}
        ]
    for name in ("first_name", "last_name"):
        if len(str(data.get(name) or "")) > 150:
            errors[name] = [_("At most 150 characters.")]
    return errors


@transaction.atomic
def staff_create(*, actor: Actor, data: dict[str, Any], invite: bool = True) -> Any:
    """Create a person in the acting organisation with a role, and e-mail them an invitation."""
    require_local_admin(actor)
    errors = staff_errors(data)
    if errors:
        raise ApplicationError(_("The person could not be created."), fields=errors)
    user = User(
        username=str(data["username"]).strip(),
        email=str(data["email"]).strip(),
        first_name=str(data.get("first_name") or "").strip(),
        last_name=str(data.get("last_name") or "").strip(),
    )
    user.set_unusable_password()
    user.save()
    membership_ensure(user=user, organisation=actor.organisation, role=data["role"])
    _record(actor, user, "create", role=data["role"])
    if invite:
        invitation_send(user_id=user.pk)
    return user


@transaction.atomic
def staff_set_role(*, actor: Actor, user_id: Any, role: str, reason: str = "") -> Membership:
    user = access_staff(actor, user_id)
    if role not in ROLES.values:
        message = _("Choose one of the roles: %(roles)s.") % {"roles": ", ".join(ROLES.values)}
        raise ApplicationError(message, fields={"role": [message]})
    if user.pk == actor.user.pk and role != ROLES.ADMIN:
        message = _("You cannot take your own administrator role away.")
        raise Conflict(message, code="own_role", fields={"role": [message]})
    before = user.memberships.get(organisation=actor.organisation).role
    membership = membership_ensure(user=user, organisation=actor.organisation, role=role)
    _record(actor, user, "set_role", before=before, role=role, reason=reason[:500])
    return membership


def access_revoke(user: Any) -> None:
    """Every token and every browser session of the person stop working on their next request.

    Sessions carry a hash of the password; an unusable password changes it, so each session is
    refused. To come back, the person gets a new invitation and chooses a new password.
    """
    Token.objects.filter(user=user).delete()
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
    if not user.memberships.exists():
        access_revoke(user)
    leaver = leaver_handle(user=user, organisation=actor.organisation)
    _record(actor, user, "end_membership", reason=reason, **leaver.summary())
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
            _("This person also works for another organisation: end the membership here instead."),
            audit.event(actor, ADMIN, "user", user.pk, outcome="denied"),
        )
    user.is_active = False
    user.save(update_fields=["is_active"])
    access_revoke(user)
    membership_remove(user=user, organisation=actor.organisation)
    leaver = leaver_handle(user=user, organisation=actor.organisation)
    _record(actor, user, "deactivate", reason=reason, **leaver.summary())
    return leaver


@dataclass
class ImportRow:
    line: int
    data: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)
    user_id: int | None = None


@dataclass
class ImportReport:
    rows: list[ImportRow]
    dry_run: bool

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not any(row.errors for row in self.rows)


IMPORT_COLUMNS = ("username", "email", "first_name", "last_name", "role")


def staff_import(*, actor: Actor, rows: list[dict[str, str]], dry_run: bool) -> ImportReport:
    """Import people from CSV rows: every row checked and reported; all or nothing.

    A dry run checks and reports without writing. A real run writes only when every row is
    fine, in one transaction, and then sends the invitations.
    """
    require_local_admin(actor)
    taken: set[str] = set()
    report = ImportReport(rows=[], dry_run=dry_run)
    for line, data in enumerate(rows, start=2):  # line 1 is the header
        row = ImportRow(line=line, data={k: (data.get(k) or "").strip() for k in IMPORT_COLUMNS})
        row.errors = staff_errors(row.data, taken=taken)
        taken.update(v.lower() for v in (row.data["username"], row.data["email"]) if v)
        report.rows.append(row)
    if not report.rows:
        message = _("The file holds no people.")
        raise ApplicationError(message, fields={"file": [message]})
    if dry_run or not report.ok:
        return report
    with transaction.atomic():
        for row in report.rows:
            row.user_id = staff_create(actor=actor, data=row.data).pk
        audit.record(actor, ADMIN, "import", "", detail={"what": "import", "rows": len(rows)})
    return report
