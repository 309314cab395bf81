"""What the safety net's notices say: one sentence in the inbox, a subject and body by e-mail.

The inbox sits behind the access rules (a notice about a plan is listed only while the plan
is within reach), so it may name the organisations a consent covered. A ``consent_expired``
notice whose recipient's organisation lost its cover names no plan (``plan`` is empty) and
says only the plan's number and the day. E-mail leaves the service: it names the kind, the
plan's number and the date, no citizen data (as ``apps.notifications.email``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.notifications.models import Notification

K = Notification.Kind
KINDS = frozenset(
    {
        K.FAST_START_DUE,
        K.FAST_START_ESCALATION,
        K.CONSENT_EXPIRING,
        K.CONSENT_EXPIRED,
        K.AGREEMENT_DUE,
        K.PLAN_INACTIVE,
    }
)


def day_text(value: Any) -> str:
    """A date (or its ISO text, as a notice's context keeps it) as the reader writes it."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return ""
    return date_format(value, "DATE_FORMAT") if isinstance(value, dt.date) else ""


def _values(notification: Notification) -> dict[str, Any]:
    context = notification.context or {}
    return {
        "day": day_text(notification.due),
        "expires": day_text(context.get("expires_on")),
        "since": day_text(context.get("since")),
        "days": context.get("days") or 0,
        "organisations": ", ".join(context.get("organisations") or []),
        "plan": notification.plan_id or context.get("plan") or "",
    }


def safety_sentence(notification: Notification) -> str | None:
    """The inbox's sentence for a safety-net notice; None for any other kind."""
    if notification.kind not in KINDS:
        return None
    v = _values(notification)
    if notification.kind == K.FAST_START_DUE:
        return _("Fast start: the first effort must have started by %(day)s.") % v
    if notification.kind == K.FAST_START_ESCALATION:
        return (
            _(
                "A plan in your organisation missed its fast start: the first effort was to "
                "start by %(day)s."
            )
            % v
        )
    if notification.kind == K.CONSENT_EXPIRING:
        return _("The consent to share with %(organisations)s runs out on %(expires)s.") % v
    if notification.kind == K.CONSENT_EXPIRED:
        if notification.plan_id is None:
            return (
                _(
                    "The consent on plan %(plan)s ran out on %(expires)s. Your organisation "
                    "cannot open the plan until the citizen consents again."
                )
                % v
            )
        return _("The consent to share with %(organisations)s ran out on %(expires)s.") % v
    if notification.kind == K.AGREEMENT_DUE:
        return _("An agreement you are responsible for is due on %(day)s.") % v
    return (
        ngettext(
            "The plan has not changed for %(days)s day (since %(since)s). Is it still in use?",
            "The plan has not changed for %(days)s days (since %(since)s). Is it still in use?",
            v["days"],
        )
        % v
    )


def safety_email(notification: Notification) -> tuple[str, str] | None:
    """Subject and body of a safety-net notice's e-mail; None for any other kind."""
    if notification.kind not in KINDS:
        return None
    v = _values(notification)
    texts: dict[str, tuple[str, str]] = {
        K.FAST_START_DUE: (
            _("First effort due soon"),
            _("The first effort on plan %(plan)s must have started by %(day)s (fast start)."),
        ),
        K.FAST_START_ESCALATION: (
            _("Fast start missed in your organisation"),
            _("The first effort on plan %(plan)s was to start by %(day)s and has not started."),
        ),
        K.CONSENT_EXPIRING: (
            _("Consent runs out soon"),
            _(
                "The citizen's consent on plan %(plan)s runs out on %(expires)s. Talk with the "
                "citizen about renewing it."
            ),
        ),
        K.CONSENT_EXPIRED: (
            _("Consent ran out"),
            _(
                "The citizen's consent on plan %(plan)s ran out on %(expires)s. The "
                "organisations it covered cannot open the plan until the citizen consents again."
            ),
        ),
        K.AGREEMENT_DUE: (
            _("Agreement due"),
            _("An agreement on plan %(plan)s that you are responsible for is due on %(day)s."),
        ),
        K.PLAN_INACTIVE: (
            _("No activity on a plan"),
            _("Plan %(plan)s in your organisation has not changed since %(since)s."),
        ),
    }
    subject, body = texts[notification.kind]
    return subject, body % v
