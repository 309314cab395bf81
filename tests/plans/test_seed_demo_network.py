"""The demo's other actors and Jens Hansen's network: a jobcentre and a volunteer centre with
their people, on no plan; Jens Hansen's consent covers the jobcentre, so his coordinator can
add it; his sister is in his network. A second run adds nothing."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management import call_command

from apps.citizens.services import organisations_covered
from apps.organisations.models import Membership, Organisation
from apps.plans.models import NetworkMember, Participation, Plan

PARTNERS = {
    "addiction": ("Rusmiddelcentret", "addiction_centre", "municipality"),
    "chp": ("Center for Handicap og Psykiatri", "social_psychiatry", "municipality"),
    "toften": ("Toften (forsorgshjem)", "shelter", "municipality"),
    "psychiatry": ("Psykiatrien, Region Sjælland", "regional_psychiatry", "region"),
}


def _counts() -> tuple[int, ...]:
    return (
        Organisation.objects.count(),
        get_user_model().objects.count(),
        Membership.objects.count(),
        NetworkMember.objects.count(),
        Participation.objects.count(),
    )


def test_the_demo_has_the_other_actors_and_jens_hansens_sister(db, settings):  # type: ignore[no-untyped-def]
    settings.KIP_DEMO_PASSWORD = "demo-password-for-tests"
    call_command("seed_demo", force=True, verbosity=0)
    counts = _counts()
    call_command("seed_demo", force=True, verbosity=0)
    assert _counts() == counts

    orgs = {o.slug: o for o in Organisation.objects.all()}
    assert {slug: (o.name, o.kind, o.sector) for slug, o in orgs.items() if slug in PARTNERS} == (
        PARTNERS
    )
    assert (orgs["jobcentre"].kind, orgs["jobcentre"].sector) == ("jobcentre", "municipality")
    assert (orgs["volunteer"].kind, orgs["volunteer"].sector) == ("volunteer", "municipality")
    users = get_user_model().objects
    for slug in ("jobcentre", "volunteer"):
        for role in ("caseworker", "manager"):
            user = users.get(username=f"{slug}.{role}")
            assert user.first_name
            assert user.check_password("demo-password-for-tests")
            assert user.memberships.get().organisation == orgs[slug]
            assert user.memberships.get().role == role
    for slug in ("jobcentre", "volunteer"):
        assert not Participation.objects.filter(organisation=orgs[slug]).exists()

    jens = Plan.objects.get(citizen__name="Jens Hansen")
    taking_part = set(jens.participations.values_list("organisation__slug", flat=True))
    assert taking_part == {"addiction", "chp", "psychiatry"}  # Toften and the jobcentre not
    covered = organisations_covered(citizen=jens.citizen)
    assert orgs["jobcentre"].pk in covered
    assert orgs["toften"].pk not in covered
    (sister,) = jens.network.all()
    assert (sister.relation, sister.takes_part) == ("søster", True)
    assert sister.may_be_told
