"""What the notices of admissions and the discharge agreement say: one sentence in the inbox,
a subject and body by e-mail.

The inbox sits behind the access rules, the citizen shown beside the sentence. E-mail leaves
the service: it names the kind, the plan's number and the date, no citizen data (as
``apps.notifications.email``); the task itself is read on the plan page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from apps.notifications.models import Notification
from apps.notifications.safety_texts import day_text

K = Notification.Kind
KINDS = frozenset({K.ADMISSION, K.READMISSION, K.DISCHARGE_TASK_DUE, K.DISCHARGE_TASK_ESCALATION})


def _values(notification: Notification) -> dict[str, Any]:
    context = notification.context or {}
    return {
        "day": day_text(notification.due),
        "discharged": day_text(context.get("discharged_on")),
        "days": context.get("days") or settings.KIP_READMISSION_DAYS,
        "plan": notification.plan_id or "",
    }


def discharge_sentence(notification: Notification) -> str | None:
    """The inbox's sentence for an admission or discharge-agreement notice; None otherwise."""
    if notification.kind not in KINDS:
        return None
    v = _values(notification)
    if notification.kind == K.ADMISSION:
        return (
            _(
                "The citizen was admitted on %(day)s. Make a discharge agreement and consider "
                "a review of the plan."
            )
            % v
        )
    if notification.kind == K.READMISSION:
        return (
            _(
                "The citizen was admitted again on %(day)s, within %(days)s days of a "
                "discharge. Go through the discharge agreement and consider a review."
            )
            % v
        )
    if notification.kind == K.DISCHARGE_TASK_DUE:
        return _("A task of the discharge agreement is yours to do by %(day)s.") % v
    return (
        _(
            "A task of the discharge agreement in your organisation, due on %(day)s, has not "
            "been marked as done."
        )
        % v
    )


def discharge_email(notification: Notification) -> tuple[str, str] | None:
    """The e-mail's subject and body for these notices; None for any other kind."""
    if notification.kind not in KINDS:
        return None
    v = _values(notification)
    if notification.kind == K.ADMISSION:
        return (
            _("Admission: make a discharge agreement"),
            _(
                "An admission on %(day)s was recorded on plan %(plan)s. Make a discharge "
                "agreement and consider a review."
            )
            % v,
        )
    if notification.kind == K.READMISSION:
        return (
            _("Readmitted within %(days)s days of a discharge") % v,
            _(
                "An admission on %(day)s was recorded on plan %(plan)s, within %(days)s days "
                "of a discharge. Go through the discharge agreement and consider a review."
            )
            % v,
        )
    if notification.kind == K.DISCHARGE_TASK_DUE:
        return (
            _("A task of the discharge agreement is due"),
            _("A task of the discharge agreement on plan %(plan)s is yours to do by %(day)s.") % v,
        )
    return (
        _("A task of the discharge agreement is not done"),
        _(
            "A task of the discharge agreement on plan %(plan)s, due on %(day)s, is not done. "
            "It is the task of someone in your organisation."
        )
        % v,
    )
