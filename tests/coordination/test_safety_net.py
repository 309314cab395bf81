"""The safety net's reminders with a frozen clock: fast start, consent running out (30 and 7
days, then recorded once when it has), agreements due, and plans nobody touches. Each notice
once, however many sweeps; nobody told about a plan their consent no longer covers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from apps.audit.models import AccessEvent
from apps.citizens.models import Consent
from apps.citizens.services import consent_give, consent_withdraw
from apps.notifications.models import Notification
from apps.notifications.reminders import reminders_sweep
from apps.plans.faststart import plan_motivation_record
from apps.plans.models import Agreement, Plan
from apps.plans.parts import agreement_save, effort_save, goal_save
from apps.plans.services import plan_close
from tests.conftest import World

from .conftest import at, inbox

K = Notification.Kind
CHP = "Center for Handicap og Psykiatri"


def kinds(user: Any, *wanted: str) -> list[tuple[str, dt.date | None]]:
    """(kind, due) of the user's notices of these kinds, oldest first."""
    return [(n.kind, n.due) for n in inbox(user) if n.kind in wanted]


def fresh(world: World) -> Plan:
    return Plan.objects.get(pk=world.plan.pk)


# --- fast start ------------------------------------------------------------------------------


def motivated(world: World, clock: Any, moment: dt.datetime) -> Plan:
    clock(moment)
    return plan_motivation_record(
        actor=world.actor(world.participant),
        plan_id=world.plan.pk,
        expected_version=fresh(world).version,
    )


def test_fast_start_reminds_the_coordinator_then_tells_the_managers_once(world, clock):
    # Motivated Fri 18 Dec 2026: due Mon 28 Dec (Christmas off); reminded one working day
    # before, Thu 24 Dec; the managers told from Tue 29 Dec.
    plan = motivated(world, clock, at(2026, 12, 18))
    assert plan.first_effort_due == dt.date(2026, 12, 28)
    FS = (K.FAST_START_DUE, K.FAST_START_ESCALATION)
    for day in (18, 21, 23):
        clock(at(2026, 12, day))
        reminders_sweep()
    assert kinds(world.coordinator, *FS) == []
    clock(at(2026, 12, 24))
    reminders_sweep()
    reminders_sweep()
    assert kinds(world.coordinator, *FS) == [(K.FAST_START_DUE, dt.date(2026, 12, 28))]
    clock(at(2026, 12, 28))
    reminders_sweep()
    assert kinds(world.manager, *FS) == []  # due today: not missed yet
    for day in (29, 30):
        clock(at(2026, 12, day))
        reminders_sweep()
        reminders_sweep()
    assert kinds(world.coordinator, *FS) == [(K.FAST_START_DUE, dt.date(2026, 12, 28))]
    assert kinds(world.manager, *FS) == [(K.FAST_START_ESCALATION, dt.date(2026, 12, 28))]
    assert kinds(world.participant, *FS) == []


def test_no_fast_start_reminder_once_an_effort_started(world, clock):
    motivated(world, clock, at(2026, 12, 18))
    clock(at(2026, 12, 22))
    plan = fresh(world)
    effort_save(
        actor=world.actor(world.participant),
        plan_id=plan.pk,
        expected_version=plan.version,
        data={"description": "Bostøtte", "responsible": world.participant.pk, "status": "active"},
    )
    assert fresh(world).first_effort_on == dt.date(2026, 12, 22)
    for day in (24, 29):
        clock(at(2026, 12, day))
        reminders_sweep()
    assert Notification.objects.filter(kind__startswith="fast_start").count() == 0


def test_no_fast_start_reminder_without_consent_for_the_coordinators_organisation(world, clock):
    motivated(world, clock, at(2026, 12, 18))
    shared = Consent.objects.get(citizen=world.citizen, withdrawn_at__isnull=True)
    consent_withdraw(
        actor=world.actor(world.participant), citizen_id=world.citizen.pk, consent_id=shared.pk
    )
    for day in (24, 29):
        clock(at(2026, 12, day))
        reminders_sweep()
    assert Notification.objects.filter(kind__startswith="fast_start").count() == 0


def test_no_fast_start_reminder_for_a_draft_or_closed_plan(world, clock):
    motivated(world, clock, at(2026, 12, 18))
    Plan.objects.filter(pk=world.plan.pk).update(status=Plan.Status.DRAFT)
    clock(at(2026, 12, 29))
    reminders_sweep()
    assert Notification.objects.filter(kind__startswith="fast_start").count() == 0


# --- consent running out ---------------------------------------------------------------------


