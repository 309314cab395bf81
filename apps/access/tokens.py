"""API tokens that expire after ``KIP_TOKEN_TTL_HOURS`` and end with a logout.

One token per user (DRF's ``Token``), so ``Authorization: Token <key>`` keeps working as
before. A token older than its lifetime is refused with 401 and deleted; the next login
issues a fresh one.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_lifetime() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.KIP_TOKEN_TTL_HOURS)


def token_expires_at(token: Token) -> datetime.datetime:
    """When the token stops working."""
    return token.created + token_lifetime()


def token_expired(token: Token, *, now: datetime.datetime | None = None) -> bool:
    return (now or timezone.now()) >= token_expires_at(token)


@transaction.atomic
def token_issue(*, user: Any) -> Token:
    """The user's token: the current one while it lives, else a fresh one.

    The row is locked so two logins at once cannot both replace an expired token.
    """
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and not token_expired(token):
        return token
    if token is not None:
        token.delete()
    return Token.objects.create(user=user)


def token_revoke(*, user: Any) -> bool:
    """Delete the user's token; True if there was one."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)


class TokenExpired(exceptions.AuthenticationFailed):
    default_detail = _("The token has expired. Log in again for a new one.")
    default_code = "token_expired"


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing (and removing) tokens past their lifetime."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = _with_memberships(key) or super().authenticate_credentials(key)
        if token_expired(token):
            # Only this key: a fresh token issued meanwhile is left alone.
            Token.objects.filter(pk=token.pk).delete()
            raise TokenExpired()
        return user, token


def _with_memberships(key: str) -> tuple[Any, Token] | None:
    """The token's active user with their memberships, in one statement (a row per
    membership, the token and user joined), or None to let DRF look (and refuse) as before:
    no such token, an inactive user, or no membership (``actor_for`` refuses that)."""
    from apps.organisations.models import Membership

    rows = list(
        Membership.objects.filter(user__auth_token__key=key, user__is_active=True)
        .select_related("organisation", "user__auth_token")
        .order_by("pk")
    )
    if not rows:
        return None
    user = rows[0].user
    for membership in rows:
        membership.user = user
    user.kip_memberships = tuple(rows)  # type: ignore[attr-defined]  # read by actor_for
    return user, user.auth_token
