"""The e-mail of a notification, in the recipient's language (Danish unless they chose English).

No citizen data goes into e-mail: it names the kind, the plan number and the date, and sends
the reader to the service, where access is checked and logged.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.notifications.discharge_texts import discharge_email
from apps.notifications.models import Notification, NotificationPreference
from apps.notifications.safety_texts import safety_email


def _subject_and_body(notification: Notification) -> tuple[str, str]:
    K = Notification.Kind
    values = {
        "plan": notification.plan_id or "",
        "due": date_format(notification.due, "DATE_FORMAT") if notification.due else "",
    }
    texts: dict[str, tuple[str, str]] = {
        K.REVIEW_UPCOMING: (
            _("Review coming up"),
            _("Plan %(plan)s is to be reviewed on %(due)s."),
        ),
        K.REVIEW_DUE: (
            _("Review due today"),
            _("Plan %(plan)s is to be reviewed today (%(due)s)."),
        ),
        K.REVIEW_OVERDUE: (
            _("Review overdue"),
            _("The review of plan %(plan)s was due on %(due)s."),
        ),
        K.REVIEW_ESCALATION: (
            _("Review overdue in your organisation"),
            _("The review of plan %(plan)s, due on %(due)s, has not been recorded."),
        ),
        K.REVIEW_PROMPTED: (
            _("Hospital event: review the plan"),
            _(
                "An admission or discharge was recorded on plan %(plan)s (%(due)s). "
                "Consider a review."
            ),
        ),
        K.HANDOVER_PROPOSED: (
            _("You are asked to coordinate a plan"),
            _("You are asked to take over as coordinator of plan %(plan)s."),
        ),
        K.HANDOVER_REMINDER: (
            _("Handover awaiting your answer"),
            _("Please accept or decline coordinating plan %(plan)s."),
        ),
        K.HANDOVER_ESCALATION: (
            _("Handover unanswered in your organisation"),
            _("A handover of plan %(plan)s to your organisation has not been answered."),
        ),
        K.HANDOVER_EXPIRED: (
            _("Handover expired"),
            _("The handover of plan %(plan)s expired without an answer."),
        ),
        K.HANDOVER_ACCEPTED: (
            _("Handover accepted"),
            _("A new coordinator has taken over plan %(plan)s."),
        ),
        K.HANDOVER_DECLINED: (
            _("Handover declined"),
            _("The handover of plan %(plan)s was declined."),
        ),
        K.HANDOVER_CANCELLED: (
            _("Handover cancelled"),
            _("The handover of plan %(plan)s was cancelled."),
        ),
        K.STAFF_LEFT: (
            _("A colleague has left: reassign their work"),
            _(
                "A colleague no longer works in your organisation. Plans they coordinated and "
                "efforts, agreements or discharge tasks they were responsible for need a new "
                "person."
            ),
        ),
    }
    footer = _("Open the KIP service to see the details.")
    safety = safety_email(notification)
    if safety is not None:
        return f"[KIP] {safety[0]}", f"{safety[1]}\n\n{footer}\n"
    hospital = discharge_email(notification)
    if hospital is not None:
        return f"[KIP] {hospital[0]}", f"{hospital[1]}\n\n{footer}\n"
    subject, body = texts.get(
        notification.kind, (_("New notification"), _("You have a new notification."))
    )
    return f"[KIP] {subject}", f"{body % values}\n\n{footer}\n"


def _preference(user: Any) -> NotificationPreference | None:
    # Read with the recipient (select_related) when delivering a batch: no query of its own.
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return None


class NotificationEmail(EmailMessage):
    """A notification's e-mail, knowing which notification it is."""

    def __init__(self, *args: Any, notification_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.notification_id = notification_id


def notification_email_message(notification: Notification) -> NotificationEmail | None:
    """The e-mail of a notification, in its recipient's language; None if the recipient has
    no address or does not want e-mail."""
    user = notification.recipient
    preference = _preference(user)
    if not user.email or (preference is not None and not preference.email):
        return None
    with translation.override(preference.language if preference else "da"):
        subject, body = _subject_and_body(notification)
    return NotificationEmail(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
        headers={"X-KIP-Notification": str(notification.pk)},
        notification_id=notification.pk,
    )
