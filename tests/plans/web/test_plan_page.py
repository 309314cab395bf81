"""The plan page: what it shows, the controls each person gets, the break-the-glass banner,
"Min plan", and a fixed number of queries however big the plan is."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.audit.breakglass import break_glass_open
from apps.audit.models import AccessEvent
from apps.coordination.models import DischargeTask, Handover, HospitalEvent, Review, Transition
from apps.plans.models import Agreement, Effort, Goal, NetworkMember
from apps.plans.services import plan_close
from tests.plans.web.conftest import Trail, login, version


def _page(rich, user) -> str:
    response = login(user).get(f"/plans/{rich.plan.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _edit_urls(html: str) -> set[str]:
    """Every address on the page that changes the plan (edit forms and posts)."""
    found = set(re.findall(r'hx-(?:get|post)="(/plans/\d+/[^"]+)"', html))
    found |= set(re.findall(r'action="(/plans/\d+/[^"]+)"', html))
    found |= {u for u in re.findall(r'href="(/plans/\d+/(?:close)/)"', html)}
    return found


def test_the_page_shows_every_section(rich):
    html = _page(rich, rich.coordinator)
    for text in (
        "“Bo”",  # the goal, quoted in the citizen's words
        "Samtaler",  # addiction's effort
        "Bostøtte",  # chp's effort
        "Ring",  # the agreement
        "Rusmiddelcentret",
        "Center for Handicap og Psykiatri",
        "Covered by consent",
        "Not covered by the citizen's consent",
        "No handover in progress.",
        "No admissions or discharges recorded.",
        "No review meeting has been recorded yet.",
        f'href="/plans/{rich.plan.pk}/print/"',
        f'href="/citizens/{rich.citizen.pk}/access-report/"',
    ):
        assert text in html, text


def test_the_coordinator_gets_every_control(rich):
    urls = _edit_urls(_page(rich, rich.coordinator))
    pk = rich.plan.pk
    assert {
        f"/plans/{pk}/goals/{rich.goal.pk}/",
        f"/plans/{pk}/goals/{rich.goal.pk}/delete/",
        f"/plans/{pk}/goals/new/",
        f"/plans/{pk}/assessment/",
        f"/plans/{pk}/efforts/{rich.effort_own.pk}/",
        f"/plans/{pk}/efforts/new/",
        f"/plans/{pk}/agreements/{rich.agreement.pk}/",
        f"/plans/{pk}/agreements/new/",
        f"/plans/{pk}/participants/",
        f"/plans/{pk}/next-review/",
        f"/plans/{pk}/close/",
    } <= urls
    # Another organisation's effort has no controls, not even for the coordinator.
    assert not any(f"/efforts/{rich.effort_chp.pk}/" in u for u in urls)


def test_a_participant_edits_shared_sections_and_own_efforts_only(rich):
    urls = _edit_urls(_page(rich, rich.participant))
    pk = rich.plan.pk
    assert f"/plans/{pk}/goals/{rich.goal.pk}/" in urls
    assert f"/plans/{pk}/efforts/{rich.effort_chp.pk}/" in urls
    assert not any(f"/efforts/{rich.effort_own.pk}/" in u for u in urls)
    for coordinators in ("participants/", "next-review/", "close/"):
        assert f"/plans/{pk}/{coordinators}" not in urls


def test_a_manager_sees_the_plan_without_any_edit_control(rich):
    html = _page(rich, rich.manager)
    assert "“Bo”" in html
    assert _edit_urls(html) == set()
    assert "Record consent" not in html


def test_a_closed_plan_has_no_edit_controls(rich):
    plan_close(
        actor=rich.actor(rich.coordinator),
        plan_id=rich.plan.pk,
        expected_version=version(rich),
        reason="goals_reached",
    )
    html = _page(rich, rich.coordinator)
    assert _edit_urls(html) == set()
    assert "Closed" in html


def test_a_plan_seen_through_break_the_glass_has_the_banner_and_no_controls(rich):
    actor = rich.actor(rich.outsider)
    break_glass_open(actor=actor, cpr_number="0101801234", reason="Indlagt akut, ukendt medicin")
    trail = Trail()
    html = _page(rich, rich.outsider)
    assert "Emergency access (break the glass)" in html
    assert "Indlagt akut, ukendt medicin" in html
    assert 'class="alert alert-warning"' in html
    assert _edit_urls(html) == set()
    assert trail.events() == [("break_glass", "plan", str(rich.plan.pk), "allowed")]
    event = AccessEvent.objects.latest("id")
    assert event.purpose == "Indlagt akut, ukendt medicin"
    # Read only: a write through the page is refused (403), and the attempt recorded.
    response = login(rich.outsider).post(
        f"/plans/{rich.plan.pk}/goals/{rich.goal.pk}/",
        {"text": "Ændret", "status": "open", "version": version(rich)},
    )
    assert response.status_code == 403
    assert Goal.objects.get(pk=rich.goal.pk).text == "Bo"


def test_the_shared_plan_has_no_banner(rich):
    assert "Emergency access" not in _page(rich, rich.participant)


def test_the_next_review_is_marked_when_overdue(rich):
    from apps.plans.models import Plan

    Plan.objects.filter(pk=rich.plan.pk).update(
        next_review=timezone.localdate() - datetime.timedelta(days=20)
    )
    html = _page(rich, rich.coordinator)
    assert 'class="badge badge-error">Overdue' in html
    assert "working days late" in html


def test_the_coordination_sections_show_what_is_in_progress(rich):
    from apps.coordination.services import handover_propose

    handover_propose(
        actor=rich.actor(rich.coordinator), plan_id=rich.plan.pk, to_user_id=rich.participant.pk
    )
    HospitalEvent.objects.create(
        plan=rich.plan,
        kind="admission",
        occurred_on=timezone.localdate(),
        recorded_by=rich.participant,
        recorded_for=rich.orgs["chp"],
    )
    Review.objects.create(
        plan=rich.plan,
        held_on=timezone.localdate(),
        outcome="continue",
        recorded_by=rich.coordinator,
        recorded_for=rich.orgs["addiction"],
    )
    html = _page(rich, rich.participant)
    assert "A handover of the coordinator role is waiting for an answer." in html
    assert "participant (Center for Handicap og Psykiatri)" in html
    assert "Admission: " in html
    assert "Review meeting " in html
    assert Handover.objects.count() == 1


# --- "Min plan" ---------------------------------------------------------------------------


def test_my_plan_is_the_plan_in_plain_words_with_a_print_stylesheet(rich):
    trail = Trail()
    response = login(rich.coordinator).get(f"/plans/{rich.plan.pk}/print/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Your goals",
        "“Bo”",
        "Who does what",
        "What we have agreed",
        "Ring",
        "Your coordinator",
        "Next meeting",
        "data-kip-print",
    ):
        assert text in html, text
    assert re.search(r'<link rel="stylesheet" href="[^"]*plans/print\.css" media="print">', html)
    assert f'href="/plans/{rich.plan.pk}/"' in html  # back to the plan
    assert trail.events() == [("view", "plan", str(rich.plan.pk), "allowed")]
    assert AccessEvent.objects.latest("id").detail == {"page": "print"}


@pytest.mark.parametrize("persona", ["outsider", "withdrawn"])
def test_my_plan_is_404_for_someone_not_on_the_plan(rich, persona):
    trail = Trail()
    response = login(getattr(rich, persona)).get(f"/plans/{rich.plan.pk}/print/")
    assert response.status_code == 404
    assert trail.events() == [("view", "plan", str(rich.plan.pk), "denied")]


def test_my_plan_under_break_the_glass_is_a_break_the_glass_read(rich):
    break_glass_open(actor=rich.actor(rich.outsider), cpr_number="0101801234", reason="Akut")
    trail = Trail()
    assert login(rich.outsider).get(f"/plans/{rich.plan.pk}/print/").status_code == 200
    assert trail.events() == [("break_glass", "plan", str(rich.plan.pk), "allowed")]


# --- queries ------------------------------------------------------------------------------


def _grow(rich, n: int) -> None:
    Goal.objects.bulk_create(Goal(plan=rich.plan, text=f"Mål {i}") for i in range(n))
    Effort.objects.bulk_create(
        Effort(
            plan=rich.plan,
            organisation=rich.orgs["addiction" if i % 2 else "chp"],
            responsible=rich.coordinator if i % 2 else rich.participant,
            description=f"Indsats {i}",
        )
        for i in range(n)
    )
    Agreement.objects.bulk_create(
        Agreement(plan=rich.plan, text=f"Aftale {i}", responsible=rich.participant)
        for i in range(n)
    )
    NetworkMember.objects.bulk_create(
        NetworkMember(plan=rich.plan, name=f"Person {i}", relation="ven", takes_part=bool(i % 2))
        for i in range(n)
    )
    _grow_path(rich, n)


def _grow_path(rich, n: int) -> None:
    """Steps on the citizen's path: accepted handovers, transitions on their own, on an
    organisation and on a handover, admissions and discharges, reviews."""
    now, today = timezone.now(), timezone.localdate()
    handovers = Handover.objects.bulk_create(
        Handover(
            plan=rich.plan,
            from_user=rich.coordinator,
            from_organisation=rich.orgs["addiction"],
            to_user=rich.participant,
            to_organisation=rich.orgs["chp"],
            proposed_by=rich.coordinator,
            state=Handover.State.ACCEPTED,
            decided_at=now,
            decided_by=rich.participant,
            expires_at=now,
        )
        for _ in range(2 * n)
    )
    Transition.objects.bulk_create(
        Transition(
            plan=rich.plan,
            kind=Transition.Kind.SHELTER_TO_HOUSING,
            occurred_on=today,
            handover=handovers[i] if i % 2 else None,
            organisation=None if i % 2 else rich.orgs["chp"],
            note=f"Overgang {i}",
            receiving_note="Modtaget",
            recorded_by=rich.coordinator,
            recorded_for=rich.orgs["addiction"],
        )
        for i in range(n)
    )
    events = HospitalEvent.objects.bulk_create(
        HospitalEvent(
            plan=rich.plan,
            kind="discharge" if i % 2 else "admission",
            occurred_on=today,
            recorded_by=rich.participant,
            recorded_for=rich.orgs["chp"],
        )
        for i in range(n)
    )
    # Each admission's discharge agreement: a task still open and one done.
    DischargeTask.objects.bulk_create(
        DischargeTask(
            plan=rich.plan,
            admission=event,
            description=f"Udskrivningsopgave {event.pk} {done}",
            responsible=rich.participant,
            responsible_organisation=rich.orgs["chp"],
            due=today,
            done=done,
            done_at=now if done else None,
            created_by=rich.coordinator,
        )
        for event in events
        if event.kind == "admission"
        for done in (False, True)
    )
    Review.objects.bulk_create(
        Review(
            plan=rich.plan,
            held_on=today,
            outcome="continue",
            recorded_by=rich.coordinator,
            recorded_for=rich.orgs["addiction"],
        )
        for _ in range(n)
    )


def _queries(rich, url: str) -> int:
    client = login(rich.coordinator)
    client.get(url)  # warm the session and the caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", ["", "print/"], ids=["plan page", "my plan"])
def test_the_plan_page_takes_the_same_number_of_queries_for_1_10_and_100_items(rich, path):
    url = f"/plans/{rich.plan.pk}/{path}"
    # Every kind of item present from the start, the agreement with its responsible person.
    Agreement.objects.filter(plan=rich.plan).update(responsible=rich.participant)
    NetworkMember.objects.create(plan=rich.plan, name="Anne", relation="søster")
    _grow_path(rich, 1)
    counts = []
    for grow in (0, 9, 90):  # the world has one of each: 1, 10, 100
        _grow(rich, grow)
        counts.append(_queries(rich, url))
    assert counts[0] == counts[1] == counts[2], counts
    # The discharge agreement is on the page: the plan page shows every admission's, Min plan
    # the latest admission's.
    html = login(rich.coordinator).get(url).content.decode()
    latest = HospitalEvent.objects.filter(plan=rich.plan, kind="admission").first()
    assert latest is not None
    assert f"Udskrivningsopgave {latest.pk} False" in html
    assert f"Udskrivningsopgave {latest.pk} True" in html
    # The citizen's path reads one query per kind of step (transitions, handovers, hospital
    # events, reviews).
    assert counts[0] <= 34, counts
