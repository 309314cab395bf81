from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    class Kind(models.TextChoices):
        ADDICTION_CENTRE = "addiction_centre", _("addiction centre")
        SOCIAL_PSYCHIATRY = "social_psychiatry", _("disability and psychiatry centre")
        SHELTER = "shelter", _("shelter")
        REGIONAL_PSYCHIATRY = "regional_psychiatry", _("regional psychiatry")
        # The other actors around the citizen: they take part within consent like the four.
        JOBCENTRE = "jobcentre", _("jobcentre")
        GENERAL_PRACTICE = "general_practice", _("general practice")
        HEALTH_CARE = "health_care", _("municipal health and care")
        HOUSING = "housing", _("housing")
        VOLUNTEER = "volunteer", _("volunteer organisation")

    class Sector(models.TextChoices):
        MUNICIPALITY = "municipality", _("municipality")
        REGION = "region", _("region")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    # Kind and sector are independent: addiction treatment may be regional (sundhedsloven ch. 17 b).
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    sector = models.CharField(_("sector"), max_length=16, choices=Sector.choices)
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="organisation")
    # A deactivated organisation takes no new plans or participations; its history stays.
    active = models.BooleanField(_("active"), default=True)
    deactivated_at = models.DateTimeField(_("deactivated"), null=True, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        CASEWORKER = "caseworker", _("caseworker")
        MANAGER = "manager", _("manager")
        # Manages the organisation's people; by that role alone never reads citizen data.
        ADMIN = "admin", _("local administrator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_unique_user_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"


class RoleHistory(models.Model):
    """Who held which role in which organisation, and when: one row per period.

    Memberships are the present (and what access checks read); this is the past, kept when a
    membership ends or changes role, so a manager can show who had access on a given date.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=16, choices=Membership.Role.choices)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("role period")
        verbose_name_plural = _("role periods")
        constraints = [
            # One open period per person and organisation, mirroring the unique membership.
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=models.Q(ended_at__isnull=True),
                name="rolehistory_one_open_period",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("started_at")),
                name="rolehistory_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "started_at"], name="rolehistory_org_idx")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role} from {self.started_at:%Y-%m-%d})"
