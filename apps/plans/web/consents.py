"""What the plan page says about consent that runs out, beside the participants.

A consent that ran out and left organisations on the plan without cover ("Samtykket til
Jobcentret udløb 3. december 2026"), and one that runs out within the longest of
``KIP_CONSENT_EXPIRING_DAYS`` and will leave some without cover. Read in one query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from apps.citizens.expiry import consent_terms, left_uncovered
from apps.organisations.models import Organisation


@dataclass(frozen=True)
class ConsentNotice:
    organisations: list[str]  # the organisations on the plan the consent covered
    expires_at: dt.datetime
    expired: bool

    @property
    def names(self) -> str:
        return ", ".join(self.organisations)


def consent_notices(
    *, citizen_id: int, participants: dict[int, Organisation], now: dt.datetime | None = None
) -> list[ConsentNotice]:
    """Consents of the citizen that ran out, or soon will, leaving organisations on the plan
    (``participants``, by id) without cover; the most recent first."""
    now = now or timezone.now()
    soon = now + dt.timedelta(days=max(settings.KIP_CONSENT_EXPIRING_DAYS, default=0))
    terms = consent_terms([citizen_id]).get(citizen_id, [])
    notices = []
    for term in terms:
        if term.expires_at is None or term.expires_at > soon:
            continue
        lost = left_uncovered(term, terms, now=now) & participants.keys()
        if lost:
            notices.append(
                ConsentNotice(
                    organisations=sorted(participants[o].name for o in lost),
                    expires_at=term.expires_at,
                    expired=term.expires_at <= now,
                )
            )
    return sorted(notices, key=lambda n: n.expires_at, reverse=True)
