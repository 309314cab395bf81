"""Notifications: one row per (kind, subject, due date, recipient); the table is the outbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        REVIEW_UPCOMING = "review_upcoming", _("review coming up")
        REVIEW_DUE = "review_due", _("review due")
        REVIEW_OVERDUE = "review_overdue", _("review overdue")
        REVIEW_ESCALATION = "review_escalation", _("review overdue (escalated)")
        REVIEW_PROMPTED = "review_prompted", _("review prompted by a hospital event")
        HANDOVER_PROPOSED = "handover_proposed", _("handover proposed")
        HANDOVER_REMINDER = "handover_reminder", _("handover awaiting answer")
        HANDOVER_ESCALATION = "handover_escalation", _("handover unanswered (escalated)")
        HANDOVER_EXPIRED = "handover_expired", _("handover expired")
        HANDOVER_ACCEPTED = "handover_accepted", _("handover accepted")
        HANDOVER_DECLINED = "handover_declined", _("handover declined")
        HANDOVER_CANCELLED = "handover_cancelled", _("handover cancelled")
        STAFF_LEFT = "staff_left", _("a colleague left: reassign their work")
        BREAK_GLASS = "break_glass", _("emergency access used")
        CONSENT_EXPIRING = "consent_expiring", _("consent runs out soon")
        CONSENT_EXPIRED = "consent_expired", _("consent ran out")
        AGREEMENT_DUE = "agreement_due", _("agreement due")
        FAST_START_DUE = "fast_start_due", _("first effort due soon (fast start)")
        FAST_START_ESCALATION = "fast_start_escalation", _("first effort not started in time")
        ADMISSION = "admission", _("the citizen was admitted")
        DISCHARGE_TASK_DUE = "discharge_task_due", _("discharge task due")
        DISCHARGE_TASK_ESCALATION = "discharge_task_escalation", _("discharge task missed")
        READMISSION = "readmission", _("readmitted within 30 days")
        PLAN_INACTIVE = "plan_inactive", _("no activity on the plan")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # Free text (not limited to Kind.choices) so other apps may add kinds without a migration.
    kind = models.CharField(_("kind"), max_length=40)
    plan = models.ForeignKey(
        "plans.Plan", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    handover = models.ForeignKey(
        "coordination.Handover",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    due = models.DateField(_("due"), null=True, blank=True)
    context = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=255, unique=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=36, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_inbox_idx"),
            # The outbox: undelivered rows, read by every sweep.
            models.Index(
                fields=["id"],
                condition=Q(delivered_at__isnull=True),
                name="notification_outbox_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} -> {self.recipient_id}"


class NotificationPreference(models.Model):
    """Per-user language for e-mail (Danish unless the user chose English)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="da"
    )
    email = models.BooleanField(_("send e-mail"), default=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"
