"""Demo data: the four organisations and two other actors, their people, citizens with plans.
Idempotent."""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.access.context import actor_for
from apps.citizens import cpr
from apps.citizens.models import Citizen
from apps.citizens.services import citizen_register, consent_give
from apps.coordination.models import Review
from apps.coordination.reviews import review_record
from apps.organisations.models import Membership, Organisation
from apps.organisations.services import membership_ensure, organisation_ensure
from apps.plans.models import Plan
from apps.plans.network import network_member_save
from apps.plans.parts import effort_save, goal_save
from apps.plans.services import plan_create

ORGANISATIONS = [
    ("addiction", "Rusmiddelcentret", Organisation.Kind.ADDICTION_CENTRE, "municipality"),
    (
        "chp",
        "Center for Handicap og Psykiatri",
        Organisation.Kind.SOCIAL_PSYCHIATRY,
        "municipality",
    ),
    ("toften", "Toften (forsorgshjem)", Organisation.Kind.SHELTER, "municipality"),
    ("psychiatry", "Psykiatrien, Region Sjælland", Organisation.Kind.REGIONAL_PSYCHIATRY, "region"),
    # Other actors around the citizen, on no plan at first: Jens Hansen's consent covers the
    # jobcentre, so his coordinator can add it to his plan when the work with a job begins.
    ("jobcentre", "Jobcenter Slagelse", Organisation.Kind.JOBCENTRE, "municipality"),
    ("volunteer", "Frivilligcenter Slagelse", Organisation.Kind.VOLUNTEER, "municipality"),
]

# The demo people, by name: pages show people by their names, not their user names.
PEOPLE = {
    "addiction.caseworker": ("Lise", "Holm"),
    "addiction.manager": ("Peter", "Lund"),
    "chp.caseworker": ("Sofie", "Berg"),
    "chp.manager": ("Anders", "Krogh"),
    "toften.caseworker": ("Karin", "Mortensen"),
    "toften.manager": ("Henrik", "Dahl"),
    "psychiatry.caseworker": ("Mads", "Winther"),
    "psychiatry.manager": ("Birgitte", "Skov"),
    "addiction.admin": ("Jonas", "Friis"),
    "chp.admin": ("Hanne", "Bech"),
    "toften.admin": ("Ole", "Juul"),
    "psychiatry.admin": ("Maria", "Thomsen"),
    "jobcentre.caseworker": ("Camilla", "Vestergaard"),
    "jobcentre.manager": ("Thomas", "Kjær"),
    "jobcentre.admin": ("Louise", "Brandt"),
    "volunteer.caseworker": ("Rasmus", "Holt"),
    "volunteer.manager": ("Inge", "Poulsen"),
    "volunteer.admin": ("Kim", "Lauridsen"),
}
SYSTEM_ADMIN = ("kip.admin", "Eva", "Lindberg")

# (cpr, name, coordinator slug, participant slugs, months to review, status, goal)
CITIZENS = [
    (
        "0101801234",
        "Jens Hansen",
        "addiction",
        ["addiction", "chp", "psychiatry"],
        3,
        Plan.Status.ACTIVE,
        "Jeg vil have min egen lejlighed og holde mig fra hash.",
    ),
    (
        "1505924321",
        "Mette Jensen",
        "chp",
        ["chp", "addiction", "toften", "psychiatry"],
        0,
        Plan.Status.ACTIVE,
        "Jeg vil se mine børn hver uge.",
    ),
    (
        "2302754567",
        "Ahmed Nielsen",
        "toften",
        ["toften", "addiction"],
        5,
        Plan.Status.DRAFT,
        "Jeg vil have et arbejde igen.",
    ),
]

# Organisations a citizen's consent covers besides those on the plan.
CONSENT_ALSO = {"Jens Hansen": ["jobcentre"]}

# The people who matter to the citizen, on the plan with what they may be told.
NETWORK = {
    "Jens Hansen": [
        {
            "name": "Susanne Hansen",
            "relation": "søster",
            "contact": "Tlf. 20 45 67 89",
            "may_be_told": "Hvornår møderne er, og hvordan det går med at finde en lejlighed. "
            "Ikke noget om behandlingen.",
            "takes_part": True,
        }
    ],
}

# Earlier review meetings, so a goal's progress and the effect page have something to show at
# first start: (months ago, the citizen's rating of the goal, the coordinator's, the
# citizen's feedback on the meeting, the citizen's words, the coordinator's note).
EARLIER_REVIEWS = {
    "Mette Jensen": [
        (
            5,
            3,
            4,
            {"heard": 6, "what_matters": 5, "approach": 6, "overall": 6},
            "Jeg ser dem kun hver anden uge.",
            "Samvær aftalt med familieafdelingen.",
        ),
        (
            2,
            5,
            6,
            {"heard": 8, "what_matters": 8, "approach": 7, "overall": 8},
            "Det går bedre, jeg har set dem tre uger i træk.",
            "Fast samvær hver onsdag; Mette møder op.",
        ),
    ],
}


