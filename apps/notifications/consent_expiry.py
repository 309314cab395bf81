"""Reminder rules for consent that runs out (DOMAIN: "when it lapses, sharing stops. Those
who rely on it must hear before").

- ``consent_expiring``: a consent (not withdrawn) runs out within one of
  ``KIP_CONSENT_EXPIRING_DAYS`` (30 and 7) days: the coordinator of the citizen's open plan is
  told, once per threshold. The notice's due date is the day the threshold was reached
  (expiry minus the days), so 30 and 7 are two notices; a sweep sends only the tightest one
  that holds, so a consent first seen five days before its expiry gets the 7-day notice only.
  The expiry itself is in the notice's context.
- ``consent_expired``: a consent has run out. The sweep records it once (a conditional UPDATE
  claims it, an audit event in the same transaction) and tells the coordinator. Access has
  already ended by itself (``Consent.in_force``).

Nobody is told when another consent covers the same organisations beyond the expiry (the
citizen renewed it). Both read ``consent_expiry_idx`` by a bounded range of ``expires_at``;
a consent that ran out more than ``KIP_REMINDER_LOOKBACK_DAYS`` ago is no longer recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import OuterRef
from django.utils import timezone

from apps.access.derived import consent_covers_organisation
from apps.access.system import Action, record_system, system_event
from apps.citizens.expiry import ConsentTerm, consent_terms, left_uncovered
from apps.citizens.models import Consent
from apps.notifications.models import Notification
from apps.notifications.rows import due_row
from apps.organisations.models import Organisation
from apps.plans.models import Plan

K = Notification.Kind


@dataclass(frozen=True)
class OpenPlan:
    pk: int
    coordinator_id: int
    covered: bool  # consent in force covers the coordinator's organisation


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _open_plans(citizen_ids: set[int], now: dt.datetime) -> dict[int, OpenPlan]:
    """Each citizen's open plan (draft or active) with a coordinator, by citizen."""
    rows = (
        Plan.objects.filter(
            citizen_id__in=citizen_ids,
            status__in=[Plan.Status.DRAFT, Plan.Status.ACTIVE],
            coordinator_user__isnull=False,
        )
        .annotate(
            covered=consent_covers_organisation(
                OuterRef("citizen_id"), OuterRef("coordinator_organisation_id"), at=now
            )
        )
        .values_list("citizen_id", "pk", "coordinator_user_id", "covered")
    )
    return {c: OpenPlan(pk, user, covered) for c, pk, user, covered in rows}


def _names(organisation_ids: set[int]) -> dict[int, str]:
    if not organisation_ids:
        return {}
    return dict(Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", "name"))


def _term(terms: dict[int, list[ConsentTerm]], citizen_id: int, pk: int) -> ConsentTerm | None:
    return next((t for t in terms.get(citizen_id, []) if t.pk == pk), None)


def consent_expiring_rows(today: dt.date, now: dt.datetime) -> list[Notification]:
    """The coordinator hears 30 and 7 days (the settings) before a consent runs out."""
    thresholds = sorted(set(settings.KIP_CONSENT_EXPIRING_DAYS))
    if not thresholds:
        return []
    horizon = _midnight(today + dt.timedelta(days=thresholds[-1] + 1))
    consents: list[tuple[int, int, dt.datetime]] = list(
        Consent.objects.filter(  # type: ignore[arg-type]
            withdrawn_at__isnull=True,
            expires_at__isnull=False,
            expires_at__gt=now,
            expires_at__lt=horizon,
            given_at__lte=now,
        ).values_list("pk", "citizen_id", "expires_at")
    )
    if not consents:
        return []
    citizens = {c for _, c, _ in consents}
    plans = {c: p for c, p in _open_plans(citizens, now).items() if p.covered}
    terms = consent_terms(c for c in citizens if c in plans)
    due: list[tuple[int, OpenPlan, dt.date, int, frozenset[int]]] = []
    for pk, citizen_id, expires_at in consents:
        plan, term = plans.get(citizen_id), _term(terms, citizen_id, pk)
        if plan is None or term is None:
            continue
        lost = left_uncovered(term, terms[citizen_id], now=now)
        if not lost:
            continue
        expires_on = timezone.localdate(expires_at)
        days = min(n for n in thresholds if (expires_on - today).days <= n)
        due.append((pk, plan, expires_on, days, lost))
    names = _names({o for *_, lost in due for o in lost})
    return [
        due_row(
            K.CONSENT_EXPIRING,
            plan.coordinator_id,
            plan_id=plan.pk,
            due=expires_on - dt.timedelta(days=days),
            subject=f"c{pk}",
            context={
                "days": days,
                "expires_on": expires_on.isoformat(),
                "organisations": sorted(names.get(o, "") for o in lost),
            },
        )
        for pk, plan, expires_on, days, lost in due
    ]


def consent_expired_rows(today: dt.date, now: dt.datetime) -> list[Notification]:
    """Record each consent that has run out, once, and tell the coordinator.

    The coordinator is told even when their own organisation is the one that lost its cover:
    then the notice names no plan it could open (``plan`` stays empty; the context keeps the
    plan's number only, which the e-mail names anyway), so the inbox lists it without showing
    anything of the plan.
    """
    since = now - dt.timedelta(days=settings.KIP_REMINDER_LOOKBACK_DAYS)
    ran_out: list[tuple[int, int, dt.datetime]] = list(
        Consent.objects.filter(  # type: ignore[arg-type]
            withdrawn_at__isnull=True,
            expires_at__isnull=False,
            expires_at__lte=now,
            expires_at__gt=since,
            expiry_recorded_at__isnull=True,
        ).values_list("pk", "citizen_id", "expires_at")
    )
    claimed = [
        (pk, citizen_id, expires_at)
        for pk, citizen_id, expires_at in ran_out
        # Another sweep got there first when no row changes: it records and tells.
        if Consent.objects.filter(pk=pk, expiry_recorded_at__isnull=True).update(
            expiry_recorded_at=now
        )
        == 1
    ]
    if not claimed:
        return []
    citizens = {c for _, c, _ in claimed}
    terms = consent_terms(citizens)
    record_system(
        [
            system_event(
                Action.CONSENT,
                "consent",
                pk,
                citizen_id=citizen_id,
                what="expired",
                expires_at=expires_at.isoformat(),
            )
            for pk, citizen_id, expires_at in claimed
        ]
    )
    plans = _open_plans(citizens, now)
    told: list[tuple[int, OpenPlan, dt.date, frozenset[int]]] = []
    for pk, citizen_id, expires_at in claimed:
        plan, term = plans.get(citizen_id), _term(terms, citizen_id, pk)
        if plan is None or term is None:
            continue
        lost = left_uncovered(term, terms[citizen_id], now=now)
        if lost:
            told.append((pk, plan, timezone.localdate(expires_at), lost))
    names = _names({o for *_, lost in told for o in lost})
    rows = []
    for pk, plan, expires_on, lost in told:
        context: dict = {"expires_on": expires_on.isoformat()}
        if plan.covered:
            context["organisations"] = sorted(names.get(o, "") for o in lost)
        else:
            context["plan"] = plan.pk
        rows.append(
            due_row(
                K.CONSENT_EXPIRED,
                plan.coordinator_id,
                plan_id=plan.pk if plan.covered else None,
                due=expires_on,
                subject=f"c{pk}",
                context=context,
            )
        )
    return rows
