from apps.plans.models import Plan


def test_coordinator_sees_the_plan_and_outsider_gets_404(world):
    listed = world.client(world.coordinator).get("/api/v1/plans/").json()["results"]
    assert [p["id"] for p in listed] == [world.plan.pk]
    assert world.client(world.outsider).get(f"/api/v1/plans/{world.plan.pk}/").status_code == 404
    assert Plan.objects.count() == 1
