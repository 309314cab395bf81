"""The plan page's "Hurtig start" box and its consent warnings, as each persona sees them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override

from apps.citizens.models import Consent
from apps.citizens.services import consent_give, consent_withdraw
from apps.notifications.workdays import working_days_add, working_days_sub
from apps.plans.models import Plan
from tests.helpers import RichWorld


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="da")
    client.force_login(user)
    return client


def _page(rich: RichWorld, user: Any = None) -> str:
    response = _client(user or rich.participant).get(f"/plans/{rich.plan.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _da(day: dt.date) -> str:
    with override("da"):
        return date_format(day, "DATE_FORMAT")


def _set(rich: RichWorld, **fields: Any) -> None:
    Plan.objects.filter(pk=rich.plan.pk).update(**fields)


def test_a_caseworker_is_offered_to_record_the_citizen_motivated(rich: RichWorld) -> None:
    html = _page(rich)
    assert "Hurtig start" in html
    assert "Borgeren er motiveret nu" in html
    today = timezone.localdate().isoformat()
    assert f'name="motivated_on" value="{today}"' in html
    assert "inden for 5 arbejdsdage" in html


def test_a_manager_sees_the_box_without_the_form(rich: RichWorld) -> None:
    html = _page(rich, rich.manager)
    assert "Hurtig start" in html
    assert "Ikke registreret." in html
    assert "Borgeren er motiveret nu" not in html


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_recording_it_shows_the_deadline(rich: RichWorld, htmx: bool) -> None:
    rich.plan.refresh_from_db()
    today = timezone.localdate()
    headers: dict[str, Any] = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = _client(rich.participant).post(
        f"/plans/{rich.plan.pk}/fast-start/",
        {"version": rich.plan.version, "motivated_on": today.isoformat()},
        **headers,
    )
    assert response.status_code == (200 if htmx else 302)
    html = response.content.decode() if htmx else _page(rich)
    due = working_days_add(today, 5)
    assert f"Første indsats skal være i gang senest {_da(due)}." in html
    assert Plan.objects.get(pk=rich.plan.pk).first_effort_due == due


def test_a_day_ahead_is_refused_on_the_form(rich: RichWorld) -> None:
    rich.plan.refresh_from_db()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = _client(rich.participant).post(
        f"/plans/{rich.plan.pk}/fast-start/",
        {"version": rich.plan.version, "motivated_on": tomorrow.isoformat()},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Datoen kan ikke ligge i fremtiden." in html
    assert 'aria-invalid="true"' in html
    assert Plan.objects.get(pk=rich.plan.pk).motivated_on is None


def test_the_deadline_near_passed_and_met(rich: RichWorld) -> None:
    today = timezone.localdate()
    # Near: the reminder day has come.
    due = working_days_add(today, 1)
    _set(rich, motivated_on=working_days_sub(due, 5), first_effort_due=due)
    html = _page(rich)
    assert "Fristen nærmer sig" in html
    assert f"Første indsats skal være i gang senest {_da(due)}." in html
    # Passed, and no effort started.
    due = today - dt.timedelta(days=1)
    _set(rich, motivated_on=due - dt.timedelta(days=7), first_effort_due=due)
    html = _page(rich)
    assert "Fristen er overskredet" in html
    assert "alert-warning" in html
    # Met: three days after.
    motivated = today - dt.timedelta(days=5)
    _set(
        rich,
        motivated_on=motivated,
        first_effort_due=today,
        first_effort_on=motivated + dt.timedelta(days=3),
    )
    html = _page(rich)
    assert "Første indsats startede efter 3 dage" in html
    assert "alert-success" in html
    assert "Fristen" not in html.split("Hurtig start", 1)[1].split("</section>", 1)[0]


def test_a_consent_that_ran_out_is_shown_beside_the_participants(rich: RichWorld) -> None:
    """chp's own consent ran out: the plan says so; the coordinator's organisation, covered
    by its own, still sees the plan."""
    actor = rich.actor(rich.coordinator)
    expires = timezone.now() + dt.timedelta(days=10)
    own = consent_give(
        actor=actor,
        citizen_id=rich.citizen.pk,
        organisation_ids=[rich.orgs["addiction"].pk],
        form="written",
        given_at=timezone.now() - dt.timedelta(hours=2),
    )
    chp = consent_give(
        actor=actor,
        citizen_id=rich.citizen.pk,
        organisation_ids=[rich.orgs["chp"].pk],
        form="written",
        given_at=timezone.now() - dt.timedelta(hours=2),
        expires_at=expires,
    )
    consent_withdraw(actor=actor, citizen_id=rich.citizen.pk, consent_id=rich.shared_consent.pk)
    assert own.pk
    html = _page(rich, rich.coordinator)
    day = _da(timezone.localdate(expires))
    assert f"Samtykket til Center for Handicap og Psykiatri udløber {day}." in html
    # It ran out ten days ago.
    ran_out = timezone.now() - dt.timedelta(days=10)
    Consent.objects.filter(pk=chp.pk).update(
        given_at=ran_out - dt.timedelta(days=30), expires_at=ran_out
    )
    html = _page(rich, rich.coordinator)
    day = _da(timezone.localdate(ran_out))
    assert f"Samtykket til Center for Handicap og Psykiatri udløb {day}." in html
    assert "De kan ikke se planen, før borgeren giver samtykke igen." in html