class Command(BaseCommand):
    help = "Create demo organisations, users, citizens and plans (never with DEBUG off)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    def handle(self, *args, force: bool = False, **options):  # type: ignore[no-untyped-def]
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo refuses to run with DEBUG off; pass --force to insist.")
        password = settings.KIP_DEMO_PASSWORD
        users = {}
        for slug, name, kind, sector in ORGANISATIONS:
            organisation = organisation_ensure(slug=slug, name=name, kind=kind, sector=sector)
            for role in Membership.Role.values:
                username = f"{slug}.{role}"
                first, last = PEOPLE.get(username, (slug.capitalize(), role.capitalize()))
                user, created = get_user_model().objects.update_or_create(
                    username=username, defaults={"first_name": first, "last_name": last}
                )
                if created:
                    user.set_password(password)
                    user.email = f"{username}@example.org"
                    user.save()
                membership_ensure(user=user, organisation=organisation, role=role)
                users[username] = user
        username, first, last = SYSTEM_ADMIN
        system_admin, created = get_user_model().objects.update_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "is_staff": True},
        )
        if created:
            system_admin.set_password(password)
            system_admin.email = f"{username}@example.org"
            system_admin.save()
        users[username] = system_admin
        self.stdout.write(f"organisations and users: {len(users)} users")
        orgs = {o.slug: o for o in Organisation.objects.all()}
        for i, (number, name, lead, slugs, months, status, goal) in enumerate(CITIZENS, 1):
            self._citizen(users, orgs, number, name, lead, slugs, months, status, goal)
            self.stdout.write(f"citizens and plans: {i}/{len(CITIZENS)}")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password: {password}):"))
        for username in users:
            self.stdout.write(f"  {username}")

    def _citizen(self, users, orgs, number, name, lead, slugs, months, status, goal):  # type: ignore[no-untyped-def]
        if Citizen.objects.filter(cpr_hash=cpr.lookup_hash(cpr.normalise(number))).exists():
            return
        coordinator = users[f"{lead}.caseworker"]
        actor = actor_for(coordinator, orgs[lead].pk)
        citizen = citizen_register(actor=actor, cpr_number=number, name=name)
        consent_give(
            actor=actor,
            citizen_id=citizen.pk,
            organisation_ids=[orgs[s].pk for s in [*slugs, *CONSENT_ALSO.get(name, [])]],
            form="written",
            given_at=timezone.now() - datetime.timedelta(minutes=1),
        )
        plan = plan_create(
            actor=actor,
            citizen_id=citizen.pk,
            coordinator_user_id=coordinator.pk,
            coordinator_organisation_id=orgs[lead].pk,
            participant_ids=[orgs[s].pk for s in slugs],
            next_review=timezone.localdate() + relativedelta(months=months),
            status=status,
            assessment={
                "housing": "Bor midlertidigt på forsorgshjem.",
                "substance_use": "Dagligt forbrug.",
            },
        )
        plan = goal_save(
            actor=actor, plan_id=plan.pk, expected_version=plan.version, data={"text": goal}
        ).plan
        effort_save(
            actor=actor,
            plan_id=plan.pk,
            expected_version=plan.version,
            data={
                "description": "Ugentlige samtaler og koordinering.",
                "responsible": coordinator.pk,
            },
        )
        for member in NETWORK.get(name, []):
            plan.refresh_from_db()
            network_member_save(
                actor=actor, plan_id=plan.pk, expected_version=plan.version, data=member
            )
        self._earlier_reviews(actor, plan, EARLIER_REVIEWS.get(name, []))

    def _earlier_reviews(self, actor, plan, reviews):  # type: ignore[no-untyped-def]
        """Meetings held months ago, recorded as the coordinator records one (only when the
        plan is created, so running the command again adds none)."""
        today = timezone.localdate()
        goal = plan.goals.get()
        if reviews:
            # The plan began a month before its first meeting, not today after them (the
            # citizen's path on the plan page lists both in date order).
            first = max(review[0] for review in reviews) + 1
            began = timezone.now() - relativedelta(months=first)
            Plan.objects.filter(pk=plan.pk).update(created=began)
        for months_ago, citizen, professional, meeting, words, note in reviews:
            plan.refresh_from_db()
            review_record(
                actor=actor,
                plan_id=plan.pk,
                expected_version=plan.version,
                held_on=today - relativedelta(months=months_ago),
                outcome=Review.Outcome.CONTINUE,
                participants=[plan.coordinator_organisation.name],
                citizen_took_part=True,
                citizen_agreed=True,
                ratings=[
                    {
                        "goal": goal.pk,
                        "citizen": citizen,
                        "professional": professional,
                        "citizen_note": words,
                        "note": note,
                    }
                ],
                meeting_rating=meeting,
                # The service takes no next review in the past, and the plan's own review is
                # to stay due today (the demo shows it on My work and reminds of it); so each
                # earlier meeting is recorded as having agreed on today, which leaves the
                # plan's date as it was.
                next_review=plan.next_review,
            )
