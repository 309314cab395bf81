"""Reviews with frozen snapshots and their diff; hospital events prompt a review."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.coordination.models import PlanSnapshot, Review
from apps.notifications.models import Notification
from apps.plans.models import Plan

from .conftest import inbox


def post_review(world, user=None, slug="addiction", version=None, **body):
    plan = Plan.objects.get(pk=world.plan.pk)
    today = timezone.localdate()
    body.setdefault("held_on", today.isoformat())
    body.setdefault("outcome", "continue")
    body.setdefault("next_review", (today + dt.timedelta(days=90)).isoformat())
    headers = {"HTTP_IF_MATCH": f'"{version or plan.version}"'}
    return world.client(user or world.coordinator, slug).post(
        f"/api/v1/plans/{plan.pk}/reviews/", body, format="json", **headers
    )


def test_record_review_freezes_the_plan_and_sets_next_review(world):
    before = Plan.objects.get(pk=world.plan.pk)
    response = post_review(world, participants=["Jens", "Rusmiddelcentret"], notes="Godt forløb")
    assert response.status_code == 201, response.data
    plan = Plan.objects.get(pk=world.plan.pk)
    assert plan.version == before.version + 1
    assert response["ETag"] == f'"{plan.version}"'
    assert plan.next_review == timezone.localdate() + dt.timedelta(days=90)
    snapshot = PlanSnapshot.objects.get(review_id=response.data["id"])
    assert snapshot.data["coordinator"]["user"] == world.coordinator.pk
    assert set(snapshot.data) >= {"assessment", "goals", "efforts", "agreements", "participants"}
    listing = world.client(world.participant, "chp").get(f"/api/v1/plans/{plan.pk}/reviews/")
    assert [r["id"] for r in listing.data["results"]] == [response.data["id"]]


def test_diff_between_two_reviews(world):
    from apps.plans.parts import goal_save

    first = post_review(world).data["id"]
    plan = Plan.objects.get(pk=world.plan.pk)
    goal_save(
        actor=world.actor(world.coordinator, "addiction"),
        plan_id=plan.pk,
        expected_version=plan.version,
        data={"text": "Egen bolig"},
    )
    second = post_review(world, outcome="change").data["id"]
    diff = world.client(world.participant, "chp").get(
        f"/api/v1/plans/{plan.pk}/reviews/{first}/diff/{second}/"
    )
    assert diff.status_code == 200, diff.data
    assert [g["text"] for g in diff.data["changes"]["goals"]["added"]] == ["Egen bolig"]
    assert (
        world.client(world.outsider, "toften")
        .get(f"/api/v1/plans/{plan.pk}/reviews/{first}/diff/{second}/")
        .status_code
        == 404
    )


def test_review_in_the_future_is_refused(world):
    version = Plan.objects.get(pk=world.plan.pk).version
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = post_review(world, held_on=tomorrow.isoformat())
    assert response.status_code == 400
    assert response.data["code"] == "date_in_future"
    assert "held_on" in response.data["fields"]
    assert not Review.objects.exists()
    assert Plan.objects.get(pk=world.plan.pk).version == version


def test_next_review_beyond_six_months_is_refused(world):
    plan = Plan.objects.get(pk=world.plan.pk)
    far = timezone.localdate() + dt.timedelta(days=200)
    response = post_review(world, next_review=far.isoformat())
    assert response.status_code == 400
    assert "next_review" in response.data["fields"]
    assert not Review.objects.exists()
    assert Plan.objects.get(pk=world.plan.pk).next_review == plan.next_review


def test_review_needs_if_match_and_the_current_version(world):
    stale = post_review(world, version=Plan.objects.get(pk=world.plan.pk).version - 1 or 99)
    assert stale.status_code == 412
    no_header = world.client(world.coordinator, "addiction").post(
        f"/api/v1/plans/{world.plan.pk}/reviews/",
        {"held_on": timezone.localdate().isoformat(), "outcome": "continue"},
        format="json",
    )
    assert no_header.status_code == 428
    assert not Review.objects.exists()


def test_only_the_coordinator_records_reviews(world):
    assert post_review(world, user=world.participant, slug="chp").status_code == 403
    assert post_review(world, user=world.manager, slug="addiction").status_code == 403
    assert post_review(world, user=world.outsider, slug="toften").status_code == 404
    assert not Review.objects.exists()


def test_hospital_discharge_prompts_the_coordinator(world):
    response = world.client(world.participant, "chp").post(
        f"/api/v1/plans/{world.plan.pk}/hospital-events/",
        {"kind": "discharge", "occurred_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.data
    assert [n.kind for n in inbox(world.coordinator)] == [Notification.Kind.REVIEW_PROMPTED]
    future = world.client(world.participant, "chp").post(
        f"/api/v1/plans/{world.plan.pk}/hospital-events/",
        {"kind": "admission", "occurred_on": "2999-01-01"},
        format="json",
    )
    assert future.status_code == 400
    assert "occurred_on" in future.data["fields"]


def test_the_frozen_plan_holds_the_discharge_agreement_and_the_diff_its_changes(world):
    from apps.coordination.models import DischargeTask
    from tests.coordination.discharge import admit, days_ago, task

    admission = admit(world, days_ago(3))
    housing = task(world, admission, description="Bolig klar", due=days_ago(1))
    first = post_review(world).data["id"]
    frozen = PlanSnapshot.objects.get(review_id=first).data["discharge_tasks"]
    assert frozen == [
        {
            "id": housing.pk,
            "admitted_on": days_ago(3).isoformat(),
            "description": "Bolig klar",
            "responsible": world.participant.pk,
            "responsible_organisation": world.orgs["chp"].pk,
            "due": days_ago(1).isoformat(),
            "done": False,
        }
    ]
    DischargeTask.objects.filter(pk=housing.pk).update(done=True, done_at=timezone.now())
    medicine = task(world, admission, description="Medicin hentet")
    second = post_review(world).data["id"]
    diff = world.client(world.participant, "chp").get(
        f"/api/v1/plans/{world.plan.pk}/reviews/{first}/diff/{second}/"
    )
    assert diff.status_code == 200, diff.data
    part = diff.data["changes"]["discharge_tasks"]
    assert [t["id"] for t in part["added"]] == [medicine.pk]
    assert part["changed"] == [
        {"id": housing.pk, "fields": {"done": {"before": False, "after": True}}}
    ]
    assert part["removed"] == []


def test_a_snapshot_frozen_before_discharge_tasks_diffs_as_an_empty_agreement(world):
    from tests.coordination.discharge import admit, task

    first = post_review(world).data["id"]
    snapshot = PlanSnapshot.objects.get(review_id=first)
    del snapshot.data["discharge_tasks"]  # as frozen before the key existed
    snapshot.save()
    added = task(world, admit(world))
    second = post_review(world).data["id"]
    diff = world.client(world.participant, "chp").get(
        f"/api/v1/plans/{world.plan.pk}/reviews/{first}/diff/{second}/"
    )
    assert diff.status_code == 200, diff.data
    assert [t["id"] for t in diff.data["changes"]["discharge_tasks"]["added"]] == [added.pk]


def test_the_frozen_plan_holds_the_network_and_the_diff_its_changes(world):
    from apps.plans.models import NetworkMember

    plan = world.plan
    sister = NetworkMember.objects.create(
        plan=plan, name="Susanne Hansen", relation="søster", contact="22 33 44 55"
    )
    friend = NetworkMember.objects.create(plan=plan, name="Ole", relation="ven", takes_part=True)
    first = post_review(world).data["id"]
    frozen = PlanSnapshot.objects.get(review_id=first).data["network"]
    assert frozen == [
        {
            "id": sister.pk,
            "name": "Susanne Hansen",
            "relation": "søster",
            "contact": "22 33 44 55",
            "may_be_told": "",
            "takes_part": False,
        },
        {
            "id": friend.pk,
            "name": "Ole",
            "relation": "ven",
            "contact": "",
            "may_be_told": "",
            "takes_part": True,
        },
    ]
    NetworkMember.objects.filter(pk=sister.pk).update(may_be_told="Hvordan det går med boligen")
    friend.delete()
    neighbour = NetworkMember.objects.create(plan=plan, name="Karen", relation="nabo")
    second = post_review(world).data["id"]
    diff = world.client(world.participant, "chp").get(
        f"/api/v1/plans/{plan.pk}/reviews/{first}/diff/{second}/"
    )
    assert diff.status_code == 200, diff.data
    part = diff.data["changes"]["network"]
    assert [m["id"] for m in part["added"]] == [neighbour.pk]
    assert [m["name"] for m in part["removed"]] == ["Ole"]
    assert part["changed"] == [
        {
            "id": sister.pk,
            "fields": {"may_be_told": {"before": "", "after": "Hvordan det går med boligen"}},
        }
    ]


def test_a_snapshot_frozen_before_the_network_diffs_as_an_empty_network(world):
    from apps.plans.models import NetworkMember

    first = post_review(world).data["id"]
    snapshot = PlanSnapshot.objects.get(review_id=first)
    del snapshot.data["network"]  # as frozen before the key existed
    snapshot.save()
    sister = NetworkMember.objects.create(plan=world.plan, name="Susanne", relation="søster")
    second = post_review(world).data["id"]
    diff = world.client(world.participant, "chp").get(
        f"/api/v1/plans/{world.plan.pk}/reviews/{first}/diff/{second}/"
    )
    assert diff.status_code == 200, diff.data
    assert [m["id"] for m in diff.data["changes"]["network"]["added"]] == [sister.pk]
    # Nothing changed in the network: no "network" key, as for the other lists.
    third = post_review(world).data["id"]
    same = world.client(world.participant, "chp").get(
        f"/api/v1/plans/{world.plan.pk}/reviews/{second}/diff/{third}/"
    )
    assert "network" not in same.data["changes"]
