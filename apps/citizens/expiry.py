"""Consent that runs out: which organisations lose their cover when a consent expires.

A consent may carry an expiry (``Consent.expires_at``); access ends then by itself (the access
checks ask ``Consent.in_force`` each time). What matters to the people who rely on it is which
organisations are left without cover: none, when another consent in force covers them beyond
the expiry (the citizen renewed it), and then nobody needs telling.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from apps.citizens.models import Consent


@dataclass(frozen=True)
class ConsentTerm:
    """A consent not withdrawn: when it holds and whom it covers."""

    pk: int
    citizen_id: int
    given_at: dt.datetime
    expires_at: dt.datetime | None
    organisations: frozenset[int]


def consent_terms(citizen_ids: Iterable[int]) -> dict[int, list[ConsentTerm]]:
    """The consents of these citizens that were not withdrawn, by citizen (one query)."""
    rows: dict[int, dict] = {}
    for pk, citizen_id, given_at, expires_at, organisation_id in (
        Consent.objects.filter(citizen_id__in=set(citizen_ids), withdrawn_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "citizen_id", "given_at", "expires_at", "organisations")
    ):
        row = rows.setdefault(
            pk, {"citizen_id": citizen_id, "given_at": given_at, "expires_at": expires_at}
        )
        row.setdefault("organisations", set())
        if organisation_id is not None:
            row["organisations"].add(organisation_id)
    terms: dict[int, list[ConsentTerm]] = {}
    for pk, row in rows.items():
        terms.setdefault(row["citizen_id"], []).append(
            ConsentTerm(
                pk=pk,
                citizen_id=row["citizen_id"],
                given_at=row["given_at"],
                expires_at=row["expires_at"],
                organisations=frozenset(row["organisations"]),
            )
        )
    return terms


def left_uncovered(
    term: ConsentTerm, terms: Iterable[ConsentTerm], *, now: dt.datetime
) -> frozenset[int]:
    """The organisations of ``term`` that no other consent covers once ``term`` has run out
    (or, if it has, now): another consent given by ``now`` that runs out later, or never."""
    if term.expires_at is None:
        return frozenset()
    after = max(now, term.expires_at)
    others: set[int] = set()
    for other in terms:
        if other.pk == term.pk or other.given_at > now:
            continue
        if other.expires_at is None or other.expires_at > after:
            others |= other.organisations
    return term.organisations - others
