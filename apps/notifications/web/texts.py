"""What a notification says in the inbox, as one plain sentence in the reader's language.

The e-mail (``apps.notifications.email``) names only the plan's number, as it leaves the
service; the inbox sits behind the access rules, so the page shows the citizen beside it.
"""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.coordination.models import HospitalEvent
from apps.notifications.discharge_texts import discharge_sentence
from apps.notifications.models import Notification
from apps.notifications.safety_texts import safety_sentence

K = Notification.Kind


def _hospital(notification: Notification, day: str) -> str:
    kind = (notification.context or {}).get("event_kind")
    if kind == HospitalEvent.Kind.ADMISSION:
        return _("An admission on %(day)s was recorded. Consider a review of the plan.") % {
            "day": day
        }
    if kind == HospitalEvent.Kind.EXPECTED_DISCHARGE:
        return _("A discharge is expected on %(day)s. Consider a review of the plan.") % {
            "day": day
        }
    if kind == HospitalEvent.Kind.DISCHARGE:
        return _("A discharge on %(day)s was recorded. Consider a review of the plan.") % {
            "day": day
        }
    return _("An admission or discharge was recorded. Consider a review of the plan.")


def notification_sentence(notification: Notification) -> str:
    """One sentence saying what the notification is about (the citizen is shown beside it)."""
    day = date_format(notification.due, "DATE_FORMAT") if notification.due else ""
    values = {"day": day}
    sentences: dict[str, str] = {
        K.REVIEW_UPCOMING: _("The review of the plan is coming up on %(day)s."),
        K.REVIEW_DUE: _("The review of the plan is due today."),
        K.REVIEW_OVERDUE: _("The review of the plan was due on %(day)s and is not recorded."),
        K.REVIEW_ESCALATION: _(
            "A review in your organisation, due on %(day)s, has not been recorded."
        ),
        K.HANDOVER_PROPOSED: _("You are asked to take over as the plan's coordinator."),
        K.HANDOVER_REMINDER: _("A handover of the plan is waiting for your answer."),
        K.HANDOVER_ESCALATION: _(
            "A handover of a plan to your organisation has not been answered."
        ),
        K.HANDOVER_EXPIRED: _("A handover of the plan expired without an answer."),
        K.HANDOVER_ACCEPTED: _("A new coordinator has taken over the plan."),
        K.HANDOVER_DECLINED: _("The handover of the plan was declined."),
        K.BREAK_GLASS: _("Someone used emergency access (break the glass) to read a plan."),
    }
    if notification.kind == K.REVIEW_PROMPTED:
        return _hospital(notification, day)
    safety = safety_sentence(notification)
    if safety is not None:
        return safety
    hospital = discharge_sentence(notification)
    if hospital is not None:
        return hospital
    if notification.kind in sentences:
        return sentences[notification.kind] % values
    return _("You have a new notification.")
