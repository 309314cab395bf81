"""What administration can change, for before/after checks of refusals."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from apps.coordination.models import Handover
from apps.organisations.models import Membership, Organisation, RoleHistory
from tests.helpers import snapshot

User = get_user_model()


def people_snapshot() -> dict[str, list[tuple]]:
    """Citizen data plus everything administration can change."""
    return {
        **snapshot(),
        "users": list(
            User.objects.order_by("pk").values_list(
                "pk", "username", "email", "is_active", "is_staff", "password"
            )
        ),
        "memberships": list(
            Membership.objects.order_by("pk").values_list("user_id", "organisation_id", "role")
        ),
        "organisations": list(
            Organisation.objects.order_by("pk").values_list(
                "pk", "slug", "name", "kind", "sector", "active"
            )
        ),
        "role_history": list(
            RoleHistory.objects.order_by("pk").values_list(
                "user_id", "organisation_id", "role", "started_at", "ended_at"
            )
        ),
        "tokens": list(Token.objects.order_by("key").values_list("key", "user_id")),
        "handovers": list(Handover.objects.order_by("pk").values_list("pk", "state")),
    }
