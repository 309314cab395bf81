"""What the safety net's notices say, in Danish and English: in the inbox (with the citizen
beside it while the plan is within reach) and by e-mail (the plan's number, never the
citizen). A notice about consent that ran out for the recipient's own organisation is listed
without anything of the plan."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.utils import translation

from apps.notifications.delivery import notification_deliver
from apps.notifications.email import _subject_and_body
from apps.notifications.models import Notification, NotificationPreference
from apps.notifications.services import notification_create
from apps.notifications.web.texts import notification_sentence
from tests.conftest import World
from tests.coordination.web.helpers import page_client

K = Notification.Kind
DUE = dt.date(2026, 12, 28)

# kind, context, Danish sentence, English sentence
SENTENCES = [
    (
        K.FAST_START_DUE,
        {},
        "Hurtig start: første indsats skal være i gang senest 28. december 2026.",
        "Fast start: the first effort must have started by Dec. 28, 2026.",
    ),
    (
        K.FAST_START_ESCALATION,
        {},
        "En plan i jeres organisation nåede ikke hurtig start: første indsats skulle være i "
        "gang senest 28. december 2026.",
        "A plan in your organisation missed its fast start: the first effort was to start by "
        "Dec. 28, 2026.",
    ),
    (
        K.CONSENT_EXPIRING,
        {"days": 30, "expires_on": "2027-01-27", "organisations": ["Jobcenter Slagelse"]},
        "Samtykket til Jobcenter Slagelse udløber 27. januar 2027.",
        "The consent to share with Jobcenter Slagelse runs out on Jan. 27, 2027.",
    ),
    (
        K.CONSENT_EXPIRED,
        {"expires_on": "2026-12-03", "organisations": ["Jobcenter Slagelse", "Toften"]},
        "Samtykket til Jobcenter Slagelse, Toften udløb 3. december 2026.",
        "The consent to share with Jobcenter Slagelse, Toften ran out on Dec. 3, 2026.",
    ),
    (
        K.AGREEMENT_DUE,
        {"agreement": 1},
        "En aftale, du er ansvarlig for, skal være klaret 28. december 2026.",
        "An agreement you are responsible for is due on Dec. 28, 2026.",
    ),
    (
        K.PLAN_INACTIVE,
        {"since": "2026-09-29", "days": 90},
        "Planen er ikke ændret i 90 dage (siden 29. september 2026). Bruges den stadig?",
        "The plan has not changed for 90 days (since Sept. 29, 2026). Is it still in use?",
    ),
]


def _notice(world: World, kind: str, context: dict, plan: Any = "plan") -> Notification:
    notice = notification_create(
        kind=kind,
        recipient=world.coordinator,
        plan=world.plan if plan == "plan" else plan,
        due=DUE,
        context=context,
    )
    assert notice is not None
    return notice


@pytest.mark.parametrize(("kind", "context", "danish", "english"), SENTENCES)
def test_the_inbox_sentence(world: World, kind: str, context: dict, danish: str, english: str):
    notice = _notice(world, kind, context)
    with translation.override("da"):
        assert notification_sentence(notice) == danish
    with translation.override("en"):
        assert notification_sentence(notice) == english


@pytest.mark.parametrize(("kind", "context", "danish", "english"), SENTENCES)
def test_the_email_names_the_plan_not_the_citizen(
    world: World, kind: str, context: dict, danish: str, english: str
):
    notice = _notice(world, kind, context)
    for language in ("da", "en"):
        with translation.override(language):
            subject, body = _subject_and_body(notice)
        assert subject.startswith("[KIP] ")
        assert str(world.plan.pk) in body
        assert world.citizen.name not in subject + body
        assert "%(" not in subject + body
    with translation.override("da"):
        subject, _ = _subject_and_body(notice)
    assert subject != "[KIP] Ny besked"  # a text of its own, not the fallback


def test_a_notice_about_a_plan_no_longer_in_reach_is_listed_without_the_plan(world: World):
    """The coordinator's own organisation lost its cover: the notice names no plan, so the
    inbox lists it (no citizen, no link) and the e-mail is sent."""
    notice = _notice(world, K.CONSENT_EXPIRED, {"expires_on": "2026-12-03", "plan": 7}, None)
    with translation.override("da"):
        assert notification_sentence(notice) == (
            "Samtykket på plan 7 udløb 3. december 2026. Jeres organisation kan ikke åbne "
            "planen, før borgeren giver samtykke igen."
        )
    html = page_client(world.coordinator, language="da").get("/notifications/").content.decode()
    row = re.search(rf"<tr>(?:(?!</tr>).)*notification-{notice.pk}-status.*?</tr>", html, re.S)
    assert row, html
    assert "Samtykket på plan 7 udløb 3. december 2026." in row.group(0)
    assert "href=" not in row.group(0).split("notification-")[0]  # no link to open
    assert world.citizen.name not in html
    NotificationPreference.objects.create(user=world.coordinator, language="en")
    assert notification_deliver(notification_id=notice.pk) is True
    assert len(mail.outbox) == 1
    assert "ran out on Dec. 3, 2026" in mail.outbox[0].body


def test_a_notice_about_a_plan_in_reach_names_the_citizen_and_links_the_plan(world: World):
    _notice(world, K.CONSENT_EXPIRING, {"days": 7, "expires_on": "2026-12-30"})
    html = page_client(world.coordinator, language="da").get("/notifications/").content.decode()
    assert f'href="/plans/{world.plan.pk}/"' in html
    assert world.citizen.name in html
    assert "udløber 30. december 2026" in html
