"""Invitations: a link by e-mail to choose one's own password (Django's password-reset tokens).

The same link serves a new person and a forgotten password; it stops working once used, when
the password changes, or after ``PASSWORD_RESET_TIMEOUT``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _


def password_link(user: object) -> str:
    """An absolute link where the person chooses a password."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))  # type: ignore[attr-defined]
    token = default_token_generator.make_token(user)  # type: ignore[arg-type]
    path = reverse("web:password-reset-confirm", kwargs={"uidb64": uid, "token": token})
    return settings.KIP_BASE_URL.rstrip("/") + path


def invitation_send(*, user_id: int) -> None:
    """E-mail the invitation after the transaction that created the person commits."""

    def send() -> None:
        user = get_user_model().objects.get(pk=user_id)
        with translation.override("da"):
            subject = _("[KIP] You have been given access to the KIP service")
            body = _(
                "Hello %(name)s,\n\nYou have been given access to the KIP service as "
                "%(username)s. Choose your password here:\n\n%(link)s\n\n"
                "The link works once and for a limited time."
            ) % {
                "name": user.get_full_name() or user.username,
                "username": user.username,
                "link": password_link(user),
            }
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])

    transaction.on_commit(send)
