from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.citizens import cpr
from apps.organisations.models import Organisation


class Citizen(models.Model):
    name = models.CharField(_("name"), max_length=200)
    # The CPR is never stored in clear text: a keyed hash to find it, a ciphertext to show it.
    cpr_hash = models.CharField(max_length=64, unique=True, editable=False)
    cpr_encrypted = models.TextField(editable=False)
    birth_date = models.DateField(_("date of birth"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_for = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="registered_citizens"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")

    def __str__(self) -> str:
        return f"Citizen {self.pk}"

    @property
    def cpr_digits(self) -> str:
        return cpr.decrypt(self.cpr_encrypted)

    @property
    def cpr_masked(self) -> str:
        return f"{self.birth_date:%d%m%y}-xxxx"


class ConsentQuerySet(models.QuerySet["Consent"]):
    def in_force(self, at: datetime.datetime | None = None) -> ConsentQuerySet:
        at = at or timezone.now()
        return self.filter(
            Q(given_at__lte=at),
            Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=at),
            Q(expires_at__isnull=True) | Q(expires_at__gt=at),
        )


class Consent(models.Model):
    """The citizen's consent to share the plan with the organisations it names."""

    class Form(models.TextChoices):
        WRITTEN = "written", _("written")
        ORAL = "oral", _("oral")

    citizen = models.ForeignKey(Citizen, on_delete=models.PROTECT, related_name="consents")
    organisations = models.ManyToManyField(Organisation, related_name="consents")
    form = models.CharField(_("form"), max_length=16, choices=Form.choices)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_for = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # When the sweep recorded that the consent ran out (once: an audit event and a notice).
    expiry_recorded_at = models.DateTimeField(null=True, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [
            models.Index(fields=["citizen", "withdrawn_at"], name="consent_citizen_idx"),
            # The sweep reads consents that run out (soon, or already and not yet recorded).
            models.Index(
                fields=["expires_at"],
                condition=Q(withdrawn_at__isnull=True, expires_at__isnull=False),
                name="consent_expiry_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("given_at")),
                name="consent_expires_after_given",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_by__isnull=False),
                name="consent_withdrawal_has_actor",
            ),
        ]

    def __str__(self) -> str:
        return f"Consent {self.pk} ({self.citizen_id})"