def apart(world: World, **expires: dt.datetime | None) -> dict[str, Consent]:
    """addiction and chp each covered by a consent of its own (expiring as given), the shared
    one withdrawn: one organisation's consent can run out while the other's holds."""
    actor = world.actor(world.coordinator)
    shared = Consent.objects.get(citizen=world.citizen, withdrawn_at__isnull=True)
    consents = {
        slug: consent_give(
            actor=actor,
            citizen_id=world.citizen.pk,
            organisation_ids=[world.orgs[slug].pk],
            form="written",
            given_at=timezone.now() - dt.timedelta(hours=1),
            expires_at=expires.get(slug),
        )
        for slug in ("addiction", "chp")
    }
    consent_withdraw(actor=actor, citizen_id=world.citizen.pk, consent_id=shared.pk)
    return consents


EXPIRING = (K.CONSENT_EXPIRING, K.CONSENT_EXPIRED)


def test_thirty_and_seven_days_before_two_notices_each_once(world, clock):
    consent = apart(world, chp=at(2027, 1, 20, 12))["chp"]
    clock(at(2026, 12, 20))  # 31 days before
    reminders_sweep()
    assert kinds(world.coordinator, *EXPIRING) == []
    for day in (21, 22, 28):
        clock(at(2026, 12, day))
        reminders_sweep()
        reminders_sweep()
    for day in (10, 12, 13, 14, 19):
        clock(at(2027, 1, day))
        reminders_sweep()
        reminders_sweep()
    assert kinds(world.coordinator, *EXPIRING) == [
        (K.CONSENT_EXPIRING, dt.date(2026, 12, 21)),
        (K.CONSENT_EXPIRING, dt.date(2027, 1, 13)),
    ]
    notices = inbox(world.coordinator, K.CONSENT_EXPIRING)
    assert [n.context["days"] for n in notices] == [30, 7]
    assert {n.context["expires_on"] for n in notices} == {"2027-01-20"}
    assert notices[0].context["organisations"] == [CHP]
    assert {n.plan_id for n in notices} == {world.plan.pk}
    assert {n.dedupe_key.split(":")[1] for n in notices} == {f"c{consent.pk}"}
    # Only the coordinator hears it.
    assert Notification.objects.filter(kind__in=EXPIRING).count() == 2


def test_a_consent_first_seen_five_days_before_gets_the_seven_day_notice_only(world, clock):
    apart(world, chp=at(2027, 1, 20, 12))
    clock(at(2027, 1, 15))
    reminders_sweep()
    reminders_sweep()
    assert kinds(world.coordinator, *EXPIRING) == [(K.CONSENT_EXPIRING, dt.date(2027, 1, 13))]


def test_a_renewed_consent_needs_no_notice(world, clock):
    apart(world, chp=at(2027, 1, 20, 12))
    consent_give(
        actor=world.actor(world.coordinator),
        citizen_id=world.citizen.pk,
        organisation_ids=[world.orgs["chp"].pk],
        form="oral",
    )
    for moment in (at(2027, 1, 15), at(2027, 1, 21)):
        clock(moment)
        reminders_sweep()
    assert Notification.objects.filter(kind__in=EXPIRING).count() == 0
    # Its running out is still recorded: it is in the trail.
    assert Consent.objects.filter(expiry_recorded_at__isnull=False).count() == 1


def test_nobody_is_told_whose_organisation_lost_its_consent_before(world, clock):
    consents = apart(world, chp=at(2027, 1, 20, 12))
    consent_withdraw(
        actor=world.actor(world.participant),
        citizen_id=world.citizen.pk,
        consent_id=consents["addiction"].pk,
    )
    clock(at(2027, 1, 15))
    reminders_sweep()
    assert Notification.objects.filter(kind__in=EXPIRING).count() == 0


def _expiry_events(consent: Consent) -> list[AccessEvent]:
    return list(AccessEvent.objects.filter(object_type="consent", object_id=str(consent.pk)))


def test_a_consent_that_ran_out_is_recorded_once_and_the_coordinator_told(world, clock):
    consent = apart(world, chp=at(2027, 1, 20, 12))["chp"]
    before = _expiry_events(consent)
    clock(at(2027, 1, 20, 13))
    reminders_sweep()
    reminders_sweep()
    clock(at(2027, 1, 21))
    reminders_sweep()
    consent.refresh_from_db()
    assert consent.expiry_recorded_at == at(2027, 1, 20, 13)
    events = _expiry_events(consent)[len(before) :]
    assert [(e.action, e.actor_id, e.organisation_id, e.citizen_id) for e in events] == [
        ("consent", None, None, world.citizen.pk)
    ]
    assert events[0].detail["what"] == "expired"
    assert kinds(world.coordinator, K.CONSENT_EXPIRED) == [
        (K.CONSENT_EXPIRED, dt.date(2027, 1, 20))
    ]
    notice = inbox(world.coordinator, K.CONSENT_EXPIRED)[0]
    # The coordinator's organisation is still covered: the notice is about the plan.
    assert notice.plan_id == world.plan.pk
    assert notice.context["organisations"] == [CHP]
    assert inbox(world.participant) == []
    # The managers of an organisation on the plan find it in the trail, done by the service.
    trail = world.client(world.manager).get("/api/v1/audit/events/?action=consent").json()
    assert [(e["object_type"], e["object_id"], e["actor"]) for e in trail["results"]][:1] == [
        ("consent", str(consent.pk), None)
    ]


