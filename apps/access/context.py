"""Who is acting: a user, for one organisation, in one role, within one request."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import exceptions

from apps.organisations.models import Membership, Organisation

DEFAULT_PURPOSE = "treatment_and_coordination"


@dataclass(frozen=True)
class Actor:
    user: User
    organisation: Organisation
    role: str
    request_id: str = ""
    client_address: str | None = None
    purpose: str = DEFAULT_PURPOSE
    client_request_id: str = ""
    memberships: tuple[Membership, ...] = field(default=(), compare=False)

    @property
    def is_caseworker(self) -> bool:
        return self.role == Membership.Role.CASEWORKER

    @property
    def is_manager(self) -> bool:
        return self.role == Membership.Role.MANAGER

    @property
    def is_local_admin(self) -> bool:
        return self.role == Membership.Role.ADMIN

    @property
    def reads_citizen_data(self) -> bool:
        """Caseworkers and managers; a local administrator manages people, not cases."""
        return self.role in (Membership.Role.CASEWORKER, Membership.Role.MANAGER)


class OrganisationRequired(exceptions.APIException):
    status_code = 400
    default_code = "organisation_required"
    default_detail = _lazy("Choose the organisation you act for with the X-Organisation header.")

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail)
        # The error names the header to fix, like any other field error.
        self.fields = {"X-Organisation": [str(self.detail)]}


def actor_for(
    user: User | AnonymousUser,
    organisation_id: str | int | None,
    *,
    request_id: str = "",
    client_address: str | None = None,
    client_request_id: str = "",
) -> Actor:
    """The acting context. A user with one membership acts for it; with several, they choose.

    Asking to act for an organisation the user is not a member of is refused (400) and the
    refusal carries a denied audit event (``organisation_refused``), written by the error
    handler.
    """
    if not user.is_authenticated:
        raise exceptions.NotAuthenticated()
    # Token authentication read them with the token (apps.access.tokens); else one query.
    memberships = getattr(user, "kip_memberships", None) or tuple(
        Membership.objects.filter(user=user).select_related("organisation").order_by("pk")
    )
    if not memberships:
        raise exceptions.PermissionDenied(
            _("You are not a member of any organisation."), code="no_membership"
        )
    if organisation_id in (None, ""):
        if len(memberships) > 1:
            raise OrganisationRequired(
                _("Choose the organisation you act for with the X-Organisation header.")
            )
        chosen = memberships[0]
    else:
        chosen_list = [m for m in memberships if str(m.organisation_id) == str(organisation_id)]
        if not chosen_list:
            refused = OrganisationRequired(
                _("You are not a member of organisation %(id)s.") % {"id": organisation_id}
            )
            refused.audit_event = organisation_refused(  # type: ignore[attr-defined]
                user,
                organisation_id,
                request_id=request_id,
                client_address=client_address,
                client_request_id=client_request_id,
            )
            raise refused
        chosen = chosen_list[0]
    return Actor(
        user=user,
        organisation=chosen.organisation,
        role=chosen.role,
        request_id=request_id,
        client_address=client_address,
        client_request_id=client_request_id,
        memberships=memberships,
    )


def organisation_refused(
    user: User,
    asked: object,
    *,
    request_id: str = "",
    client_address: str | None = None,
    client_request_id: str = "",
) -> dict:
    """The denied audit event of a request to act for an organisation one is not in.

    There is no acting organisation; what was asked is kept as the object id (printable
    characters only, cut short), so the managers of the user's own organisations see it.
    """
    from apps.audit.models import AccessEvent

    text = "".join(ch for ch in str(asked) if ch.isprintable())[:64]
    return {
        "actor": user,
        "organisation": None,
        "action": AccessEvent.Action.CHOOSE,
        "object_type": "organisation",
        "object_id": text,
        "citizen_id": None,
        "purpose": DEFAULT_PURPOSE,
        "outcome": AccessEvent.Outcome.DENIED,
        "detail": {"client_request_id": client_request_id} if client_request_id else {},
        "request_id": request_id,
        "client_address": client_address,
    }


def actor_from_request(request) -> Actor:  # type: ignore[no-untyped-def]
    """The actor of an API or web request, cached on the request."""
    cached = getattr(request, "_kip_actor", None)
    if cached is not None:
        return cached
    session = getattr(request, "session", None)
    organisation_id = request.headers.get("X-Organisation") or (
        session.get("organisation_id") if session is not None else None
    )
    actor = actor_for(
        request.user,
        organisation_id,
        request_id=getattr(request, "request_id", ""),
        client_address=getattr(request, "client_address", None),
        client_request_id=getattr(request, "client_request_id", ""),
    )
    request._kip_actor = actor
    return actor
