"""The fuzzer's world and its idea of who may see what (``world.py``) are right.

The oracle restates the rules from the data; here it must agree with the demo's known
facts (README, demo section) and with ``apps/access`` on every role, so that a fuzzer that
finds nothing has looked with the right eyes.
"""

from __future__ import annotations

import pytest

from apps.access.checks import citizens_visible_to, plans_visible_to
from apps.access.context import actor_for
from apps.access.handovers import handovers_visible_to
from apps.notifications.models import Notification
from apps.plans.models import Plan
from tests.fuzz import world


@pytest.fixture
def roles(db: None) -> dict[str, world.Role]:
    world.build()
    return {name: world.role_of(name) for name in world.ROLES}


def plan(name: str) -> int:
    return Plan.objects.get(citizen__name=name).pk


def test_the_demo_facts_hold(roles):
    jens, mette, ahmed = plan("Jens Hansen"), plan("Mette Jensen"), plan("Ahmed Nielsen")
    for slug in ("addiction", "chp", "toften", "psychiatry"):
        assert mette in roles[f"{slug}.caseworker"].sees.plans
    assert jens not in roles["toften.caseworker"].sees.plans  # never on it
    assert jens not in roles["toften.manager"].sees.plans
    assert jens not in roles["psychiatry.caseworker"].sees.plans  # consent withdrawn
    assert jens in roles["chp.caseworker"].sees.plans
    assert ahmed in roles["addiction.caseworker"].sees.plans
    assert ahmed not in roles["chp.caseworker"].sees.plans


def test_what_psychiatry_lost_with_the_consent_is_in_the_world(roles):
    seen = roles["psychiatry.caseworker"].sees
    jens = plan("Jens Hansen")
    offered = Notification.objects.filter(recipient=roles["psychiatry.caseworker"].user)
    assert offered.filter(plan_id=jens).exists()
    assert not seen.notifications & set(offered.filter(plan_id=jens).values_list("pk", flat=True))
    assert not seen.handovers
    assert roles["addiction.caseworker"].sees.handovers  # Mette's, offered to addiction


def test_the_review_queue_and_the_reviews_have_something_to_show(roles):
    assert roles["toften.manager"].sees.grants
    assert not roles["addiction.manager"].sees.grants
    # Two earlier meetings from seed_demo, two more from the world.
    assert len(roles["chp.caseworker"].sees.reviews) == 4


def test_the_oracle_agrees_with_the_access_module_for_every_role(roles):
    for name, role in roles.items():
        actor = actor_for(role.user, role.organisation.pk)
        seen = role.sees
        assert seen.plans == set(plans_visible_to(actor).values_list("pk", flat=True)), name
        assert seen.citizens == set(citizens_visible_to(actor).values_list("pk", flat=True)), name
        assert seen.handovers == set(handovers_visible_to(actor).values_list("pk", flat=True)), name
