"""The plan page's "Netværk og pårørende" and the network in "Min plan": what they show, who
gets the controls, and taking a person off the plan (the edits themselves run through every
section test with the cases ``network new`` and ``network edit``)."""

from __future__ import annotations

from apps.plans.models import NetworkMember
from apps.plans.network import network_member_save
from tests.helpers import snapshot
from tests.plans.web.conftest import Trail, login, version


def _sister(rich, **data) -> NetworkMember:  # type: ignore[no-untyped-def]
    return network_member_save(
        actor=rich.actor(rich.coordinator),
        plan_id=rich.plan.pk,
        expected_version=version(rich),
        data={
            "name": "Susanne Hansen",
            "relation": "søster",
            "contact": "20 45 67 89",
            "may_be_told": "Hvornår møderne er.",
            "takes_part": True,
            **data,
        },
    )


def _html(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_plan_page_shows_the_network_with_what_each_may_be_told(rich):
    sister = _sister(rich)
    _sister(rich, name="Ole Hansen", relation="bror", contact="", may_be_told="", takes_part=False)
    html = _html(login(rich.participant).get(f"/plans/{rich.plan.pk}/"))
    section = html.split('id="section-network"')[1].split("</section>")[0]
    for text in (
        "Network and relatives",
        "<strong>Susanne Hansen</strong> (søster)",
        "20 45 67 89",
        "What they may be told",
        "Hvornår møderne er.",
        "Takes part in meetings",
        "<strong>Ole Hansen</strong> (bror)",
        "Nothing is agreed: tell them nothing about the plan.",
    ):
        assert text in section, text
    assert section.count("Takes part in meetings") == 1
    pk = rich.plan.pk
    assert f'hx-get="/plans/{pk}/network/{sister.pk}/"' in section
    assert f'action="/plans/{pk}/network/{sister.pk}/delete/"' in section
    assert f'hx-get="/plans/{pk}/network/new/"' in section


def test_an_empty_network_says_so(rich):
    html = _html(login(rich.coordinator).get(f"/plans/{rich.plan.pk}/"))
    assert "No one from the citizen's network is on the plan yet." in html
    assert "Add someone from the network" in html


def test_a_manager_sees_the_network_without_controls(rich):
    sister = _sister(rich)
    html = _html(login(rich.manager).get(f"/plans/{rich.plan.pk}/"))
    assert "Susanne Hansen" in html
    assert f"/network/{sister.pk}/" not in html
    assert "/network/new/" not in html


def test_my_plan_shows_the_network_and_what_each_may_be_told(rich):
    _sister(rich)
    _sister(rich, name="Ole Hansen", relation="bror", may_be_told="", takes_part=False)
    html = _html(login(rich.coordinator).get(f"/plans/{rich.plan.pk}/print/"))
    for text in (
        "Your network and relatives",
        "<strong>Susanne Hansen</strong> (søster)",
        "What they may be told: Hvornår møderne er.",
        "Takes part in our meetings.",
        "<strong>Ole Hansen</strong> (bror)",
        "What they may be told: Nothing about your plan.",
    ):
        assert text in html, text
    assert html.count("Takes part in our meetings.") == 1
    assert "20 45 67 89" not in html  # how to reach them is for the professionals


def test_my_plan_without_a_network_says_so(rich):
    html = _html(login(rich.coordinator).get(f"/plans/{rich.plan.pk}/print/"))
    assert "We have not written anyone from your network on the plan." in html


# --- taking a person off the plan ------------------------------------------------------------


def _delete(rich, user, member, stale=None, **headers):  # type: ignore[no-untyped-def]
    url = f"/plans/{rich.plan.pk}/network/{member.pk}/delete/"
    return login(user).post(url, {"version": stale or version(rich)}, **headers)


def test_a_caseworker_takes_a_person_off_the_plan(rich):
    sister = _sister(rich)
    before = version(rich)
    trail = Trail()
    response = _delete(rich, rich.participant, sister)
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{rich.plan.pk}/#section-network"
    assert not NetworkMember.objects.filter(pk=sister.pk).exists()
    assert version(rich) == before + 1
    assert trail.events() == [("update", "plan", str(rich.plan.pk), "allowed")]


def test_with_htmx_the_section_comes_back_without_the_person(rich):
    sister = _sister(rich)
    response = _delete(rich, rich.coordinator, sister, HTTP_HX_REQUEST="true")
    html = _html(response)
    assert "<html" not in html
    assert 'id="section-network-heading"' in html
    assert "Susanne Hansen" not in html
    assert "Saved." in html


def test_a_stale_removal_shows_the_conflict_and_removes_nothing(rich):
    sister = _sister(rich)
    stale = version(rich)
    _sister(rich, name="Ole Hansen", relation="bror")
    before = snapshot(), list(NetworkMember.objects.values_list("pk", flat=True))
    response = _delete(rich, rich.coordinator, sister, stale=stale)
    assert response.status_code == 409
    assert "Someone else changed the plan" in response.content.decode()
    assert (snapshot(), list(NetworkMember.objects.values_list("pk", flat=True))) == before


def test_removing_needs_a_caseworker_on_the_plan(rich):
    sister = _sister(rich)
    before = snapshot(), list(NetworkMember.objects.values_list("pk", flat=True))
    for user, status in ((rich.outsider, 404), (rich.withdrawn, 404), (rich.manager, 403)):
        trail = Trail()
        assert _delete(rich, user, sister).status_code == status
        assert trail.events() == [("update", "plan", str(rich.plan.pk), "denied")]
    assert (snapshot(), list(NetworkMember.objects.values_list("pk", flat=True))) == before


def test_a_person_of_no_such_id_is_404(rich):
    before = snapshot()
    response = login(rich.coordinator).post(
        f"/plans/{rich.plan.pk}/network/987654/delete/", {"version": version(rich)}
    )
    assert response.status_code == 404
    assert snapshot() == before