def test_the_coordinator_is_told_even_when_their_own_organisation_lost_its_cover(world, clock):
    apart(world, addiction=at(2027, 1, 20, 12))
    clock(at(2027, 1, 21))
    reminders_sweep()
    reminders_sweep()
    (notice,) = inbox(world.coordinator, K.CONSENT_EXPIRED)
    # About no plan it could open: the number only, in the context.
    assert notice.plan_id is None
    assert notice.context == {"expires_on": "2027-01-20", "plan": world.plan.pk}
    assert notice.due == dt.date(2027, 1, 20)
    # The inbox lists it; the plan itself is out of reach.
    client = world.client(world.coordinator, "addiction")
    listed = client.get("/api/v1/notifications/").json()["results"]
    assert [(n["kind"], n["plan"]) for n in listed] == [(K.CONSENT_EXPIRED, None)]
    assert client.get(f"/api/v1/plans/{world.plan.pk}/").status_code == 404


def test_a_consent_that_runs_out_while_a_sweep_runs(world, clock):
    """The sweep reads at one moment (``now``): a consent that runs out just after it is
    still in force for that sweep, and recorded by the next, once."""
    expires = at(2027, 1, 20, 12)
    consent = apart(world, chp=expires)["chp"]
    clock(expires - dt.timedelta(seconds=1))
    reminders_sweep(now=expires - dt.timedelta(seconds=1))
    consent.refresh_from_db()
    assert consent.expiry_recorded_at is None
    assert kinds(world.coordinator, *EXPIRING) == [(K.CONSENT_EXPIRING, dt.date(2027, 1, 13))]
    clock(expires + dt.timedelta(seconds=1))
    reminders_sweep(now=expires)  # exactly at the expiry: run out
    reminders_sweep(now=expires + dt.timedelta(seconds=1))
    assert kinds(world.coordinator, *EXPIRING) == [
        (K.CONSENT_EXPIRING, dt.date(2027, 1, 13)),
        (K.CONSENT_EXPIRED, dt.date(2027, 1, 20)),
    ]
    assert Consent.objects.get(pk=consent.pk).expiry_recorded_at == expires


def test_a_consent_claimed_by_another_sweep_is_not_recorded_again(world, clock):
    consent = apart(world, chp=at(2027, 1, 20, 12))["chp"]
    claimed = at(2027, 1, 20, 12) + dt.timedelta(minutes=1)
    Consent.objects.filter(pk=consent.pk).update(expiry_recorded_at=claimed)
    before = len(_expiry_events(consent))
    clock(at(2027, 1, 21))
    reminders_sweep()
    assert len(_expiry_events(consent)) == before
    assert Notification.objects.filter(kind=K.CONSENT_EXPIRED).count() == 0


# --- agreements ------------------------------------------------------------------------------


def agreement(
    world: World, due: dt.date, responsible: Any = "participant", **data: Any
) -> Agreement:
    plan = fresh(world)
    person = getattr(world, responsible) if responsible else None
    return agreement_save(
        actor=world.actor(world.coordinator),
        plan_id=plan.pk,
        expected_version=plan.version,
        data={
            "text": "Ring til boligselskabet",
            "responsible": person.pk if person else None,
            "due": due,
            **data,
        },
    )


def test_the_responsible_person_hears_on_the_due_date_once(world, clock):
    item = agreement(world, dt.date(2026, 12, 28))
    agreement(world, dt.date(2026, 12, 28), text="Gjort", done=True)
    agreement(world, dt.date(2026, 12, 28), responsible=None)  # nobody named: nobody told
    for day in (27, 28, 28, 29):
        clock(at(2026, 12, day))
        reminders_sweep()
    assert kinds(world.participant, K.AGREEMENT_DUE) == [(K.AGREEMENT_DUE, dt.date(2026, 12, 28))]
    (notice,) = inbox(world.participant, K.AGREEMENT_DUE)
    assert notice.dedupe_key.split(":")[1] == f"a{item.pk}"
    assert notice.plan_id == world.plan.pk
    assert Notification.objects.filter(kind=K.AGREEMENT_DUE).count() == 1


