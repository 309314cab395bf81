"""Consent that lapses for one organisation at a time: withdrawn, or run out (expired).

``build_world`` gives addiction and chp one shared consent. Here each of addiction, chp and
toften gets a consent of its own and the shared one is withdrawn, so coverage is unchanged
but one organisation's consent can lapse while the others' hold.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from apps.citizens.models import Consent
from apps.citizens.services import consent_give, consent_withdraw
from tests.conftest import World

HOW = ("withdrawn", "expired")
SLUGS = ("addiction", "chp", "toften")


@dataclass
class Lapse:
    """Made by ``consents_apart``; call it to make the one organisation's consent lapse."""

    world: World
    how: str
    slug: str
    consents: dict[str, Consent]
    expires_at: datetime.datetime
    travellers: list[Any]

    def __call__(self) -> None:
        """Withdrawn now, or the clock passes its expiry (every later request in the test
        runs after it)."""
        if self.how == "withdrawn":
            actor = self.world.actor(self.world.coordinator)
            consent_withdraw(
                actor=actor,
                citizen_id=self.world.citizen.pk,
                consent_id=self.consents[self.slug].pk,
            )
        else:
            traveller = time_machine.travel(self.expires_at + datetime.timedelta(hours=1))
            traveller.start()
            self.travellers.append(traveller)


def consents_apart(world: World, how: str, slug: str, travellers: list[Any]) -> Lapse:
    """Each of addiction, chp and toften covered by its own consent; ``slug``'s expires in a
    day when ``how`` is "expired" (the others never do)."""
    actor = world.actor(world.coordinator)
    now = timezone.now()
    expires_at = now + datetime.timedelta(days=1)
    shared = Consent.objects.filter(citizen=world.citizen, withdrawn_at__isnull=True).get()
    consents = {
        org: consent_give(
            actor=actor,
            citizen_id=world.citizen.pk,
            organisation_ids=[world.orgs[org].pk],
            form="written",
            given_at=now - datetime.timedelta(hours=1),
            expires_at=expires_at if how == "expired" and org == slug else None,
        )
        for org in SLUGS
    }
    consent_withdraw(actor=actor, citizen_id=world.citizen.pk, consent_id=shared.pk)
    return Lapse(world, how, slug, consents, expires_at, travellers)


@pytest.fixture(params=HOW)
def lapsing(request: pytest.FixtureRequest, world: World) -> Iterator[Callable[[str], Lapse]]:
    """``lapsing(slug)`` sets the consents apart and returns the lapse of ``slug``'s; each
    test runs once with withdrawn consent and once with expired consent."""
    travellers: list[Any] = []
    yield lambda slug: consents_apart(world, request.param, slug, travellers)
    while travellers:
        travellers.pop().stop()
