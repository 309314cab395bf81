"""Two people edit the same plan: a stale edit never overwrites, and the conflict view lets
the second keep what is saved, keep theirs, or merge."""

from __future__ import annotations

import re

from django.utils import timezone

from apps.plans.models import Agreement, Goal
from apps.plans.parts import goal_save, plan_part_delete
from tests.helpers import snapshot
from tests.plans.web.conftest import Trail, login, version
from tests.plans.web.htmlforms import form_with_button


def _today() -> str:
    return timezone.localdate().isoformat()


def _other_saves_the_goal(rich, stale: int, text: str = "Sofie skrev dette") -> None:
    goal_save(
        actor=rich.actor(rich.participant),
        plan_id=rich.plan.pk,
        expected_version=stale,
        goal_id=rich.goal.pk,
        data={"text": text},
    )


def _stale_goal_edit(rich, text: str = "Lise skrev dette", **headers):  # type: ignore[no-untyped-def]
    stale = version(rich)
    _other_saves_the_goal(rich, stale)
    return login(rich.coordinator).post(
        f"/plans/{rich.plan.pk}/goals/{rich.goal.pk}/",
        # As the form sends it: the goal still open, the date for ending it set to today.
        {"text": text, "outcome": "", "outcome_on": _today(), "version": stale},
        **headers,
    )


def test_the_conflict_view_shows_both_versions_field_by_field(rich):
    response = _stale_goal_edit(rich)
    assert response.status_code == 409
    html = response.content.decode()
    rows = re.findall(r"<tr( class=\"kip-differs\")?>\s*<th scope=\"row\"[^>]*>([^<]+)", html)
    assert [(bool(marked), label.strip()) for marked, label in rows] == [
        (True, "The goal, in the citizen&#x27;s own words"),
        (False, "Has the goal ended?"),
        (False, "Ended on"),
    ]
    assert "Sofie skrev dette" in html  # theirs
    assert "Lise skrev dette" in html  # mine
    merge = form_with_button(html, "Save the merged version")
    assert merge.fields["text"] == "Lise skrev dette"  # prefilled with mine
    assert merge.fields["version"] == str(version(rich))  # against what is saved now
    assert "Saved now: Sofie skrev dette" in merge.text  # showing theirs


def test_keep_mine_saves_mine_on_top_of_what_is_saved(rich):
    html = _stale_goal_edit(rich).content.decode()
    current = version(rich)
    keep = form_with_button(html, "Keep mine")
    response = login(rich.coordinator).post(keep.action, keep.fields)
    assert response.status_code == 302
    assert Goal.objects.get(pk=rich.goal.pk).text == "Lise skrev dette"
    assert version(rich) == current + 1


def test_merge_saves_the_merged_text(rich):
    html = _stale_goal_edit(rich).content.decode()
    current = version(rich)
    merge = form_with_button(html, "Save the merged version")
    merged = "Sofie og Lise skrev dette sammen"
    response = login(rich.coordinator).post(merge.action, {**merge.fields, "text": merged})
    assert response.status_code == 302
    assert Goal.objects.get(pk=rich.goal.pk).text == merged
    assert version(rich) == current + 1


