"""The managers' effect page: the figures of the hand-made plans in words, "<5" as "færre end
5", the period form, the CSV download, who may see it, and how each reading is recorded."""

from __future__ import annotations

import csv
import datetime as dt
import re

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.audit.models import AccessEvent
from apps.coordination.models import Review
from apps.coordination.web.effect import DASH
from apps.organisations.models import Membership
from apps.plans.models import Plan
from tests.audit.helpers import events_since, last_id
from tests.conftest import make_user
from tests.coordination.test_effect import _fast_start, _hand_made

PAGE = "/effect/"


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="da")
    client.force_login(user)
    return client


def _text(response) -> str:
    """The page's words, tags left out and spaces made single."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_a_manager_sees_the_figures_of_their_organisation_in_words(world):
    _hand_made(world)
    response = _client(world.manager).get(PAGE)
    assert response.status_code == 200
    text = _text(response)
    assert "Effekt" in text
    assert "Rusmiddelcentret" in text
    # The default period: the twelve months up to today.
    today = timezone.localdate()
    start = today - relativedelta(years=1) + dt.timedelta(days=1)
    assert f'value="{start.isoformat()}"' in response.content.decode()
    assert f'value="{today.isoformat()}"' in response.content.decode()
    # The known answers (see tests/coordination/test_effect.py), in Danish.
    assert "Opfølgninger holdt til tiden 60 %" in text
    assert "Dage fra planen til første indsats 3 dage" in text
    assert "Borgerens egen vurdering af målene, ændring +2,2 point" in text
    assert "Borgere, der følte sig hørt 60 %" in text
    assert "Opfølgninger, hvor borgeren vurderede mødet: 5" in text
    # Counts under five: words, never "<5".
    assert "&lt;5" not in response.content.decode()
    page = response.content.decode()
    assert page.count('role="img"') == 2
    for key in ("status", "goals"):
        assert f'aria-labelledby="{key}-title {key}-desc"' in page
    assert "Planer efter status" in text
    assert "Afsluttede mål efter resultat" in text
    assert re.search(r"<th scope=\"row\">Aktiv</th><td>6</td>", page)
    assert re.search(r"<th scope=\"row\">Kladde</th><td>færre end 5</td>", page)
    assert re.search(r"<th scope=\"row\">Nået</th><td>færre end 5</td>", page)
    # No inline script or style (the Content-Security-Policy would refuse them).
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "<style" not in page
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r'(x|y|width)="\d+,\d', page)


def test_small_groups_are_shown_as_fewer_than_five_and_missing_figures_as_a_dash(world):
    manager = make_user("toften.manager", world.orgs["toften"], Membership.Role.MANAGER)
    response = _client(manager).get(PAGE)
    assert response.status_code == 200
    text = _text(response)
    assert "Toften" in text
    assert f"Opfølgninger holdt til tiden {DASH} Ingen data i perioden." in text
    assert f"Borgere, der følte sig hørt {DASH} Ingen data i perioden." in text
    assert "Aktiv: færre end 5" in text  # the chart's description


def test_a_share_from_fewer_than_five_is_hidden(world):
    plans = _hand_made(world)
    Review.objects.filter(plan=plans[0]).delete()
    text = _text(_client(world.manager).get(PAGE))
    assert "Borgere, der følte sig hørt færre end 5 Regnet ud fra færre end 5" in text


def test_the_period_chosen_limits_the_figures(world):
    _hand_made(world)
    day = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    response = _client(world.manager).get(PAGE, {"from": "2020-01-01", "to": day})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="2020-01-01"' in page
    assert f'value="{day}"' in page
    assert f"Borgere, der følte sig hørt {DASH} Ingen data i perioden." in _text(response)
    assert f"from=2020-01-01&amp;to={day}&amp;format=csv" in page


def test_a_caseworker_is_refused_in_danish_and_has_no_link(world):
    mark = last_id()
    client = _client(world.coordinator)
    response = client.get(PAGE)
    assert response.status_code == 403
    assert "Ingen adgang" in _text(response)
    assert client.get(PAGE, {"format": "csv"}).status_code == 403
    assert client.get(PAGE, {"to": "nonsense"}).status_code == 403  # the form tells nothing
    events = events_since(mark)
    assert {(e.object_type, e.outcome) for e in events} == {("effect_report", "denied")}
    assert 'href="/effect/"' not in client.get("/").content.decode()
    assert 'href="/effect/"' in _client(world.manager).get("/").content.decode()


def test_a_bad_period_is_shown_by_its_field(world):
    client = _client(world.manager)
    response = client.get(PAGE, {"from": "2026-06-01", "to": "2026-01-01"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Slutdatoen ligger før startdatoen." in page
    assert re.search(r'<input[^>]*name="to"[^>]*aria-invalid="true"', page)
    assert 'role="img"' not in page
    response = client.get(PAGE, {"from": "2026-13-01"})
    assert response.status_code == 400
    assert re.search(r'<input[^>]*name="from"[^>]*aria-invalid="true"', response.content.decode())
    assert client.get(PAGE, {"to": "9999-01-01", "format": "csv"}).status_code == 400
    assert not AccessEvent.objects.filter(object_type="effect_report").exists()


def test_the_csv_holds_the_period_shown_and_is_recorded_as_the_same_read(world):
    _hand_made(world)
    client = _client(world.manager)
    mark = last_id()
    response = client.get(PAGE, {"from": "2025-01-01", "to": "2026-12-31", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="effekt-2025-01-01-2026-12-31.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(response.content.decode().splitlines()))
    assert rows[0] == ["Kode", "Tal", "Værdi"]
    values = {code: value for code, _label, value in rows[1:]}
    assert values["organisation"] == "Rusmiddelcentret"
    assert (values["from"], values["to"]) == ("2025-01-01", "2026-12-31")
    assert values["plans_by_status.draft"] == "<5"
    assert values["goals.reached"] == "<5"
    assert set(values) >= {"reviews_on_time_share", "heard_share", "basis.meetings_rated"}
    labels = {code: label for code, label, _value in rows[1:]}
    assert labels["plans_by_status.active"] == "Planer: Aktiv"
    (event,) = events_since(mark)
    assert (event.action, event.object_type, event.outcome) == ("view", "effect_report", "allowed")
    assert event.citizen_id is None
    assert event.detail == {"from": "2025-01-01", "to": "2026-12-31"}


def test_a_formula_in_a_name_stays_text_in_the_csv(world):
    world.orgs["addiction"].name = "=HYPERLINK(1)"
    world.orgs["addiction"].save()
    response = _client(world.manager).get(PAGE, {"format": "csv"})
    rows = list(csv.reader(response.content.decode().splitlines()))
    assert rows[1] == ["organisation", "Organisation", "'=HYPERLINK(1)"]


def test_each_reading_is_one_aggregate_event(world):
    _hand_made(world)
    mark = last_id()
    _client(world.manager).get(PAGE, {"from": "2026-01-01", "to": "2026-12-01"})
    (event,) = events_since(mark)
    assert (event.action, event.object_type, event.outcome) == ("view", "effect_report", "allowed")
    assert event.actor == world.manager
    assert event.citizen_id is None
    assert event.detail == {"from": "2026-01-01", "to": "2026-12-01"}


def test_the_page_costs_the_same_queries_for_few_or_many_plans(world):
    client = _client(world.manager)
    client.get(PAGE)  # the session and such warmed up
    with CaptureQueriesContext(connection) as few:
        assert client.get(PAGE).status_code == 200
    _fast_start(_hand_made(world))
    with CaptureQueriesContext(connection) as many:
        assert client.get(PAGE).status_code == 200
    assert len(few) == len(many), [(q["sql"] or "(prepared)")[:100] for q in many.captured_queries]


def test_days_from_motivated_and_ready_to_the_first_effort_in_words_and_in_the_csv(world):
    plans = _hand_made(world)
    client = _client(world.manager)
    text = _text(client.get(PAGE))
    assert f"Dage fra motiveret og klar til første indsats {DASH} Ingen data i perioden." in text
    _fast_start(plans)
    text = _text(client.get(PAGE))
    assert "Dage fra motiveret og klar til første indsats 5 dage" in text
    assert "Planer med hurtig start og en påbegyndt indsats: 5" in text
    assert "Dage fra planen til første indsats 3 dage" in text  # the plan's start, as before
    response = client.get(PAGE, {"format": "csv"})
    rows = list(csv.reader(response.content.decode().splitlines()))
    values = {code: (label, value) for code, label, value in rows[1:]}
    assert values["median_days_motivated_to_first_effort"] == (
        "Dage fra motiveret og klar til første indsats",
        "5",
    )
    assert values["basis.plans_motivated_with_first_effort"] == (
        "Planer med hurtig start og en påbegyndt indsats",
        "5",
    )
    Plan.objects.filter(pk=plans[0].pk).update(first_effort_on=None)
    text = _text(client.get(PAGE))
    assert "Dage fra motiveret og klar til første indsats færre end 5 Regnet ud fra færre" in text
