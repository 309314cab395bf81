"""Handover pages: the receivers offered follow the service's rule; propose, accept, decline
and cancel are allowed, refused and audited as through the API; bad input changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps.access.handovers import handover_receiver_check
from apps.audit.models import AccessEvent
from apps.citizens.services import organisations_covered
from apps.coordination import selectors
from apps.coordination.models import Handover
from apps.core.exceptions import ApplicationError
from apps.notifications.models import Notification
from apps.organisations.models import Membership
from apps.organisations.services import membership_ensure
from apps.plans.models import Plan
from tests.conftest import make_user
from tests.helpers import build_rich_world

from .helpers import events_of, events_then_undo, field_error, page_client

K = Notification.Kind


def _propose_form(world, user=None, slug="chp", note="Borgeren flytter til bostedet.") -> dict:
    user = user or world.participant
    return {"receiver": f"{user.pk}:{world.orgs[slug].pk}", "note": note}


def _propose(world, by=None, **form):
    client = page_client(by or world.coordinator)
    return client.post(f"/plans/{world.plan.pk}/handover/", form or _propose_form(world))


def _pending(world) -> Handover:
    assert _propose(world).status_code == 302
    return Handover.objects.get(state="proposed")


# --- who may receive ------------------------------------------------------------------------


def test_the_people_offered_are_exactly_those_the_service_accepts(db):
    """Every caseworker/manager pair in a world with an organisation covered by consent but
    not on the plan, a withdrawn one, and a person in two organisations: offered if and only
    if ``handover_receiver_check`` lets them receive it."""
    rich = build_rich_world()
    world = rich.w
    cw, mgr = Membership.Role.CASEWORKER, Membership.Role.MANAGER
    make_user("aftercare.cw", rich.aftercare, cw)
    make_user("aftercare.mgr", rich.aftercare, mgr)
    # A coordinator's colleague also in chp; the coordinator also a member of chp.
    membership_ensure(user=world.colleague, organisation=world.orgs["chp"], role=cw)
    membership_ensure(user=world.coordinator, organisation=world.orgs["chp"], role=cw)
    plan = Plan.objects.get(pk=world.plan.pk)
    offered = {(m.user_id, m.organisation_id) for m in selectors.handover_receivers(plan=plan)}
    covered = organisations_covered(citizen=plan.citizen)
    accepted = set()
    for m in Membership.objects.all():
        try:
            handover_receiver_check(
                plan=plan, user_id=m.user_id, organisation_id=m.organisation_id, covered=covered
            )
        except ApplicationError:
            continue
        accepted.add((m.user_id, m.organisation_id))
    assert offered == accepted
    orgs = world.orgs
    assert (world.participant.pk, orgs["chp"].pk) in offered
    assert (world.colleague.pk, orgs["addiction"].pk) in offered
    assert (world.coordinator.pk, orgs["chp"].pk) in offered  # the same person, elsewhere
    assert (world.coordinator.pk, orgs["addiction"].pk) not in offered  # as they act now
    assert all(org != orgs["psychiatry"].pk for _, org in offered)  # consent withdrawn
    assert all(org != orgs["toften"].pk for _, org in offered)  # never covered
    assert any(org == rich.aftercare.pk for _, org in offered)  # covered, not on the plan
    managers = set(Membership.objects.filter(role=mgr).values_list("user_id", "organisation_id"))
    assert not offered & managers


def test_the_form_lists_receivers_by_name_and_organisation(world):
    world.participant.first_name, world.participant.last_name = "Sofie", "Berg"
    world.participant.save()
    html = page_client(world.coordinator).get(f"/plans/{world.plan.pk}/handover/").content
    html = html.decode()
    assert "Sofie Berg (Center for Handicap og Psykiatri)" in html
    assert f'value="{world.participant.pk}:{world.orgs["chp"].pk}"' in html
    assert f'value="{world.outsider.pk}:' not in html
    assert f'value="{world.coordinator.pk}:' not in html


# --- propose --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("manager", 200),
        ("colleague", 403),
        ("participant", 403),
        ("outsider", 404),
        ("withdrawn", 404),
    ],
)
def test_who_may_open_the_proposal_form(world, persona, status):
    response = page_client(getattr(world, persona)).get(f"/plans/{world.plan.pk}/handover/")
    assert response.status_code == status
    if status == 404:
        assert world.citizen.name not in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "slug"),
    [
        ("coordinator", "addiction"),
        ("manager", "addiction"),
        ("colleague", "addiction"),
        ("participant", "chp"),
        ("outsider", "toften"),
    ],
)
def test_proposing_is_allowed_refused_and_audited_as_through_the_api(world, persona, slug):
    user = getattr(world, persona)
    api = world.client(user, slug)
    body = {"to_user": world.participant.pk, "to_organisation": world.orgs["chp"].pk, "note": "x"}
    api_response, api_events = events_then_undo(
        lambda: api.post(f"/api/v1/plans/{world.plan.pk}/handovers/", body, format="json"),
        {"handover"},
    )
    assert not Handover.objects.exists()
    page, page_events = events_of(
        lambda: _propose(world, by=user, **_propose_form(world, note="x")), {"handover"}
    )
    assert page_events == api_events
    if api_response.status_code == 201:
        handover = Handover.objects.get()
        assert page.status_code == 302
        assert page["Location"] == f"/handovers/{handover.pk}/"
        assert (handover.to_user, handover.note) == (world.participant, "x")
        assert [n.kind for n in Notification.objects.filter(recipient=world.participant)] == [
            K.HANDOVER_PROPOSED
        ]
    else:
        assert page.status_code == api_response.status_code
        assert not Handover.objects.exists()


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"receiver": "", "note": ""}, "required"),
        ({"receiver": "{outsider}:{toften}", "note": ""}, "valid choice"),
        ({"receiver": "{coordinator}:{addiction}", "note": ""}, "valid choice"),
        ({"receiver": "nonsense", "note": ""}, "valid choice"),
        ({"receiver": "{participant}:{chp}", "note": "x" * 2001}, "at most 2000"),
    ],
)
def test_bad_proposals_are_refused_with_the_field_named(world, form, message):
    ids = {
        "outsider": world.outsider.pk,
        "coordinator": world.coordinator.pk,
        "participant": world.participant.pk,
        **{slug: org.pk for slug, org in world.orgs.items()},
    }
    form = {k: v.format(**ids) for k, v in form.items()}
    writes = AccessEvent.objects.exclude(action="view").count()
    response = _propose(world, **form)
    assert response.status_code == 400
    html = response.content.decode()
    field = "note" if "2000" in message else "receiver"
    assert message in field_error(html, field).lower()
    assert not Handover.objects.exists()
    assert not Notification.objects.exists()
    assert AccessEvent.objects.exclude(action="view").count() == writes


def test_consent_lapsing_while_the_form_is_open_is_explained_on_the_field(world):
    from apps.citizens.models import Consent
    from apps.citizens.services import consent_withdraw

    form = _propose_form(world)
    consent = Consent.objects.filter(citizen=world.citizen, withdrawn_at__isnull=True).get()
    consent_withdraw(
        actor=world.actor(world.coordinator), citizen_id=world.citizen.pk, consent_id=consent.pk
    )
    from apps.citizens.services import consent_give

    consent_give(
        actor=world.actor(world.coordinator),
        citizen_id=world.citizen.pk,
        organisation_ids=[world.orgs["addiction"].pk],
        form="written",
        given_at=timezone.now() - dt.timedelta(minutes=1),
    )
    response = _propose(world, **form)
    assert response.status_code == 400
    assert "valid choice" in response.content.decode()  # no longer offered
    assert not Handover.objects.exists()


def test_a_second_proposal_is_refused_and_the_first_shown(world):
    first = _pending(world)
    page = page_client(world.coordinator).get(f"/plans/{world.plan.pk}/handover/")
    assert f'href="/handovers/{first.pk}/"' in page.content.decode()
    assert 'name="receiver"' not in page.content.decode()
    response = _propose(world, **_propose_form(world, user=world.colleague, slug="addiction"))
    assert response.status_code == 409
    assert "already waiting for an answer" in response.content.decode()
    assert Handover.objects.count() == 1


# --- my handovers, one handover -------------------------------------------------------------


def test_my_handovers_are_listed_by_what_they_wait_for_and_audited_as_the_api(world):
    handover = _pending(world)
    for user, slug, heading in [
        (world.participant, "chp", "Waiting for my answer"),
        (world.coordinator, "addiction", "Proposed by me or from me"),
    ]:
        page, page_events = events_of(lambda u=user: page_client(u).get("/handovers/"))
        _, api_events = events_of(
            lambda u=user, s=slug: world.client(u, s).get("/api/v1/handovers/")
        )
        assert page_events == api_events
        assert [e[2:5] for e in page_events] == [("list", "handover", str(handover.pk))]
        html = page.content.decode()
        section = html.split(f"<h2>{heading}</h2>")[1].split("<h2>")[0]
        assert f'href="/handovers/{handover.pk}/"' in section
    outsider = page_client(world.outsider).get("/handovers/").content.decode()
    assert world.citizen.name not in outsider


def test_the_handover_page_offers_each_person_what_they_may_do(world):
    handover = _pending(world)
    url = f"/handovers/{handover.pk}/"
    receiver = page_client(world.participant).get(url).content.decode()
    assert f'action="{url}accept/"' in receiver
    assert f'href="{url}decline/"' in receiver
    assert f'action="{url}cancel/"' not in receiver
    proposer = page_client(world.coordinator).get(url).content.decode()
    assert f'action="{url}cancel/"' in proposer
    assert f'action="{url}accept/"' not in proposer
    assert "Borgeren flytter til bostedet." in proposer
    _page, page_events = events_of(lambda: page_client(world.participant).get(url))
    _, api_events = events_of(
        lambda: world.client(world.participant, "chp").get(f"/api/v1/handovers/{handover.pk}/")
    )
    assert page_events == api_events == [page_events[0]]
    for persona in ("outsider", "colleague", "withdrawn"):
        response = page_client(getattr(world, persona)).get(url)
        assert response.status_code == 404
        assert world.citizen.name not in response.content.decode()


# --- accept, decline, cancel ----------------------------------------------------------------


def _api_and_page(world, user, slug, api_path, page_path, body=None):
    handover = _pending(world)
    api = world.client(user, slug)
    api_response, api_events = events_then_undo(
        lambda: api.post(f"/api/v1/handovers/{handover.pk}/{api_path}", body or {}, format="json")
    )
    assert Handover.objects.get().state == "proposed"
    page, page_events = events_of(
        lambda: page_client(user).post(f"/handovers/{handover.pk}/{page_path}", body or {})
    )
    assert page_events == api_events
    return handover, api_response, page


def test_accepting_through_the_page_is_the_api_accept(world):
    _handover, api, page = _api_and_page(world, world.participant, "chp", "accept/", "accept/")
    assert api.status_code == 200
    assert page.status_code == 302
    assert page["Location"] == f"/plans/{world.plan.pk}/"
    plan = Plan.objects.get(pk=world.plan.pk)
    assert (plan.coordinator_user, plan.coordinator_organisation) == (
        world.participant,
        world.orgs["chp"],
    )
    assert Handover.objects.get().state == "accepted"
    assert K.HANDOVER_ACCEPTED in Notification.objects.filter(
        recipient=world.coordinator
    ).values_list("kind", flat=True)


@pytest.mark.parametrize(
    ("persona", "slug", "status"),
    [("coordinator", "addiction", 403), ("manager", "addiction", 404), ("outsider", "toften", 404)],
)
def test_only_the_receiver_accepts(world, persona, slug, status):
    _, api, page = _api_and_page(world, getattr(world, persona), slug, "accept/", "accept/")
    assert api.status_code == page.status_code == status
    assert Handover.objects.get().state == "proposed"


def test_declining_asks_for_a_reason_on_a_confirm_page(world):
    handover = _pending(world)
    client = page_client(world.participant)
    url = f"/handovers/{handover.pk}/decline/"
    confirm = client.get(url)
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "stays the coordinator" in html
    assert 'name="reason"' in html
    # No reason: refused on the field, nothing changes, nobody is told.
    for reason in ("", "   "):
        refused = client.post(url, {"reason": reason})
        assert refused.status_code == 400
        assert field_error(refused.content.decode(), "reason") == "Give a reason for declining."
        assert Handover.objects.get().state == "proposed"
        assert not Notification.objects.filter(kind=K.HANDOVER_DECLINED).exists()
    too_long = client.post(url, {"reason": "x" * 2001})
    assert too_long.status_code == 400
    assert Handover.objects.get().state == "proposed"


def test_declining_through_the_page_is_the_api_decline(world):
    body = {"reason": "Vi har ikke kapacitet lige nu."}
    _, api, page = _api_and_page(world, world.participant, "chp", "decline/", "decline/", body)
    assert api.status_code == 200
    assert page.status_code == 302
    assert page["Location"] == "/handovers/"
    handover = Handover.objects.get()
    assert (handover.state, handover.decline_reason) == ("declined", body["reason"])
    assert Plan.objects.get(pk=world.plan.pk).coordinator_user == world.coordinator
    told = Notification.objects.filter(kind=K.HANDOVER_DECLINED).values_list("recipient", flat=True)
    assert list(told) == [world.coordinator.pk]
    shown = page_client(world.coordinator).get(f"/handovers/{handover.pk}/").content.decode()
    assert "Vi har ikke kapacitet lige nu." in shown


def test_the_decline_page_is_the_receivers_only(world):
    handover = _pending(world)
    mark = AccessEvent.objects.order_by("-id").first().pk
    response = page_client(world.coordinator).get(f"/handovers/{handover.pk}/decline/")
    assert response.status_code == 403
    assert AccessEvent.objects.filter(pk__gt=mark, outcome="denied").count() == 1


def test_cancelling_through_the_page_is_the_api_cancel(world):
    _, api, page = _api_and_page(world, world.coordinator, "addiction", "cancel/", "cancel/")
    assert api.status_code == 200
    assert page.status_code == 302
    assert Handover.objects.get().state == "cancelled"


def test_the_receiver_cannot_cancel(world):
    _, api, page = _api_and_page(world, world.participant, "chp", "cancel/", "cancel/")
    assert api.status_code == page.status_code == 403
    assert Handover.objects.get().state == "proposed"


def test_an_expired_handover_cannot_be_accepted_and_says_so(world, clock):
    from tests.coordination.conftest import at

    today = timezone.localdate()
    clock(at(today.year, today.month, today.day))
    handover = _pending(world)
    clock(handover.expires_at + dt.timedelta(hours=1))
    client = page_client(world.participant)
    page = client.get(f"/handovers/{handover.pk}/").content.decode()
    assert f'action="/handovers/{handover.pk}/accept/"' not in page
    response = client.post(f"/handovers/{handover.pk}/accept/")
    assert response.status_code == 409
    assert "expired" in response.content.decode()
    assert Handover.objects.get().state == "proposed"
    assert Plan.objects.get(pk=world.plan.pk).coordinator_user == world.coordinator