def test_keep_theirs_changes_nothing(rich):
    html = _stale_goal_edit(rich, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in html  # in place, with htmx
    before = snapshot()
    url = re.search(r'hx-get="([^"]+)"[^>]*>Keep what is saved', html).group(1)
    response = login(rich.coordinator).get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Sofie skrev dette" in response.content.decode()
    assert snapshot() == before


def test_a_merge_on_a_stale_version_is_again_a_conflict(rich):
    html = _stale_goal_edit(rich).content.decode()
    merge = form_with_button(html, "Save the merged version")
    _other_saves_the_goal(rich, version(rich), "En tredje skrev")
    before = snapshot()
    response = login(rich.coordinator).post(merge.action, {**merge.fields, "text": "Flettet"})
    assert response.status_code == 409
    assert "En tredje skrev" in response.content.decode()
    assert snapshot() == before


def test_an_item_removed_meanwhile_can_be_saved_anew(rich):
    stale = version(rich)
    plan_part_delete(
        actor=rich.actor(rich.participant),
        plan_id=rich.plan.pk,
        expected_version=stale,
        model=Goal,
        part_id=rich.goal.pk,
    )
    response = login(rich.coordinator).post(
        f"/plans/{rich.plan.pk}/goals/{rich.goal.pk}/",
        {"text": "Bo i egen lejlighed", "outcome": "", "version": stale},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "removed by someone else" in html
    keep = form_with_button(html, "Save mine as a new item")
    assert keep.action == f"/plans/{rich.plan.pk}/goals/new/"
    assert login(rich.coordinator).post(keep.action, keep.fields).status_code == 302
    assert rich.plan.goals.get().text == "Bo i egen lejlighed"


def test_a_new_item_on_a_stale_version_shows_the_section_as_saved_now(rich):
    stale = version(rich)
    _other_saves_the_goal(rich, stale)
    response = login(rich.coordinator).post(
        f"/plans/{rich.plan.pk}/goals/new/", {"text": "Få et job", "version": stale}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Sofie skrev dette" in html  # the goals as they are now
    keep = form_with_button(html, "Keep mine")
    assert login(rich.coordinator).post(keep.action, keep.fields).status_code == 302
    assert rich.plan.goals.filter(text="Få et job").exists()


# --- removing ------------------------------------------------------------------------------


def _delete(rich, user, url: str, stale: int | None = None, **headers):  # type: ignore[no-untyped-def]
    return login(user).post(url, {"version": stale or version(rich)}, **headers)


def test_removing_a_goal(rich):
    before = version(rich)
    trail = Trail()
    response = _delete(
        rich, rich.coordinator, f"/plans/{rich.plan.pk}/goals/{rich.goal.pk}/delete/"
    )
    assert response.status_code == 302
    assert not Goal.objects.filter(pk=rich.goal.pk).exists()
    assert version(rich) == before + 1
    assert trail.events() == [("update", "plan", str(rich.plan.pk), "allowed")]


def test_removing_with_htmx_answers_with_the_section(rich):
    response = _delete(
        rich,
        rich.coordinator,
        f"/plans/{rich.plan.pk}/agreements/{rich.agreement.pk}/delete/",
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "No agreements yet." in response.content.decode()
    assert not Agreement.objects.filter(pk=rich.agreement.pk).exists()


def test_removing_on_a_stale_version_asks_again(rich):
    stale = version(rich)
    _other_saves_the_goal(rich, stale)
    before = snapshot()
    url = f"/plans/{rich.plan.pk}/goals/{rich.goal.pk}/delete/"
    response = _delete(rich, rich.coordinator, url, stale)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Sofie skrev dette" in html
    assert snapshot() == before
    again = form_with_button(html, "Remove it anyway")
    assert again.action == url
    assert login(rich.coordinator).post(again.action, again.fields).status_code == 302
    assert not Goal.objects.filter(pk=rich.goal.pk).exists()


def test_removing_is_refused_as_the_api_refuses_it(rich):
    before = snapshot()
    goal = f"/plans/{rich.plan.pk}/goals/{rich.goal.pk}/delete/"
    for user, status in ((rich.outsider, 404), (rich.withdrawn, 404), (rich.manager, 403)):
        trail = Trail()
        assert _delete(rich, user, goal).status_code == status
        assert trail.events() == [("update", "plan", str(rich.plan.pk), "denied")]
    trail = Trail()
    other = f"/plans/{rich.plan.pk}/efforts/{rich.effort_chp.pk}/delete/"
    assert _delete(rich, rich.coordinator, other).status_code == 403
    assert trail.events() == [("update", "effort", str(rich.effort_chp.pk), "denied")]
    assert login(rich.coordinator).get(goal).status_code == 405
    assert snapshot() == before


# --- participants ---------------------------------------------------------------------------


def test_the_coordinator_removes_a_participant(rich):
    response = login(rich.coordinator).post(
        f"/plans/{rich.plan.pk}/participants/",
        {"op": "remove", "organisation": rich.orgs["chp"].pk, "version": version(rich)},
    )
    assert response.status_code == 302
    assert not rich.plan.participations.filter(organisation=rich.orgs["chp"]).exists()


def test_the_coordinators_organisation_cannot_leave(rich):
    before = snapshot()
    response = login(rich.coordinator).post(
        f"/plans/{rich.plan.pk}/participants/",
        {"op": "remove", "organisation": rich.orgs["addiction"].pk, "version": version(rich)},
    )
    assert response.status_code == 409
    assert "hand over first" in response.content.decode()
    assert snapshot() == before


def test_removing_a_participant_on_a_stale_version_shows_the_conflict(rich):
    stale = version(rich)
    _other_saves_the_goal(rich, stale)
    before = snapshot()
    response = login(rich.coordinator).post(
        f"/plans/{rich.plan.pk}/participants/",
        {"op": "remove", "organisation": rich.orgs["chp"].pk, "version": stale},
    )
    assert response.status_code == 409
    assert snapshot() == before
    keep = form_with_button(response.content.decode(), "Keep mine")
    assert keep.fields["op"] == "remove"
    assert login(rich.coordinator).post(keep.action, keep.fields).status_code == 302
    assert not rich.plan.participations.filter(organisation=rich.orgs["chp"]).exists()
