"""The review form with the citizen's ratings: each open goal rated by the citizen and the
coordinator, whether the citizen agreed, and the citizen's feedback on the meeting. Saved as the
API saves them, refused with the field named, shown as readable Danish on the review page and
in what changed between two agreed versions."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from apps.audit.models import AccessEvent
from apps.coordination.models import GoalRating, PlanSnapshot, Review
from apps.plans.models import Goal, Plan
from apps.plans.parts import goal_save

from .helpers import events_of, events_then_undo, field_error, page_client

TODAY = timezone.localdate
DASH = "\N{EN DASH}"


def _plan(world) -> Plan:
    return Plan.objects.get(pk=world.plan.pk)


def _goals(world) -> tuple[Goal, Goal]:
    """Two open goals on the plan (a closed third one is not rated)."""
    coordinator = world.actor(world.coordinator, "addiction")
    made = []
    for text, status in (
        ("Jeg vil have min egen lejlighed", "open"),
        ("Jeg vil sove om natten", "open"),
        ("Jeg vil ryge mindre", "reached"),
    ):
        plan = _plan(world)
        made.append(
            goal_save(
                actor=coordinator,
                plan_id=plan.pk,
                expected_version=plan.version,
                data={"text": text, "status": status},
            )
        )
    return made[0], made[1]


def _form(world, home: Goal, sleep: Goal, **changes) -> dict:
    today = TODAY()
    data = {
        "version": _plan(world).version,
        "held_on": today.isoformat(),
        "outcome": "continue",
        "next_review": (today + dt.timedelta(days=90)).isoformat(),
        "organisations": [world.orgs["addiction"].pk],
        "citizen_took_part": "on",
        "citizen_agreed": "on",
        "citizen_view": "Det går bedre.",
        f"goal_{home.pk}_citizen": "5",
        f"goal_{home.pk}_citizen_note": "Jeg har set på to lejligheder.",
        f"goal_{home.pk}_professional": "6",
        f"goal_{home.pk}_note": "Ansøgning sendt til boligkontoret.",
        # The second goal is left unrated.
        f"goal_{sleep.pk}_citizen": "",
        f"goal_{sleep.pk}_professional": "",
        "heard": "8",
        "what_matters": "7",
        "approach": "",
        "overall": "9",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _record(world, form: dict, user=None, language: str = "en"):
    client = page_client(user or world.coordinator, language=language)
    return client.post(f"/plans/{world.plan.pk}/reviews/new/", form)


def test_the_form_offers_a_fieldset_per_open_goal_and_the_meeting_feedback(world):
    home, sleep = _goals(world)
    html = (
        page_client(world.coordinator, language="da")
        .get(f"/plans/{world.plan.pk}/reviews/new/")
        .content.decode()
    )
    assert "<legend" in html
    assert "Målet “Jeg vil have min egen lejlighed”</legend>" in html
    assert "Målet “Jeg vil sove om natten”</legend>" in html
    assert "Jeg vil ryge mindre" not in html  # reached: not rated
    assert (
        f'<label class="form-label" for="id_goal_{home.pk}_citizen">Borgeren: Hvor er du nu?'
        in (html)
    )
    assert f'for="id_goal_{sleep.pk}_professional">Tovholderens vurdering (0-10)' in html
    assert "Borgeren er enig i planen" in html
    assert "Borgerens vurdering af mødet" in html
    for label in (
        "Jeg følte mig hørt og forstået",
        "Vi talte om det, der er vigtigt for mig",
        "Måden, vi arbejdede på, passede mig",
        "Alt i alt var mødet godt for mig",
    ):
        assert label in html
    assert re.search(rf'type="number" name="goal_{home.pk}_citizen"[^>]* min="0" max="10"', html)


def test_a_review_with_ratings_is_saved_and_shown(world):
    home, sleep = _goals(world)
    response = _record(world, _form(world, home, sleep))
    assert response.status_code == 302
    review = Review.objects.get()
    assert review.citizen_agreed is True
    assert (review.heard, review.what_matters, review.approach, review.overall) == (8, 7, None, 9)
    rating = GoalRating.objects.get()  # the unrated goal is left out
    assert (rating.goal_id, rating.citizen, rating.professional) == (home.pk, 5, 6)
    assert rating.citizen_note == "Jeg har set på to lejligheder."
    assert rating.note == "Ansøgning sendt til boligkontoret."
    assert review.snapshot.data["review"]["ratings"][0]["citizen"] == 5

    page = page_client(world.participant, language="da").get(
        f"/plans/{world.plan.pk}/reviews/{review.pk}/"
    )
    assert page.status_code == 200
    main = page.content.decode().split('id="main-content"')[1]
    assert "<dt>Borgeren er enig i planen</dt><dd>ja</dd>" in main
    assert "“Jeg vil have min egen lejlighed”" in main
    assert (
        f"<dt>Borgerens vurdering</dt><dd>5 af 10 {DASH} “Jeg har set på to lejligheder.”</dd>"
        in main
    )
    assert (
        f"<dt>Tovholderens vurdering</dt><dd>6 af 10 {DASH} Ansøgning sendt til boligkontoret.</dd>"
        in (main)
    )
    assert "<dt>Jeg følte mig hørt og forstået</dt><dd>8 af 10</dd>" in main
    assert "<dt>Alt i alt var mødet godt for mig</dt><dd>9 af 10</dd>" in main
    assert "Måden, vi arbejdede på" not in main  # not answered, not shown
    assert "{" not in main


def test_a_review_without_ratings_says_so(world):
    home, sleep = _goals(world)
    blank = {k: "" for k in _form(world, home, sleep) if k.startswith("goal_")}
    blank.update(heard="", what_matters="", overall="", citizen_agreed=None)
    response = _record(world, _form(world, home, sleep, **blank))
    assert response.status_code == 302
    review = Review.objects.get()
    assert not GoalRating.objects.exists()
    assert review.citizen_agreed is False
    main = (
        page_client(world.coordinator, language="da")
        .get(f"/plans/{world.plan.pk}/reviews/{review.pk}/")
        .content.decode()
    )
    assert "Intet mål blev vurderet på dette møde." in main
    assert "Borgeren vurderede ikke mødet." in main
    assert "<dt>Borgeren er enig i planen</dt><dd>nej</dd>" in main


@pytest.mark.parametrize("value", ["11", "-1", "x", "5.5"])
@pytest.mark.parametrize("which", ["citizen", "professional", "meeting"])
def test_a_rating_outside_0_to_10_is_refused_with_the_field_named(world, value, which):
    home, sleep = _goals(world)
    field = {
        "citizen": f"goal_{sleep.pk}_citizen",
        "professional": f"goal_{home.pk}_professional",
        "meeting": "approach",
    }[which]
    before = _plan(world)
    writes = AccessEvent.objects.exclude(action="view").count()
    response = _record(world, _form(world, home, sleep, **{field: value}), language="da")
    assert response.status_code == 400
    html = response.content.decode()
    assert field_error(html, field) == "En vurdering er et helt tal fra 0 til 10."
    assert f'name="{field}" value="{value}"' in html  # what was typed is kept
    assert 'value="Jeg har set på to lejligheder."' in html
    assert f'href="#id_{field}_error"' in html  # listed above the form, linked to the field
    assert not Review.objects.exists()
    assert not GoalRating.objects.exists()
    assert not PlanSnapshot.objects.exists()
    after = _plan(world)
    assert (after.version, after.next_review) == (before.version, before.next_review)
    assert AccessEvent.objects.exclude(action="view").count() == writes


@pytest.mark.parametrize(("persona", "slug"), [("participant", "chp"), ("colleague", "addiction")])
def test_a_caseworker_who_is_not_the_coordinator_cannot_record(world, persona, slug):
    home, sleep = _goals(world)
    user = getattr(world, persona)
    url = f"/plans/{world.plan.pk}/reviews/new/"
    assert page_client(user).get(url).status_code == 403
    response, page_events = events_of(lambda: _record(world, _form(world, home, sleep), user))
    assert response.status_code == 403
    assert not Review.objects.exists()
    assert not GoalRating.objects.exists()
    _, api_events = events_of(
        lambda: world.client(user, slug).post(
            f"/api/v1/plans/{world.plan.pk}/reviews/",
            {
                "held_on": TODAY().isoformat(),
                "outcome": "continue",
                "ratings": [{"goal": home.pk, "citizen": 5}],
            },
            format="json",
            HTTP_IF_MATCH=f'"{_plan(world).version}"',
        )
    )
    assert page_events == api_events
    assert [e[2:7] for e in page_events] == [
        ("update", "plan", str(world.plan.pk), world.citizen.pk, "denied")
    ]


def test_recording_with_ratings_is_audited_as_the_api_records_it(world):
    home, sleep = _goals(world)
    today = TODAY()
    body = {
        "held_on": today.isoformat(),
        "outcome": "continue",
        "next_review": (today + dt.timedelta(days=90)).isoformat(),
        "participants": ["Rusmiddelcentret"],
        "citizen_took_part": True,
        "citizen_agreed": True,
        "citizen_view": "Det går bedre.",
        "ratings": [
            {
                "goal": home.pk,
                "citizen": 5,
                "professional": 6,
                "citizen_note": "Jeg har set på to lejligheder.",
                "note": "Ansøgning sendt til boligkontoret.",
            }
        ],
        "meeting_rating": {"heard": 8, "what_matters": 7, "overall": 9},
    }
    api, api_events = events_then_undo(
        lambda: world.client(world.coordinator, "addiction").post(
            f"/api/v1/plans/{world.plan.pk}/reviews/",
            body,
            format="json",
            HTTP_IF_MATCH=f'"{_plan(world).version}"',
        ),
        {"review"},
    )
    assert api.status_code == 201, api.content
    assert not Review.objects.exists()
    page, page_events = events_of(lambda: _record(world, _form(world, home, sleep)), {"review"})
    assert page.status_code == 302
    assert page_events == api_events
    assert [e[2:4] for e in page_events] == [("update", "plan"), ("create", "review")]
    # Reading the recorded version is a view of the plan, as through the API.
    review = Review.objects.get().pk
    base = f"/plans/{world.plan.pk}/reviews/{review}/"
    page_read, page_events = events_of(lambda: page_client(world.participant).get(base))
    api_read, api_events = events_of(
        lambda: world.client(world.participant, "chp").get(f"/api/v1{base}snapshot/")
    )
    assert (page_read.status_code, api_read.status_code) == (200, 200)
    assert page_events == api_events
    assert [e[2:4] for e in page_events] == [("view", "plan")]


def test_what_changed_shows_the_ratings_moving(world):
    home, sleep = _goals(world)
    first = _form(world, home, sleep)
    first.update({f"goal_{home.pk}_citizen": "3", f"goal_{home.pk}_professional": "4"})
    first.update({f"goal_{home.pk}_citizen_note": "Jeg har ikke fundet noget endnu."})
    assert _record(world, first).status_code == 302
    second = _form(world, home, sleep, heard="9", **{f"goal_{sleep.pk}_citizen": "2"})
    assert _record(world, second).status_code == 302
    a, b = Review.objects.order_by("id").values_list("pk", flat=True)
    response = page_client(world.participant, language="da").get(
        f"/plans/{world.plan.pk}/reviews/{a}/diff/{b}/"
    )
    assert response.status_code == 200
    main = response.content.decode().split('id="main-content"')[1]
    ins = '<ins class="kip-ins"><span class="sr-only">Tilføjet: </span>'
    rem = '<del class="kip-del"><span class="sr-only">Fjernet: </span>'
    assert "<h2>Vurderinger</h2>" in main
    assert "<strong>Jeg vil have min egen lejlighed</strong>" in main
    assert f"Borgerens vurdering: {rem}3 af 10</del> → {ins}5 af 10</ins>" in main
    assert f"Tovholderens vurdering: {rem}4 af 10</del> → {ins}6 af 10</ins>" in main
    assert f"Med borgerens egne ord: Jeg har {rem}ikke fundet noget endnu.</del>" in main
    # A goal rated for the first time, and the meeting's feedback line that moved.
    assert "<strong>Jeg vil sove om natten</strong>" in main
    assert f"Borgerens vurdering: {ins}2 af 10</ins>" in main
    assert "<strong>Borgerens vurdering af mødet</strong>" in main
    assert f"Jeg følte mig hørt og forstået: {rem}8 af 10</del> → {ins}9 af 10</ins>" in main
    assert "Alt i alt var mødet godt for mig" not in main  # unchanged, not listed
    assert "{" not in main