def test_two_agreements_due_the_same_day_are_two_notices(world, clock):
    agreement(world, dt.date(2026, 12, 28))
    agreement(world, dt.date(2026, 12, 28), text="Søg bolig")
    clock(at(2026, 12, 28))
    reminders_sweep()
    reminders_sweep()
    assert len(kinds(world.participant, K.AGREEMENT_DUE)) == 2


def test_no_agreement_notice_once_consent_no_longer_covers_the_responsible_person(world, clock):
    consents = apart(world)
    agreement(world, dt.date(2026, 12, 28))
    consent_withdraw(
        actor=world.actor(world.coordinator),
        citizen_id=world.citizen.pk,
        consent_id=consents["chp"].pk,
    )
    clock(at(2026, 12, 28))
    reminders_sweep()
    assert Notification.objects.filter(kind=K.AGREEMENT_DUE).count() == 0


def test_no_agreement_notice_on_a_closed_plan(world, clock):
    agreement(world, dt.date(2026, 12, 28))
    plan = fresh(world)
    plan_close(
        actor=world.actor(world.coordinator),
        plan_id=plan.pk,
        expected_version=plan.version,
        reason="moved",
    )
    clock(at(2026, 12, 28))
    reminders_sweep()
    assert Notification.objects.filter(kind=K.AGREEMENT_DUE).count() == 0


# --- plans nobody touches --------------------------------------------------------------------


def test_a_plan_unchanged_for_90_days_tells_the_managers_once_per_quiet_spell(world, clock):
    Plan.objects.filter(pk=world.plan.pk).update(updated=at(2026, 12, 5, 10))
    clock(at(2027, 3, 4))  # 89 days
    reminders_sweep()
    assert kinds(world.manager, K.PLAN_INACTIVE) == []
    for day in (5, 5, 8):
        clock(at(2027, 3, day))
        reminders_sweep()
    first = [(K.PLAN_INACTIVE, dt.date(2027, 3, 5))]
    assert kinds(world.manager, K.PLAN_INACTIVE) == first
    assert inbox(world.manager, K.PLAN_INACTIVE)[0].context == {"since": "2026-12-05", "days": 90}
    assert kinds(world.coordinator, K.PLAN_INACTIVE) == []
    # A change on 10 March starts a new spell: told again 90 days later, on 8 June.
    clock(at(2027, 3, 10))
    plan = fresh(world)
    goal_save(
        actor=world.actor(world.participant),
        plan_id=plan.pk,
        expected_version=plan.version,
        data={"text": "Et arbejde"},
    )
    for moment in (at(2027, 6, 7), at(2027, 6, 8), at(2027, 6, 9)):
        clock(moment)
        reminders_sweep()
    assert kinds(world.manager, K.PLAN_INACTIVE) == [*first, (K.PLAN_INACTIVE, dt.date(2027, 6, 8))]


def test_plan_part_writes_are_activity(world, clock):
    """What counts as a change: every write that moves the plan's version."""
    clock(at(2027, 2, 1))
    actor = world.actor(world.coordinator)
    writes = [
        lambda v: goal_save(
            actor=actor, plan_id=world.plan.pk, expected_version=v, data={"text": "G"}
        ),
        lambda v: agreement_save(
            actor=actor, plan_id=world.plan.pk, expected_version=v, data={"text": "A"}
        ),
        lambda v: effort_save(
            actor=actor,
            plan_id=world.plan.pk,
            expected_version=v,
            data={"description": "E", "responsible": world.coordinator.pk},
        ),
        lambda v: plan_motivation_record(actor=actor, plan_id=world.plan.pk, expected_version=v),
    ]
    for day, write in enumerate(writes, start=2):
        clock(at(2027, 2, day))
        write(fresh(world).version)
        assert fresh(world).updated == at(2027, 2, day)


def test_no_inactivity_notice_without_consent_or_for_a_draft(world, clock):
    Plan.objects.filter(pk=world.plan.pk).update(
        updated=at(2026, 12, 5, 10), status=Plan.Status.DRAFT
    )
    clock(at(2027, 3, 6))
    reminders_sweep()
    assert Notification.objects.filter(kind=K.PLAN_INACTIVE).count() == 0
    Plan.objects.filter(pk=world.plan.pk).update(status=Plan.Status.ACTIVE)
    shared = Consent.objects.get(citizen=world.citizen, withdrawn_at__isnull=True)
    Consent.objects.filter(pk=shared.pk).update(
        withdrawn_at=timezone.now(), withdrawn_by=world.coordinator
    )
    reminders_sweep()
    assert Notification.objects.filter(kind=K.PLAN_INACTIVE).count() == 0
