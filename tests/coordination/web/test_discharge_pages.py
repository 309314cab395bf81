"""The plan page's "Udskrivningsaftale": offered after an admission, tasks added, changed,
marked done and removed in place (htmx) or as plain pages, with the API's rules and audit;
the readmission flag on the plan page and in the list of admissions and discharges."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone, translation

from apps.coordination.models import DischargeTask, HospitalEvent
from apps.organisations.models import Membership
from apps.plans.services import plan_close
from tests.conftest import World, make_user
from tests.coordination.discharge import (
    admit,
    days_ago,
    events_since,
    last_event,
    record,
    state,
    task,
    version,
)

from .helpers import events_of, events_then_undo, field_error, page_client


def _plan(world: World) -> str:
    return f"/plans/{world.plan.pk}/"


def _new(world: World) -> str:
    return f"/plans/{world.plan.pk}/discharge-tasks/new/"


def _edit(world: World, item: Any) -> str:
    return f"/plans/{world.plan.pk}/discharge-tasks/{item.pk}/"


def _section(html: str) -> str:
    return html.split('id="section-discharge"')[1].split("</section>")[0]


def _form(world: World, admission: HospitalEvent, **extra: Any) -> dict[str, Any]:
    return {
        "admission": admission.pk,
        "description": "Hente medicin på apoteket",
        "responsible": f"{world.participant.pk}:{world.orgs['chp'].pk}",
        "due": timezone.localdate().isoformat(),
        "version": version(world),
        **extra,
    }


def test_without_an_admission_there_is_no_discharge_agreement(world: World) -> None:
    html = page_client(world.coordinator).get(_plan(world)).content.decode()
    assert 'id="section-discharge"' not in html


def test_after_an_admission_the_plan_page_offers_a_discharge_agreement(world: World) -> None:
    admission = admit(world, dt.date(2026, 11, 25))
    html = page_client(world.participant, language="da").get(_plan(world)).content.decode()
    section = _section(html)
    assert "Udskrivningsaftale" in section
    assert "Indlæggelse den 25. november 2026" in section
    assert "Der er endnu ikke lavet en udskrivningsaftale for denne indlæggelse." in section
    assert f'hx-get="{_new(world)}"' in section
    assert "Lav udskrivningsaftale" in section
    # The admission in the list of admissions and discharges leads to it.
    assert 'href="#section-discharge"' in html.split('id="hospital-heading"')[1]
    assert admission.readmission is False
    assert "Genindlagt" not in html


def test_a_manager_sees_the_agreement_without_controls(world: World) -> None:
    item = task(world, admit(world))
    html = page_client(world.manager).get(_plan(world)).content.decode()
    section = _section(html)
    assert "Hente medicin" not in section  # the default task says something else
    assert item.description in section
    assert "/discharge-tasks/" not in section


def test_a_task_is_made_on_a_plain_page_as_through_the_api(world: World) -> None:
    admission = admit(world)
    client = page_client(world.participant)
    form = client.get(_new(world))
    assert form.status_code == 200
    html = form.content.decode()
    assert "<html" in html
    assert f'name="version" value="{version(world)}"' in html
    # One admission: chosen already; the people by organisation, within consent.
    assert f'type="hidden" name="admission" value="{admission.pk}"' in html
    assert '<optgroup label="Center for Handicap og Psykiatri">' in html
    assert '<optgroup label="Rusmiddelcentret">' in html
    assert "Psykiatrien" not in html.split('name="responsible"')[1].split("</select>")[0]
    body = _form(world, admission)
    api_body = {
        "admission": admission.pk,
        "description": body["description"],
        "responsible": world.participant.pk,
        "due": body["due"],
    }
    api, api_events = events_then_undo(
        lambda: world.client(world.participant).post(
            f"/api/v1/plans/{world.plan.pk}/discharge-tasks/",
            api_body,
            format="json",
            HTTP_IF_MATCH=f'"{version(world)}"',
        ),
        {"discharge_task"},
    )
    assert api.status_code == 201
    saved, page_events = events_of(lambda: client.post(_new(world), body), {"discharge_task"})
    assert saved.status_code == 302
    assert saved["Location"] == f"{_plan(world)}#section-discharge"
    assert page_events == api_events
    item = DischargeTask.objects.get()
    assert (item.responsible, item.responsible_organisation, item.created_by) == (
        world.participant,
        world.orgs["chp"],
        world.participant,
    )


def test_with_htmx_the_section_comes_back_with_the_task_in_a_table(world: World) -> None:
    admission = admit(world, dt.date(2026, 11, 20))
    before = version(world)
    response = page_client(world.coordinator, language="da").post(
        _new(world), _form(world, admission, due="2026-11-25"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="section-discharge-heading"' in html
    assert "Gemt." in html
    assert json.loads(response["HX-Trigger"]) == {
        "kip:plan-version": {"from": before, "to": before + 1}
    }
    row = html.split("<tbody>")[1]
    assert "Hente medicin på apoteket" in row
    assert "participant (Center for Handicap og Psykiatri)" in row
    assert "25.11.2026" in row
    assert "Markér som færdig" in row
    assert "Tilføj en opgave" in html


@pytest.mark.parametrize("htmx", [False, True])
def test_a_due_date_before_the_admission_is_refused_on_the_field(world: World, htmx: bool) -> None:
    admission = admit(world, days_ago(3))
    before = state()
    headers: dict[str, Any] = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = page_client(world.coordinator).post(
        _new(world), _form(world, admission, due=days_ago(5).isoformat()), **headers
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "before the admission" in field_error(html, "discharge_due")
    assert "Hente medicin på apoteket" in html  # what was typed is kept
    assert state() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"description": "  "}, "discharge_description"),
        ({"responsible": "outsider"}, "discharge_responsible"),
        ({"due": "i morgen"}, "discharge_due"),
    ],
)
def test_bad_input_is_refused_naming_the_field(world: World, change: dict, field: str) -> None:
    admission = admit(world)
    names = {"outsider": f"{world.outsider.pk}:{world.orgs['toften'].pk}"}
    before = state()
    body = _form(world, admission, **{k: names.get(v, v) for k, v in change.items()})
    response = page_client(world.coordinator).post(_new(world), body)
    assert response.status_code == 400
    assert field_error(response.content.decode(), field)
    assert state() == before


def test_someone_in_two_organisations_is_chosen_for_one(world: World) -> None:
    both = make_user("both", world.orgs["addiction"], Membership.Role.CASEWORKER)
    Membership.objects.create(user=both, organisation=world.orgs["chp"], role="caseworker")
    admission = admit(world)
    html = page_client(world.coordinator).get(_new(world)).content.decode()
    assert html.count(f'value="{both.pk}:') == 2
    body = _form(world, admission, responsible=f"{both.pk}:{world.orgs['chp'].pk}")
    assert page_client(world.coordinator).post(_new(world), body).status_code == 302
    assert DischargeTask.objects.get().responsible_organisation == world.orgs["chp"]


def test_a_task_is_changed_and_a_stale_form_meets_the_conflict_view(world: World) -> None:
    item = task(world, admit(world))
    client = page_client(world.participant)
    form = client.get(_edit(world, item), HTTP_HX_REQUEST="true").content.decode()
    assert "Bolig klar til udskrivning" in form
    stale = version(world)
    body = _form(world, item.admission, description="Nøgle til bostedet", done="on")
    assert client.post(_edit(world, item), body).status_code == 302
    item.refresh_from_db()
    assert (item.description, item.done) == ("Nøgle til bostedet", True)
    assert item.responsible_organisation == world.orgs["chp"]
    before = state()
    conflict = client.post(_edit(world, item), {**body, "description": "Mit", "version": stale})
    assert conflict.status_code == 409
    assert "Someone else changed the plan" in conflict.content.decode()
    assert state() == before


def _done(world: World, item: Any, user: Any, done: bool, stale: int | None = None, **headers):
    url = f"/plans/{world.plan.pk}/discharge-tasks/{item.pk}/done/"
    data = {"version": stale or version(world), "done": "on" if done else ""}
    return page_client(user).post(url, data, **headers)


def test_a_task_is_marked_done_and_undone_with_one_button(world: World) -> None:
    item = task(world, admit(world))
    response = _done(world, item, world.participant, True, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Saved." in html
    assert "Not done after all" in html
    item.refresh_from_db()
    assert item.done
    assert item.done_at is not None
    plain = _done(world, item, world.participant, False)
    assert plain.status_code == 302
    assert plain["Location"] == f"{_plan(world)}#section-discharge"
    item.refresh_from_db()
    assert (item.done, item.done_at) == (False, None)


def test_marking_done_follows_the_rules_of_every_write(world: World) -> None:
    item = task(world, admit(world))
    stale = version(world)
    task(world, item.admission, description="En anden opgave")
    before = state()
    conflict = _done(world, item, world.participant, True, stale=stale)
    assert conflict.status_code == 409
    assert "Someone else changed the plan" in conflict.content.decode()
    assert _done(world, item, world.manager, True).status_code == 403
    assert _done(world, item, world.outsider, True).status_code == 404
    assert _done(world, item, world.withdrawn, True).status_code == 404
    assert state() == before


def test_a_task_is_removed(world: World) -> None:
    item = task(world, admit(world))
    url = f"/plans/{world.plan.pk}/discharge-tasks/{item.pk}/delete/"
    assert page_client(world.manager).post(url, {"version": version(world)}).status_code == 403
    response = page_client(world.coordinator).post(
        url, {"version": version(world)}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert not DischargeTask.objects.exists()
    assert "Bolig klar til udskrivning" not in response.content.decode()


def test_a_closed_plan_shows_the_agreement_without_controls(world: World) -> None:
    item = task(world, admit(world))
    plan_close(
        actor=world.actor(world.coordinator),
        plan_id=world.plan.pk,
        expected_version=version(world),
        reason="goals_reached",
    )
    html = page_client(world.coordinator).get(_plan(world)).content.decode()
    assert item.description in _section(html)
    assert "/discharge-tasks/" not in _section(html)
    before = state()
    assert _done(world, item, world.coordinator, True).status_code == 302  # back: it says so
    assert state() == before


def test_a_readmission_is_flagged_on_the_plan_page_until_a_discharge(world: World) -> None:
    admit(world, days_ago(30))
    record(world, "discharge", days_ago(20))
    again = admit(world, days_ago(10))
    client = page_client(world.coordinator, language="da")
    html = client.get(_plan(world)).content.decode()
    alert = html.split('class="alert alert-warning"')[1].split("</div>\n</div>")[0]
    assert "Genindlagt inden for 30 dage efter udskrivning" in alert
    day, discharged = (f"{d.day}. " for d in (days_ago(10), days_ago(20)))
    assert day in alert
    assert discharged in alert
    events = html.split('id="hospital-heading"')[1].split("</section>")[0]
    assert events.count("Genindlagt inden for 30 dage efter udskrivning") == 1
    assert "Genindlagt inden for 30 dage efter udskrivning" in _section(html)
    # On My work, the coordinator's prompt says it too.
    assert "Genindlagt" in client.get("/").content.decode()
    record(world, "discharge", days_ago(1))
    html = client.get(_plan(world)).content.decode()
    assert 'class="alert alert-warning"' not in html.split('id="hospital-heading"')[0]
    assert HospitalEvent.objects.get(pk=again.pk).readmission  # still in the list
    assert "Genindlagt inden for 30 dage efter udskrivning" in html


def test_recording_an_admission_leads_to_the_discharge_agreement(world: World) -> None:
    response = page_client(world.participant).post(
        f"/plans/{world.plan.pk}/hospital-events/new/",
        {"kind": "admission", "occurred_on": days_ago(0).isoformat()},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"{_plan(world)}#section-discharge"
    html = response.content.decode()
    assert "The admission is recorded. The coordinator is told." in html
    assert "Make a discharge agreement" in _section(html)


def test_the_plan_page_reads_the_agreement_in_fixed_queries(world: World) -> None:
    admission = admit(world)
    task(world, admission)

    def queries() -> int:
        client = page_client(world.coordinator)
        client.get(_plan(world))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_plan(world)).status_code == 200
        return len(captured)

    one = queries()
    for n in range(9):
        task(world, admission, description=f"Opgave {n}")
    assert queries() == one


# --- "Min plan" -------------------------------------------------------------------------------


def _my_plan(world: World) -> str:
    response = page_client(world.coordinator).get(f"/plans/{world.plan.pk}/print/")
    assert response.status_code == 200
    return response.content.decode()


def test_my_plan_tells_the_citizen_who_does_what_when_they_leave_hospital(world: World) -> None:
    older = admit(world, days_ago(40))
    task(world, older, description="Gammel opgave")
    record(world, "discharge", days_ago(35))
    admission = admit(world, days_ago(2))
    task(world, admission, description="Nøgle til lejligheden", due=days_ago(-1))
    done = task(world, admission, description="Medicin hentet", due=days_ago(0))
    DischargeTask.objects.filter(pk=done.pk).update(done=True, done_at=timezone.now())
    html = _my_plan(world)
    assert "When you leave the hospital" in html
    with translation.override("en"):
        assert f"You were admitted on {formats.date_format(days_ago(2))}." in html
    name = world.participant.get_full_name() or world.participant.get_username()
    organisation = world.orgs["chp"].name
    assert html.count(f"{name} from {organisation} does it by") == 2
    assert "Nøgle til lejligheden" in html
    assert "Medicin hentet" in html
    assert html.count("It has been done.") == 1
    assert "Gammel opgave" not in html  # only the latest admission's agreement
    # What is still to be done comes first, though the done task was due sooner.
    assert html.index("Nøgle til lejligheden") < html.index("Medicin hentet")


@pytest.mark.parametrize(
    ("discharged", "done", "shown"),
    [
        (None, True, True),  # still in hospital
        (20, True, True),  # home for less than a month
        (40, False, True),  # home for longer, but something is still to be done
        (40, True, False),  # home for longer and everything done: history now
    ],
)
def test_my_plan_shows_the_agreement_while_it_matters_to_the_citizen(
    world: World, discharged: int | None, done: bool, shown: bool
) -> None:
    admission = admit(world, days_ago(60))
    item = task(world, admission, description="Nøgle til lejligheden", due=days_ago(45))
    if done:
        DischargeTask.objects.filter(pk=item.pk).update(done=True, done_at=timezone.now())
    if discharged is not None:
        record(world, "discharge", days_ago(discharged))
    html = _my_plan(world)
    assert ("When you leave the hospital" in html) is shown
    assert ("Nøgle til lejligheden" in html) is shown
    # The plan page keeps the agreement either way.
    assert "Nøgle til lejligheden" in _section(
        page_client(world.coordinator).get(_plan(world)).content.decode()
    )


def test_my_plan_with_a_discharge_agreement_records_one_view_of_the_plan(world: World) -> None:
    task(world, admit(world))
    start = last_event()
    _my_plan(world)
    assert events_since(start) == [("view", "plan", str(world.plan.pk), "allowed")]


def test_my_plan_without_a_discharge_agreement_has_no_hospital_section(world: World) -> None:
    assert "When you leave the hospital" not in _my_plan(world)
    admit(world)  # admitted, nothing agreed yet: nothing to tell the citizen
    assert "When you leave the hospital" not in _my_plan(world)


def test_my_plan_reads_the_agreement_in_fixed_queries(world: World) -> None:
    admission = admit(world)
    task(world, admission)

    def queries() -> int:
        client = page_client(world.coordinator)
        client.get(f"/plans/{world.plan.pk}/print/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/plans/{world.plan.pk}/print/").status_code == 200
        return len(captured)

    one = queries()
    for n in range(9):
        task(world, admission, description=f"Opgave {n}")
    assert queries() == one
