"""Review pages: who may do what (as the API), audit equal to the API's, bad input refused
with the field named and nothing changed, and the frozen versions and their diff readable."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from apps.audit.models import AccessEvent
from apps.coordination.models import PlanSnapshot, Review
from apps.plans.models import Plan
from apps.plans.parts import agreement_save, goal_save
from apps.plans.services import plan_update

from .helpers import events_of, events_then_undo, field_error, page_client

TODAY = timezone.localdate


def _plan(world) -> Plan:
    return Plan.objects.get(pk=world.plan.pk)


def _form(world, **changes) -> dict:
    today = TODAY()
    data = {
        "version": _plan(world).version,
        "held_on": today.isoformat(),
        "outcome": "continue",
        "next_review": (today + dt.timedelta(days=90)).isoformat(),
        "organisations": [world.orgs["addiction"].pk, world.orgs["chp"].pk],
        "citizen_took_part": "on",
        "people": "Hanne Hansen (mor)\n\n  Bostøtten  ",
        "citizen_view": "Det går bedre med at sove.",
        "notes": "Aftalt at fortsætte.",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _record(world, **changes):
    client = page_client(world.coordinator)
    return client.post(f"/plans/{world.plan.pk}/reviews/new/", _form(world, **changes))


def _api_record(world, body: dict):
    return world.client(world.coordinator, "addiction").post(
        f"/api/v1/plans/{world.plan.pk}/reviews/",
        body,
        format="json",
        HTTP_IF_MATCH=f'"{_plan(world).version}"',
    )


def test_the_coordinator_records_a_review_and_the_plan_is_frozen(world):
    before = _plan(world)
    response = _record(world)
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{world.plan.pk}/reviews/"
    review = Review.objects.get()
    assert review.participants == [
        "Center for Handicap og Psykiatri",
        "Rusmiddelcentret",
        "Hanne Hansen (mor)",
        "Bostøtten",
    ]
    assert review.citizen_took_part is True
    assert review.citizen_view == "Det går bedre med at sove."
    plan = _plan(world)
    assert plan.version == before.version + 1
    assert plan.next_review == TODAY() + dt.timedelta(days=90)
    assert review.snapshot.plan_version == plan.version
    listing = page_client(world.coordinator).get(response["Location"])
    assert f'data-title="Version">{plan.version}</td>' in listing.content.decode()


def test_recording_is_audited_as_the_api_records_it(world):
    today = TODAY()
    body = {
        "held_on": today.isoformat(),
        "outcome": "continue",
        "next_review": (today + dt.timedelta(days=90)).isoformat(),
        "participants": ["Center for Handicap og Psykiatri", "Rusmiddelcentret"],
        "citizen_took_part": True,
        "citizen_view": "Godt",
        "notes": "",
    }
    api, api_events = events_then_undo(lambda: _api_record(world, body), {"review"})
    assert api.status_code == 201
    assert not Review.objects.exists()
    page, page_events = events_of(
        lambda: _record(world, people="", citizen_view="Godt", notes=""), {"review"}
    )
    assert page.status_code == 302
    assert page_events == api_events
    assert [e[2:4] for e in page_events] == [("update", "plan"), ("create", "review")]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"held_on": "tomorrow"}, "held_on", "valid date"),
        ({"held_on": "+1"}, "held_on", "in the future"),
        ({"next_review": "+200"}, "next_review", "six months"),
        ({"next_review": "-1"}, "next_review", "past"),
        ({"next_review": ""}, "next_review", "next review"),
        ({"outcome": None}, "outcome", "required"),
        ({"outcome": "celebrate"}, "outcome", "valid choice"),
        ({"organisations": [999999]}, "organisations", "valid choice"),
        ({"citizen_view": "x" * 4001}, "citizen_view", "at most 4000"),
        ({"notes": "x" * 8001}, "notes", "at most 8000"),
    ],
)
def test_bad_input_is_refused_with_the_field_named_and_nothing_changed(
    world, changes, field, message
):
    today = TODAY()
    for key, value in list(changes.items()):
        if isinstance(value, str) and re.fullmatch(r"[+-]\d+", value):
            changes[key] = (today + dt.timedelta(days=int(value))).isoformat()
    before = _plan(world)
    events_before = AccessEvent.objects.exclude(action="view").count()
    response = _record(world, **changes)
    assert response.status_code == 400
    html = response.content.decode()
    assert message.lower() in field_error(html, field).lower()
    assert 'aria-invalid="true"' in html
    # What was typed is kept.
    if field != "citizen_view":
        assert "Det går bedre med at sove." in html
    assert not Review.objects.exists()
    assert not PlanSnapshot.objects.exists()
    after = _plan(world)
    assert (after.version, after.next_review) == (before.version, before.next_review)
    # Only the page's read of the plan was recorded; no write.
    assert AccessEvent.objects.exclude(action="view").count() == events_before


def test_errors_are_in_danish_for_a_danish_reader(world):
    client = page_client(world.coordinator, language="da")
    tomorrow = (TODAY() + dt.timedelta(days=1)).isoformat()
    response = client.post(f"/plans/{world.plan.pk}/reviews/new/", _form(world, held_on=tomorrow))
    assert response.status_code == 400
    assert "En opfølgning kan ikke have en dato i fremtiden." in response.content.decode()
    assert "Registrér et opfølgningsmøde" in response.content.decode()


def test_a_stale_form_does_not_freeze_a_plan_the_meeting_did_not_see(world):
    form = _form(world)
    plan = _plan(world)
    goal_save(
        actor=world.actor(world.participant, "chp"),
        plan_id=plan.pk,
        expected_version=plan.version,
        data={"text": "Et nyt mål"},
    )
    client = page_client(world.coordinator)
    response = client.post(f"/plans/{world.plan.pk}/reviews/new/", form)
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else" in html
    assert "Det går bedre med at sove." in html
    assert not Review.objects.exists()
    fresh = re.search(r'name="version" value="(\d+)"', html)
    assert fresh
    assert int(fresh.group(1)) == _plan(world).version
    # Saving again, having seen the new version, freezes it.
    form["version"] = fresh.group(1)
    assert client.post(f"/plans/{world.plan.pk}/reviews/new/", form).status_code == 302
    assert Review.objects.get().snapshot.data["goals"][-1]["text"] == "Et nyt mål"


@pytest.mark.parametrize(
    ("persona", "slug"),
    [("colleague", "addiction"), ("participant", "chp"), ("manager", "addiction")],
)
def test_only_the_coordinator_records_reviews(world, persona, slug):
    user = getattr(world, persona)
    client = page_client(user)
    url = f"/plans/{world.plan.pk}/reviews/new/"
    assert client.get(url).status_code == 403
    _, page_events = events_of(lambda: client.post(url, _form(world)))
    assert not Review.objects.exists()
    api_client = world.client(user, slug)
    _, api_events = events_of(
        lambda: api_client.post(
            f"/api/v1/plans/{world.plan.pk}/reviews/",
            {"held_on": TODAY().isoformat(), "outcome": "continue"},
            format="json",
            HTTP_IF_MATCH=f'"{_plan(world).version}"',
        )
    )
    assert page_events == api_events
    assert [e[2:7] for e in page_events] == [
        ("update", "plan", str(world.plan.pk), world.citizen.pk, "denied")
    ]
    # The list of agreed versions offers them no way to record one.
    listing = client.get(f"/plans/{world.plan.pk}/reviews/").content.decode()
    assert f'href="{url}"' not in listing
    assert (
        f'href="{url}"'
        in page_client(world.coordinator).get(f"/plans/{world.plan.pk}/reviews/").content.decode()
    )


@pytest.mark.parametrize("persona", ["outsider", "withdrawn"])
@pytest.mark.parametrize("path", ["", "new/", "{r}/", "{r}/diff/{r}/"])
def test_others_do_not_learn_the_plan_exists(world, persona, path):
    _record(world)
    review = Review.objects.get().pk
    url = f"/plans/{world.plan.pk}/reviews/" + path.format(r=review)
    mark = AccessEvent.objects.order_by("-id").first().pk
    response = page_client(getattr(world, persona)).get(url)
    assert response.status_code == 404
    assert world.citizen.name not in response.content.decode()
    denied = AccessEvent.objects.filter(pk__gt=mark).get()
    assert (denied.outcome, denied.object_type, denied.object_id) == (
        "denied",
        "plan",
        str(world.plan.pk),
    )


def test_lists_and_versions_are_audited_as_the_api(world):
    _record(world)
    review = Review.objects.get().pk
    page = page_client(world.participant)
    api = world.client(world.participant, "chp")
    base = f"/plans/{world.plan.pk}/reviews/"
    pairs = [
        (base, f"/api/v1{base}"),
        (f"{base}{review}/", f"/api/v1{base}{review}/snapshot/"),
        (f"{base}{review}/diff/{review}/", f"/api/v1{base}{review}/diff/{review}/"),
    ]
    for page_url, api_url in pairs:
        page_response, page_events = events_of(lambda u=page_url: page.get(u))
        api_response, api_events = events_of(lambda u=api_url: api.get(u))
        assert (page_response.status_code, api_response.status_code) == (200, 200)
        assert page_events == api_events, page_url
        assert [e[2:4] for e in page_events] == [("view", "plan")]


def _two_reviews(world) -> tuple[int, int]:
    coordinator = world.actor(world.coordinator, "addiction")
    plan = _plan(world)
    goal = goal_save(
        actor=coordinator,
        plan_id=plan.pk,
        expected_version=plan.version,
        data={"text": "Jeg vil have min egen lejlighed"},
    )
    plan = _plan(world)
    dropped = goal_save(
        actor=coordinator,
        plan_id=plan.pk,
        expected_version=plan.version,
        data={"text": "Jeg vil ryge mindre"},
    )
    plan = _plan(world)
    plan_update(
        actor=coordinator,
        plan_id=plan.pk,
        expected_version=plan.version,
        data={"assessment": {"housing": "Bor på forsorgshjem."}},
    )
    assert _record(world).status_code == 302
    plan = _plan(world)
    goal_save(
        actor=coordinator,
        plan_id=plan.pk,
        expected_version=plan.version,
        goal_id=goal.pk,
        data={"text": "Jeg vil have min egen bolig", "status": "reached"},
    )
    from apps.plans.models import Goal
    from apps.plans.parts import plan_part_delete

    plan = _plan(world)
    plan_part_delete(
        actor=coordinator,
        plan_id=plan.pk,
        expected_version=plan.version,
        model=Goal,
        part_id=dropped.pk,
    )
    plan = _plan(world)
    agreement_save(
        actor=coordinator,
        plan_id=plan.pk,
        expected_version=plan.version,
        data={"text": "Lise ringer til boligkontoret", "responsible": world.coordinator.pk},
    )
    plan = _plan(world)
    plan_update(
        actor=coordinator,
        plan_id=plan.pk,
        expected_version=plan.version,
        data={"assessment": {"housing": "Bor i egen lejlighed."}},
    )
    later = (TODAY() + dt.timedelta(days=120)).isoformat()
    assert _record(world, outcome="change", next_review=later).status_code == 302
    first, second = Review.objects.order_by("id").values_list("pk", flat=True)
    return first, second


def test_the_diff_is_readable_text_with_additions_and_removals_marked(world):
    first, second = _two_reviews(world)
    response = page_client(world.participant, language="da").get(
        f"/plans/{world.plan.pk}/reviews/{first}/diff/{second}/"
    )
    assert response.status_code == 200
    html = response.content.decode()
    main = html.split('id="main-content"')[1]
    ins = '<ins class="kip-ins"><span class="sr-only">Tilføjet: </span>'
    rem = '<del class="kip-del"><span class="sr-only">Fjernet: </span>'
    # The goal's text changed one word: the word is struck through and its new one added.
    assert f"Jeg vil have min egen {rem}lejlighed</del>{ins}bolig</ins>" in main
    assert f"Status: {rem}åbent</del> → {ins}nået</ins>" in main
    # A removed goal, an added agreement with its responsible person, by name.
    assert f"{rem}Jeg vil ryge mindre</del>" in main
    assert f"{ins}Lise ringer til boligkontoret</ins>" in main
    assert f"Ansvarlig: {ins}coordinator</ins>" in main
    # The assessment by life domain, word by word.
    assert f"Bor {rem}på forsorgshjem.</del>{ins}i egen lejlighed.</ins>" in main
    assert "Næste opfølgning" in main  # the plan's own fields, dates in words
    for heading in ("<h2>Mål</h2>", "<h2>Aftaler</h2>", "<h2>Vurdering</h2>", "<h2>Planen</h2>"):
        assert heading in main
    # Text, not data.
    assert "{" not in main
    assert '"before"' not in main


def test_a_frozen_version_shows_the_plan_as_it_was_agreed(world):
    first, second = _two_reviews(world)
    client = page_client(world.participant, language="da")
    old = client.get(f"/plans/{world.plan.pk}/reviews/{first}/").content.decode()
    assert "Jeg vil have min egen lejlighed" in old
    assert "Jeg vil have min egen bolig" not in old
    assert "Bor på forsorgshjem." in old
    assert "Borgeren, Center for Handicap og Psykiatri, Rusmiddelcentret" in old
    assert "Det går bedre med at sove." in old
    new = client.get(f"/plans/{world.plan.pk}/reviews/{second}/").content.decode()
    assert "Jeg vil have min egen bolig" in new
    assert "Lise ringer til boligkontoret" in new
    assert f"/reviews/{first}/diff/{second}/" in new  # what changed since the one before


def test_comparing_two_versions_from_the_list(world):
    first, second = _two_reviews(world)
    client = page_client(world.participant)
    base = f"/plans/{world.plan.pk}/reviews/"
    listing = client.get(base).content.decode()
    assert f'href="{base}{first}/diff/{second}/"' in listing
    chosen = client.get(base, {"a": first, "b": second})
    assert chosen.status_code == 302
    assert chosen["Location"] == f"{base}{first}/diff/{second}/"
    for bad in ({"a": first, "b": first}, {"a": "x", "b": second}, {"a": 99999, "b": second}):
        refused = client.get(base, bad)
        assert refused.status_code == 400
        assert "Choose two different agreed versions" in refused.content.decode()
    assert client.get(f"{base}{first}/diff/99999/").status_code == 404
    assert client.get(f"{base}99999/").status_code == 404


def test_a_closed_plan_takes_no_more_reviews(world):
    from apps.plans.services import plan_close

    plan = _plan(world)
    plan_close(
        actor=world.actor(world.coordinator, "addiction"),
        plan_id=plan.pk,
        expected_version=plan.version,
        reason="goals_reached",
    )
    client = page_client(world.coordinator)
    page = client.get(f"/plans/{world.plan.pk}/reviews/new/")
    assert page.status_code == 200
    assert "The plan is closed" in page.content.decode()
    assert 'name="held_on"' not in page.content.decode()
    response = client.post(f"/plans/{world.plan.pk}/reviews/new/", _form(world))
    assert response.status_code == 409
    assert not Review.objects.exists()


def test_a_meeting_that_closes_the_plan_needs_no_next_review(world):
    html = page_client(world.coordinator).get(f"/plans/{world.plan.pk}/reviews/new/").content
    label = re.search(
        r'<label class="form-label" for="id_next_review">(.*?)</label>', html.decode()
    )
    assert label
    assert "optional" not in label.group(1)  # shown as required: it is, unless closing
    response = _record(world, outcome="close", next_review="")
    assert response.status_code == 302
    assert Review.objects.get().next_review is None


def _discharge_reviews(world, *, old_first: bool = False):
    """Two reviews around a change of the discharge agreement: a task added before the first,
    marked done and another added before the second."""
    from apps.coordination.models import DischargeTask
    from tests.coordination.discharge import admit, task

    admission = admit(world, TODAY() - dt.timedelta(days=3))
    housing = task(world, admission, description="Nøglen til lejligheden er klar")
    assert _record(world).status_code == 302
    if old_first:  # frozen before discharge tasks were part of the snapshot
        snapshot = PlanSnapshot.objects.get()
        del snapshot.data["discharge_tasks"]
        snapshot.save()
    DischargeTask.objects.filter(pk=housing.pk).update(done=True, done_at=timezone.now())
    task(world, admission, description="Medicin hentet på apoteket")
    assert _record(world).status_code == 302
    first, second = Review.objects.order_by("id").values_list("pk", flat=True)
    return first, second


def test_a_frozen_version_and_the_diff_show_the_discharge_agreement(world):
    first, second = _discharge_reviews(world)
    client = page_client(world.participant, language="da")
    old = client.get(f"/plans/{world.plan.pk}/reviews/{first}/").content.decode()
    frozen = old.split("<h3>Udskrivningsaftale</h3>")[1]
    assert "Nøglen til lejligheden er klar" in frozen
    assert "Medicin hentet på apoteket" not in frozen
    assert "participant (Center for Handicap og Psykiatri)" in frozen
    assert "Nej" in frozen
    main = (
        client.get(f"/plans/{world.plan.pk}/reviews/{first}/diff/{second}/")
        .content.decode()
        .split('id="main-content"')[1]
    )
    assert "<h2>Udskrivningsaftale</h2>" in main
    ins = '<ins class="kip-ins"><span class="sr-only">Tilføjet: </span>'
    rem = '<del class="kip-del"><span class="sr-only">Fjernet: </span>'
    assert f"{ins}Medicin hentet på apoteket</ins>" in main
    assert f"Ansvarlig: {ins}participant</ins>" in main
    assert f"Organisation: {ins}Center for Handicap og Psykiatri</ins>" in main
    assert f"Færdig: {rem}nej</del> → {ins}ja</ins>" in main


def test_a_version_frozen_before_discharge_tasks_reads_without_them(world):
    first, second = _discharge_reviews(world, old_first=True)
    client = page_client(world.participant, language="da")
    old = client.get(f"/plans/{world.plan.pk}/reviews/{first}/")
    assert old.status_code == 200
    assert "<h3>Udskrivningsaftale</h3>" not in old.content.decode()
    diff = client.get(f"/plans/{world.plan.pk}/reviews/{first}/diff/{second}/")
    assert diff.status_code == 200
    main = diff.content.decode().split('id="main-content"')[1]
    # Against nothing frozen, both tasks of the later version are new.
    ins = '<ins class="kip-ins"><span class="sr-only">Tilføjet: </span>'
    assert f"{ins}Nøglen til lejligheden er klar</ins>" in main
    assert f"{ins}Medicin hentet på apoteket</ins>" in main


def _network_reviews(world, *, old_first: bool = False):
    """Two reviews around a change of the citizen's network: a sister and a friend before the
    first; before the second the sister may be told more, the friend is gone and a neighbour
    is new."""
    from apps.plans.models import NetworkMember

    sister = NetworkMember.objects.create(
        plan=world.plan, name="Susanne Hansen", relation="søster", contact="22 33 44 55"
    )
    NetworkMember.objects.create(plan=world.plan, name="Ole Berg", relation="ven", takes_part=True)
    assert _record(world).status_code == 302
    if old_first:  # frozen before the network was part of the snapshot
        snapshot = PlanSnapshot.objects.get()
        del snapshot.data["network"]
        snapshot.save()
    NetworkMember.objects.filter(pk=sister.pk).update(may_be_told="Hvordan det går med boligen")
    NetworkMember.objects.filter(name="Ole Berg").delete()
    NetworkMember.objects.create(plan=world.plan, name="Karen Nabo", relation="nabo")
    assert _record(world).status_code == 302
    first, second = Review.objects.order_by("id").values_list("pk", flat=True)
    return first, second


def test_a_frozen_version_and_the_diff_show_the_network(world):
    first, second = _network_reviews(world)
    client = page_client(world.participant, language="da")
    old = client.get(f"/plans/{world.plan.pk}/reviews/{first}/").content.decode()
    frozen = old.split("<h3>Netværk og pårørende</h3>")[1]
    assert 'data-title="Navn">Susanne Hansen</td>' in frozen
    assert 'data-title="Relation til borgeren">søster</td>' in frozen
    assert 'data-title="Sådan får man fat i dem">22 33 44 55</td>' in frozen
    assert "Intet er aftalt: fortæl dem ikke noget om planen." in frozen
    assert 'data-title="Navn">Ole Berg</td>' in frozen
    assert 'data-title="Deltager i møderne">Ja</td>' in frozen
    assert "Karen Nabo" not in frozen
    new = client.get(f"/plans/{world.plan.pk}/reviews/{second}/").content.decode()
    assert "Hvordan det går med boligen" in new.split("<h3>Netværk og pårørende</h3>")[1]
    main = (
        client.get(f"/plans/{world.plan.pk}/reviews/{first}/diff/{second}/")
        .content.decode()
        .split('id="main-content"')[1]
    )
    section = main.split("<h2>Netværk og pårørende</h2>")[1]
    ins = '<ins class="kip-ins"><span class="sr-only">Tilføjet: </span>'
    rem = '<del class="kip-del"><span class="sr-only">Fjernet: </span>'
    assert f"{ins}Karen Nabo</ins>" in section
    assert f"Relation til borgeren: {ins}nabo</ins>" in section
    assert f"{rem}Ole Berg</del>" in section
    assert f"Deltager i møderne: {rem}ja</del>" in section
    # The sister, named, with what she may now be told.
    assert "<strong>Susanne Hansen</strong>" in section
    assert f"Det må de få at vide: {ins}Hvordan det går med boligen</ins>" in section


def test_a_version_frozen_before_the_network_reads_without_it(world):
    first, second = _network_reviews(world, old_first=True)
    client = page_client(world.participant, language="da")
    old = client.get(f"/plans/{world.plan.pk}/reviews/{first}/")
    assert old.status_code == 200
    assert "<h3>Netværk og pårørende</h3>" not in old.content.decode()
    diff = client.get(f"/plans/{world.plan.pk}/reviews/{first}/diff/{second}/")
    assert diff.status_code == 200
    section = diff.content.decode().split("<h2>Netværk og pårørende</h2>")[1]
    # Against nothing frozen, both people of the later version are new.
    ins = '<ins class="kip-ins"><span class="sr-only">Tilføjet: </span>'
    assert f"{ins}Susanne Hansen</ins>" in section
    assert f"{ins}Karen Nabo</ins>" in section
    assert "Ole Berg" not in section
