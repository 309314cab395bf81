from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessEvent(models.Model):
    """One use of citizen data: who, for which organisation, what, on which object, why, outcome.

    Append-only. Rows are written by ``apps.access`` only (and by retention, which records
    its own prune), never updated; deleted only by retention behind a checkpoint. The hash
    chain lives in ``AuditSeal`` beside the rows (see ``apps/audit/chain.py``).
    """

    class Action(models.TextChoices):
        VIEW = "view", _("view")
        LIST = "list", _("list")
        SEARCH = "search", _("search")
        CREATE = "create", _("create")
        UPDATE = "update", _("update")
        DELETE = "delete", _("delete")
        EXPORT = "export", _("export")
        HANDOVER = "handover", _("handover")
        CONSENT = "consent", _("consent")
        BREAK_GLASS = "break_glass", _("break the glass")
        CHOOSE = "choose", _("choose organisation")
        # Authentication: logins (allowed or denied), lockouts, logouts; no citizen data.
        LOGIN = "login", _("login")
        LOGOUT = "logout", _("logout")
        LOCKOUT = "lockout", _("lockout")
        ADMIN = "admin", _("administration")

    class Outcome(models.TextChoices):
        ALLOWED = "allowed", _("allowed")
        DENIED = "denied", _("denied")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=32)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    # No foreign key: the trail must outlive and never block the data it describes.
    citizen_id = models.BigIntegerField(_("citizen"), null=True, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    detail = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        indexes = [
            models.Index(fields=["actor", "at"], name="accessevent_actor_at_idx"),
            models.Index(fields=["organisation", "at"], name="accessevent_org_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.object_type}"


class AuditSeal(models.Model):
    """One link of the hash chain: the event it seals, its predecessor's hash, and its own.

    The chain lives beside the events, not in them, so no event row is ever updated: sealing
    only inserts. Chain order is ``seq`` (the order of sealing), which is the id order of the
    events except for a transaction that committed after later ids were already sealed; that
    event is appended at the end of the chain when it appears, so nothing is skipped.
    Insert-only like the events (PostgreSQL trigger); rows go only with retention, behind a
    checkpoint.
    """

    seq = models.BigAutoField(primary_key=True)
    # No foreign key: the seal must keep saying which event it vouched for even if the row
    # is deleted by someone bypassing the trigger; verify_audit then reports the hole.
    event_id = models.BigIntegerField(unique=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("audit seal")
        verbose_name_plural = _("audit seals")

    def __str__(self) -> str:
        return f"{self.seq}: {self.event_id} {self.hash[:12]}"


class AuditCheckpoint(models.Model):
    """Where retention cut the chain: the last seal removed and its hash, to verify from.

    Insert-only. The PostgreSQL trigger lets events and seals be deleted only when a
    checkpoint covers them (``seal.seq <= up_to_seq``).
    """

    up_to_seq = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    cutoff = models.DateTimeField()
    events_removed = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self) -> str:
        return f"checkpoint {self.up_to_seq} {self.hash[:12]}"


class BreakGlassQuerySet(models.QuerySet["BreakGlass"]):
    def active(self) -> BreakGlassQuerySet:
        # The application's clock, like the expiry it was computed from.
        return self.filter(expires_at__gt=timezone.now())


class BreakGlass(models.Model):
    """Emergency read access to a plan the actor's organisation does not take part in.

    Read only, for ``KIP_BREAK_GLASS_HOURS``, with a stated reason; every read under it is an
    audit event with action ``break_glass`` and the reason as purpose, and each grant waits in
    the actor's manager's review queue until reviewed.
    """

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="+")
    citizen_id = models.BigIntegerField(_("citizen"))
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    objects = BreakGlassQuerySet.as_manager()

    class Meta:
        verbose_name = _("break-the-glass grant")
        verbose_name_plural = _("break-the-glass grants")
        indexes = [
            models.Index(fields=["actor", "plan", "expires_at"], name="breakglass_actor_plan_idx"),
            models.Index(
                fields=["organisation", "created_at"],
                name="breakglass_unreviewed_idx",
                condition=models.Q(reviewed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"break-glass {self.actor_id} plan {self.plan_id} until {self.expires_at:%Y-%m-%d}"
